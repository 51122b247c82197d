using Conformance.Harness.Login;

namespace Conformance.Harness.Tests;

/// <summary>
/// Login, consent and logout pages, each with what both drivers must make of it: the kind, and the field (its
/// name) or button (its label) they act on. The LemonLDAP::NG and Glewlwyd pages are the Debian packages' own
/// (2.16 and 2.7.5), as served on 127.0.0.1, trimmed of head markup that plays no part and with tokens replaced.
/// </summary>
internal static class LoginPageSamples
{
    /// <param name="Target">The name of the field acted on, or the label of the button pressed; null when nothing is.</param>
    /// <param name="Selectors">The profile's <c>login.selectors</c>, for pages the guesses alone do not understand.</param>
    internal sealed record Sample(string Name, string Html, LoginPageKind Kind, string? Target, IReadOnlyDictionary<string, string>? Selectors = null);

    public static IReadOnlyList<Sample> All { get; } =
    [
        new("plain login", Page("Sign in", """
            <form method="post" action="/login">
              <input type="hidden" name="csrf" value="t1">
              <label>Username <input type="text" name="username" autocomplete="username"></label>
              <label>Password <input type="password" name="password"></label>
              <button type="submit">Sign in</button>
            </form>
            """), LoginPageKind.Password, "password"),

        new("lemonldap login", LemonLdap("""
            <div id="errormsg"><div class="message message-warning alert" role="status"><span trmsg="9"></span></div></div>
            <div class="card">
              <form id="lform" action="#" method="post" class="login" role="form">
                <input type="hidden" name="url" value="aHR0cDovLzEyNy4wLjAuMTo1ODExL29hdXRoMg==" />
                <input type="hidden" name="timezone" />
                <input type="hidden" name="skin" value="bootstrap" />
                <input id="token" type="hidden" name="token" value="1796108545_3297" />
                <div class="form">
                  <div class="input-group mb-3">
                    <input id="userfield" name="user" type="text" class="form-control" value="" trplaceholder="login" required aria-required="true" autofocus />
                  </div>
                  <div class="input-group mb-3">
                    <input id="passwordfield" name="password" type="password" class="form-control" trplaceholder="password" required aria-required="true" />
                  </div>
                  <div class="input-group mb-3">
                    <input type="checkbox" id="checkLogins" name="checkLogins" aria-describedby="checkLoginsLabel" />
                    <p class="form-control"><label id="checkLoginsLabel" for="checkLogins" trspan="checkLastLogins">Check my last logins</label></p>
                  </div>
                  <button type="submit" class="btn btn-success"><span class="fa fa-sign-in"></span><span trspan="connect">Connect</span></button>
                </div>
              </form>
            </div>
            """), LoginPageKind.Password, "password"),

        new("identifier first", Page("Sign in", """
            <form method="post" action="/identify">
              <label>Email <input type="email" name="loginfmt"></label>
              <button type="submit">Next</button>
            </form>
            """), LoginPageKind.Identifier, "loginfmt"),

        new("one-time code", Page("Verify", """
            <form method="post" action="/otp">
              <label>Code from your authenticator <input name="totp_code" inputmode="numeric"></label>
              <button type="submit">Verify</button>
            </form>
            """), LoginPageKind.OneTimeCode, "totp_code"),

        new("a password input named otp is a one-time code", Page("Verify", """
            <form method="post" action="/otp"><input type="password" name="otp"><input type="submit" value="Verify"></form>
            """), LoginPageKind.OneTimeCode, "otp"),

        new("consent with deny first", Page("Consent", """
            <p>web-app wants to read your profile.</p>
            <form method="post" action="/consent">
              <button type="submit" name="decision" value="deny">Deny</button>
              <button type="submit" name="decision" value="allow">Allow</button>
            </form>
            """), LoginPageKind.Consent, "Allow allow"),

        new("consent whose only control is Continue", Page("Authorize web-app", """
            <p>web-app will receive your profile and email.</p>
            <form method="post" action="/consent"><input type="hidden" name="tx" value="42"><button type="submit">Continue</button></form>
            """), LoginPageKind.Consent, "Continue"),

        new("don't allow is not allowing", Page("Consent", """
            <form method="post" action="/consent"><button type="submit" name="no">Don't allow</button></form>
            """), LoginPageKind.NotUnderstood, null),

        new("lemonldap consent confirmation", LemonLdapConfirm(
            """<div class="oidc_consent_message"><h3 trspan="oidcConsent,Conformance web app">The application Conformance web app would like to know:</h3><ul><li><span trspan="yourIdentity">Your identity</span></li></ul></div>"""),
            LoginPageKind.Consent, "Accept"),

        new("interstitial with Next", Page("Your password expires in 3 days", """
            <p>Your password expires in 3 days.</p>
            <form method="post" action="/notice"><input type="hidden" name="seen" value="1"><input type="submit" value="Next"></form>
            """), LoginPageKind.Continue, "Next"),

        new("lemonldap logout confirmation", LemonLdapConfirm(
            """<div class="oidc_logout_message"><h3 trspan="logoutConfirm">Do you want to logout?</h3></div>"""),
            LoginPageKind.Consent, "Accept"),

        new("keycloak-like logout", Page("Logging out", """
            <h1>Logging out</h1>
            <p>Do you want to log out?</p>
            <form action="/logout/confirm" method="POST">
              <input type="hidden" name="session_code" value="s1">
              <input tabindex="4" name="confirmLogout" id="kc-logout" type="submit" value="Logout">
            </form>
            """), LoginPageKind.LogoutConfirmation, "Logout"),

        new("sign out with Confirm beside Stay signed in", Page("Sign out", """
            <p>Are you sure you want to sign out of all applications?</p>
            <form method="post" action="/logout">
              <button type="submit" name="action" value="stay">Stay signed in</button>
              <button type="submit" name="action" value="confirm">Confirm</button>
            </form>
            """), LoginPageKind.LogoutConfirmation, "Confirm confirm"),

        new("form_post response", Page("Submit", """
            <form method="post" action="https://app.test/callback">
              <input type="hidden" name="code" value="abc"><input type="hidden" name="state" value="xyz">
            </form>
            """), LoginPageKind.FormPost, null),

        new("glewlwyd login application", Glewlwyd, LoginPageKind.ScriptApplication, null),

        new("react-like application", Page("App", """
            <noscript>You need to enable JavaScript to run this app.</noscript>
            <div id="root"></div>
            <script type="module" src="/assets/index.js"></script>
            """), LoginPageKind.ScriptApplication, null),

        new("error page with scripts and a link back", Page("Error", """
            <div class="alert alert-danger" role="alert">Unknown client: web-app</div>
            <a href="/">Back to the portal</a>
            <script src="/js/portal.js"></script>
            """), LoginPageKind.NotUnderstood, null),

        new("hidden password form is not shown", Page("Sign in", """
            <div style="display: none"><form method="post" action="/login"><input type="password" name="password"></form></div>
            <form method="post" action="/identify" hidden><input name="username"></form>
            <p>Nothing to see.</p>
            """), LoginPageKind.NotUnderstood, null),

        new("configured username and password", Page("Odd", """
            <form method="post" action="/odd/login" id="f"><input id="who" name="a" type="search"><input id="secret" name="b" type="text"></form>
            <a id="go" href="#" onclick="document.getElementById('f').submit(); return false;">Onwards</a>
            """), LoginPageKind.Password, "b", new Dictionary<string, string> { ["username"] = "#who", ["password"] = "#secret", ["submit"] = "#go" }),

        new("configured consent names a form", Page("Decide", """
            <form id="decide" method="post" action="/consent">
              <button type="submit" name="d" value="no">Deny</button><button type="submit" name="d" value="go">Go ahead</button>
            </form>
            <form method="post" action="/other"><button type="submit">Allow</button></form>
            """), LoginPageKind.Consent, "Go ahead go", new Dictionary<string, string> { ["consent"] = "#decide" }),

        // Glewlwyd's login application once signed in, and its RP-initiated logout page (as rendered by 2.7.5):
        // one profile consent list names both, and one part of it is a Playwright-only selector neither reader
        // can parse, which must cost only that part.
        new("glewlwyd signed in, continue to the client", Page("Glewlwyd login", """
            <h3>Hello Doctor Who</h3><h4>Connection to Conformance web app</h4>
            <div class="text-center"><div class="btn-group" role="group">
              <button type="button" class="btn btn-primary" title="Continue to client application">Continue</button>
              <button type="button" class="btn btn-danger">Logout</button>
              <div class="btn-group" role="group"><button class="btn btn-danger dropdown-toggle" type="button" id="logoutDropdown">More</button></div>
            </div></div>
            """), LoginPageKind.Consent, "Continue", new Dictionary<string, string> { ["consent"] = GlewlwydConsent }),

        new("glewlwyd end session", Page("Glewlwyd login", """
            <div class="row"><div class="col-md-12"><h3>End session</h3></div></div>
            <div class="row"><div class="col-md-12"><h4>You are about to log out from Conformance web app</h4></div></div>
            <div class="row"><div class="col-md-12"><div class="btn-group" role="group">
              <button type="button" class="btn btn-danger">Logout</button>
              <div class="btn-group btn-icon" role="group"><button class="btn btn-danger dropdown-toggle" type="button" id="logoutDropdown">More</button></div>
            </div></div></div>
            """), LoginPageKind.Consent, "Logout", new Dictionary<string, string> { ["consent"] = GlewlwydConsent }),

        new("configured one-time code", Page("PIN", """
            <form method="post" action="/pin"><label>PIN <input id="pin" name="pin"></label><button>Send</button></form>
            """), LoginPageKind.OneTimeCode, "pin", new Dictionary<string, string> { ["otp"] = "#pin" }),
    ];

    public static Sample Get(string name) => All.Single(s => s.Name == name);

    /// <summary>fixtures/profiles/glewlwyd.json's consent list, with a Playwright-only part added in the middle.</summary>
    private const string GlewlwydConsent =
        "button[title='Continue to client application'], body:has(h3:text-is('End session')) button.btn-danger, .col-md-12 > .btn-group > button.btn-danger:not(.dropdown-toggle)";

    /// <summary>Glewlwyd 2.7.5's webapp/login.html: a React application with a placeholder and no form.</summary>
    public const string Glewlwyd = """
        <!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8">
            <title>Glewlwyd login</title>
            <link href="favicon.ico" rel="icon" type="image/x-icon" />
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <link rel="stylesheet" href="css/bootstrap.min.css">
          </head>
          <body>
            <div class="container" id="root">
              <div class="alert alert-info perfect-centering" role="alert">
                <i class="fa fa-spinner fa-spin fa-fw"></i><span class="btn-icon-right">Loading...</span>
              </div>
            </div>
            <script src="js/jquery.min.js"></script>
            <script src="js/popper.min.js"></script>
            <script src="js/bootstrap.min.js"></script>
            <script src="login.js"></script>
          </body>
        </html>
        """;

    public static string Page(string title, string body) =>
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>{body}</body></html>";

    /// <summary>LemonLDAP::NG's portal around <paramref name="content"/>: its header, back-to-top button and footer link.</summary>
    public static string LemonLdap(string content) => $"""
        <!DOCTYPE html>
        <html lang="en"><head><title trspan="authPortal">Authentication portal</title>
          <script type="application/init">{"{"}"activeTimer":0{"}"}</script>
          <script type="text/javascript" src="/static/common/js/portal.min.js"></script>
        </head>
        <body>
          <div id="wrap">
            <div id="header"><img src="/static/common/logos/logo_llng_400px.png" class="img-fluid rounded mx-auto d-block" /></div>
            <main id="logincontent" class="container">{content}</main>
          </div>
          <button type="button" class="btn btn-danger btn-floating btn-lg" id="btn-back-to-top"><i class="fa fa-arrow-circle-up"></i></button>
          <div id="footer"><p><span trspan="serviceProvidedBy">Service provided by</span>
            <a href="https://lemonldap-ng.org" target="_blank" class="btn btn-secondary btn-sm">LemonLDAP::NG</a></p></div>
          <script type="text/JavaScript" src="/psgi.js"></script>
        </body></html>
        """;

    /// <summary>
    /// LemonLDAP::NG's confirm.tpl, used for consent and for RP-Initiated Logout: the decision is the hidden
    /// <c>confirm</c> value posted back unchanged (its script negates it when Refuse is clicked), to the page itself.
    /// </summary>
    public static string LemonLdapConfirm(string message, string hidden = "", string key = "QSt8huiSmQLIJN1yjzc9YKgWoFAnSQdwFWeUf7o2qYneR%2BW/UfVf==") => LemonLdap($"""
        <form id="form" action="#" method="post" class="confirm" role="form">
          {hidden}
          <input type="hidden" id="confirm" name="confirm" value="{key}" />
          <input type="hidden" name="skin" value="bootstrap" />
          <div class="card border-info">
            <div class="card-header text-white bg-info"><h3 class="card-title"><span trspan="confirmation">Confirmation</span></h3></div>
            <div class="card-body">
              {message}
              <div class="buttons">
                <button type="submit" class="positive btn btn-success"><span class="fa fa-check-circle"></span><span trspan="accept">Accept</span></button>
                <button id="refuse" type="submit" class="negative btn btn-danger" val="-{key}"><span class="fa fa-times-circle"></span><span trspan="refuse">Refuse</span></button>
              </div>
            </div>
          </div>
          <script type="text/javascript" src="/static/common/js/confirm.min.js"></script>
          <div id="logout"><div class="buttons">
            <a href="/?cancel=1" class="btn btn-primary" role="button"><span class="fa fa-home"></span><span trspan="cancel">Cancel</span></a>
          </div></div>
        </form>
        """);
}
