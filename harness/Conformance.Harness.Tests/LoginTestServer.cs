using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Conformance.Harness.Protocol;

namespace Conformance.Harness.Tests;

/// <summary>
/// An issuer's front channel on a loopback HttpListener, for both login drivers: the sample pages of
/// <see cref="LoginPageSamples"/> at <c>/sample/N</c>, and small flows named by their first path segment
/// (see <see cref="HandleAsync"/>). Every decision a flow receives is recorded, so tests can tell which
/// button was pressed.
/// </summary>
internal sealed class LoginTestServer : IDisposable
{
    public const string Password = "correct horse battery";

    /// <summary>LemonLDAP::NG's hidden <c>confirm</c> value; its Refuse button would post it negated.</summary>
    public const string ConfirmKey = "QSt8huiSmQLIJN1yjzc9YKgWoFAnSQdwFWeUf7o2qYneR%2BW/UfVf==";

    private static readonly string[] Carried = ["redirect_uri", "state", "response_mode", "post_logout_redirect_uri"];

    private readonly HttpListener listener;

    public LoginTestServer()
    {
        listener = Listen(out var port);
        Base = new Uri($"http://127.0.0.1:{port}/");
        _ = Task.Run(LoopAsync);
    }

    public Uri Base { get; }

    /// <summary>"flow:decision" for every consent, interstitial and logout answer received.</summary>
    public ConcurrentQueue<string> Decisions { get; } = new();

    public Uri Sample(int index) => new(Base, $"sample/{index}");

    public static HttpListener Listen(out int port)
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return listener;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private async Task LoopAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await HandleAsync(context);
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
                {
                    // The client went away mid-answer.
                }
                catch (Exception e) when (e is KeyNotFoundException or FormatException or ArgumentException)
                {
                    // A request the flows do not expect: answer it, or the driver would wait for its timeout.
                    Write(context.Response, "text/plain", e.Message, 500);
                }
            });
        }
    }

    /// <summary>
    /// continue: login, then consent whose only control is Continue. next: login, then an interstitial with a lone
    /// Next. llng: LemonLDAP::NG's login and confirm forms (action "#", decision in a hidden field) and its logout
    /// confirmation. kc: a Keycloak-like logout with one Logout button. yesno: a sign-out question with No before
    /// Yes. gone: a confirmation after which the server shows a page instead of redirecting. app: a script
    /// application that renders its login form late. idf: identifier first, then the password.
    /// </summary>
    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var query = AuthorizationResponse.ParseForm(request.Url!.Query.TrimStart('?'));
        var form = request.HttpMethod == "POST"
            ? AuthorizationResponse.ParseForm(await new StreamReader(request.InputStream, Encoding.UTF8).ReadToEndAsync())
            : query;
        var segments = request.Url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var flow = segments.FirstOrDefault() ?? "";
        var step = string.Join('/', segments.Skip(1));
        var response = context.Response;

        switch (request.HttpMethod, flow, step)
        {
            case ("GET", "sample", _) when int.TryParse(step, out var index) && index < LoginPageSamples.All.Count:
                Html(response, LoginPageSamples.All[index].Html);
                return;

            case ("GET", "continue" or "next" or "fp", "authorize"):
                Html(response, LoginPage(flow, form));
                return;
            case ("POST", "continue" or "next" or "fp", "login"):
                if (!SignedIn(form, response, flow))
                {
                    return;
                }

                if (flow == "fp")
                {
                    Answer(response, form);
                    return;
                }

                Redirect(response, $"/{flow}/decide?{Carry(form)}");
                return;
            case ("GET", "continue", "decide"):
                Html(response, LoginPageSamples.Page("Authorize web-app", $"""
                    <p>web-app will receive your profile and email.</p>
                    <form method="post" action="/continue/decide">{Hidden(form)}<button type="submit">Continue</button></form>
                    """));
                return;
            case ("GET", "next", "decide"):
                Html(response, LoginPageSamples.Page("Your password expires in 3 days", $"""
                    <p>Your password expires in 3 days.</p>
                    <form method="post" action="/next/decide">{Hidden(form)}<input type="submit" name="seen" value="Next"></form>
                    """));
                return;
            case ("POST", "continue" or "next", "decide"):
                Decisions.Enqueue($"{flow}:{form.GetValueOrDefault("seen") ?? "continue"}");
                Answer(response, form);
                return;

            case ("GET", "llng", "authorize"):
                Html(response, LemonLdapLogin(error: false));
                return;
            case ("POST", "llng", "authorize"):
                if (!query.ContainsKey("redirect_uri"))
                {
                    // LemonLDAP::NG reads the authorization request from the URL its forms post back to.
                    Html(response, LoginPageSamples.Page("Error", "<p role=\"alert\">The form was posted without the authorization request.</p>"), 400);
                    return;
                }

                if (form.TryGetValue("confirm", out var consent))
                {
                    Decisions.Enqueue($"llng:{consent}");
                    Redirect(response, consent == ConfirmKey ? Callback(query, "code=abc") : Callback(query, "error=access_denied"));
                    return;
                }

                if (form.GetValueOrDefault("user") != "alice" || form.GetValueOrDefault("password") != Password)
                {
                    Html(response, LemonLdapLogin(error: true));
                    return;
                }

                Html(response, LoginPageSamples.LemonLdapConfirm(
                    """<div class="oidc_consent_message"><h3>The application web-app would like to know:</h3><ul><li>Your identity</li></ul></div>""", key: ConfirmKey));
                return;
            case ("GET", "llng", "logout"):
                Html(response, LoginPageSamples.LemonLdapConfirm(
                    """<div class="oidc_logout_message"><h3 trspan="logoutConfirm">Do you want to logout?</h3></div>""",
                    Hidden(form) + "<input type=\"hidden\" name=\"id_token_hint\" value=\"eyJ.hint.sig\" />", ConfirmKey));
                return;
            case ("POST", "llng", "logout"):
                Decisions.Enqueue($"llng-logout:{form.GetValueOrDefault("confirm")}");
                if (form.GetValueOrDefault("confirm") == ConfirmKey)
                {
                    Redirect(response, $"{form["post_logout_redirect_uri"]}?state={Uri.EscapeDataString(form.GetValueOrDefault("state") ?? "")}");
                    return;
                }

                Html(response, LoginPageSamples.Page("Portal", "<p>You are still signed in.</p>"));
                return;

            case ("GET", "kc" or "gone" or "fclo", "logout"):
                Html(response, LoginPageSamples.Page("Logging out", $"""
                    <h1>Logging out</h1><p>Do you want to log out?</p>
                    <form action="/{flow}/logout/confirm" method="POST">
                      <input type="hidden" name="session_code" value="s1">{Hidden(form)}
                      <input name="confirmLogout" id="kc-logout" type="submit" value="Logout">
                    </form>
                    """));
                return;
            case ("POST", "fclo", "logout/confirm"):
                // Like Glewlwyd's End session page: blank while front-channel logout iframes load, then a script
                // redirect after 12 s (Glewlwyd waits up to 15 s for its iframes).
                var back = $"{form["post_logout_redirect_uri"]}?state={Uri.EscapeDataString(form.GetValueOrDefault("state") ?? "")}";
                Html(response, LoginPageSamples.Page("Glewlwyd login", $"<div id=\"root\"></div><script>setTimeout(() => {{ location.href = '{back}'; }}, 12000);</script>"));
                return;
            case ("POST", "kc" or "gone", "logout/confirm"):
                Decisions.Enqueue($"{flow}:{form.GetValueOrDefault("confirmLogout")}");
                if (flow == "gone" || form.GetValueOrDefault("confirmLogout") != "Logout")
                {
                    Html(response, LoginPageSamples.Page("Signed out", "<p>You have been signed out.</p>"));
                    return;
                }

                Redirect(response, $"{form["post_logout_redirect_uri"]}?state={Uri.EscapeDataString(form.GetValueOrDefault("state") ?? "")}");
                return;

            case ("GET", "yesno", "logout"):
                Html(response, LoginPageSamples.Page("Sign out", $"""
                    <p>Do you want to sign out?</p>
                    <form method="post">{Hidden(form)}
                      <button type="submit" name="answer" value="no">No</button>
                      <button type="submit" name="answer" value="yes">Yes</button>
                    </form>
                    """));
                return;
            case ("POST", "yesno", "logout"):
                Decisions.Enqueue($"yesno:{form.GetValueOrDefault("answer")}");
                if (form.GetValueOrDefault("answer") == "yes")
                {
                    Redirect(response, $"{form["post_logout_redirect_uri"]}?state={Uri.EscapeDataString(form.GetValueOrDefault("state") ?? "")}");
                    return;
                }

                Html(response, LoginPageSamples.Page("Portal", "<p>You are still signed in.</p>"));
                return;

            case ("GET", "app", "authorize"):
                Html(response, LoginPageSamples.Page("App login", """
                    <div id="root"><div class="alert" role="alert">Loading...</div></div>
                    <script src="/app/app.js"></script>
                    """));
                return;
            case ("GET", "app", "app.js"):
                Write(response, "text/javascript", """
                    setTimeout(() => {
                      const carry = new URLSearchParams(location.search);
                      const hidden = ['redirect_uri', 'state'].map(k => `<input type="hidden" name="${k}" value="${carry.get(k) || ''}">`).join('');
                      document.getElementById('root').innerHTML = '<form method="post" action="/app/login">' + hidden
                        + '<input name="username" autocomplete="username"><input type="password" name="password"><button type="submit">Sign in</button></form>';
                    }, 400);
                    """);
                return;
            case ("POST", "app", "login"):
                if (SignedIn(form, response, flow))
                {
                    Answer(response, form);
                }

                return;

            case ("GET", "idf", "authorize"):
                Html(response, LoginPageSamples.Page("Sign in", $"""
                    <form method="post" action="/idf/identify">{Hidden(form)}
                      <label>Username <input name="username" autocomplete="username"></label><button type="submit">Next</button>
                    </form>
                    """));
                return;
            case ("POST", "idf", "identify"):
                Html(response, LoginPageSamples.Page("Sign in", $"""
                    <p>Hello {WebUtility.HtmlEncode(form.GetValueOrDefault("username"))}</p>
                    <form method="post" action="/idf/login">{Hidden(form)}
                      <input type="hidden" name="username" value="{WebUtility.HtmlEncode(form.GetValueOrDefault("username"))}">
                      <label>Password <input type="password" name="password"></label><button type="submit">Sign in</button>
                    </form>
                    """));
                return;
            case ("POST", "idf", "login"):
                if (SignedIn(form, response, flow))
                {
                    Answer(response, form);
                }

                return;

            default:
                Write(response, "text/plain", "not found", 404);
                return;
        }
    }

    private static bool SignedIn(Dictionary<string, string> form, HttpListenerResponse response, string flow)
    {
        if (form.GetValueOrDefault("username") == "alice" && form.GetValueOrDefault("password") == Password)
        {
            return true;
        }

        Html(response, LoginPage(flow, form, "Invalid username or password."));
        return false;
    }

    private static string LoginPage(string flow, Dictionary<string, string> form, string? error = null) => LoginPageSamples.Page("Sign in", $"""
        {(error is null ? "" : $"<div class=\"error\" role=\"alert\">{error}</div>")}
        <form method="post" action="/{flow}/login">
          <label>Username <input type="text" name="username" autocomplete="username"></label>
          <label>Password <input type="password" name="password" autocomplete="current-password"></label>
          {Hidden(form)}
          <button type="submit">Sign in</button>
        </form>
        """);

    private static string LemonLdapLogin(bool error) => LoginPageSamples.LemonLdap($"""
        {(error ? "<div class=\"message message-danger alert\" role=\"alert\">Wrong credentials</div>" : "")}
        <form id="lform" action="#" method="post" class="login" role="form">
          <input type="hidden" name="url" value="aHR0cDovLzEyNy4wLjAuMTo1ODExL29hdXRoMg==" />
          <input type="hidden" name="skin" value="bootstrap" />
          <input id="token" type="hidden" name="token" value="1796108545_3297" />
          <input id="userfield" name="user" type="text" class="form-control" trplaceholder="login" required />
          <input id="passwordfield" name="password" type="password" class="form-control" trplaceholder="password" required />
          <button type="submit" class="btn btn-success"><span class="fa fa-sign-in"></span><span trspan="connect">Connect</span></button>
        </form>
        """);

    /// <summary>The authorization response, in the response mode asked for.</summary>
    private static void Answer(HttpListenerResponse response, Dictionary<string, string> form)
    {
        if (form.GetValueOrDefault("response_mode") == "form_post")
        {
            Html(response, $"""
                <html><head><title>Submit</title></head><body onload="document.forms[0].submit()">
                <form method="post" action="{WebUtility.HtmlEncode(form["redirect_uri"])}">
                  <input type="hidden" name="code" value="abc"><input type="hidden" name="state" value="{WebUtility.HtmlEncode(form.GetValueOrDefault("state"))}">
                  <noscript><button type="submit">Continue</button></noscript>
                </form></body></html>
                """);
            return;
        }

        Redirect(response, Callback(form, "code=abc"));
    }

    private static string Callback(Dictionary<string, string> form, string parameters) =>
        $"{form["redirect_uri"]}?{parameters}&state={Uri.EscapeDataString(form.GetValueOrDefault("state") ?? "")}";

    private static string Carry(Dictionary<string, string> form) =>
        string.Join('&', Carried.Where(form.ContainsKey).Select(k => $"{k}={Uri.EscapeDataString(form[k])}"));

    private static string Hidden(Dictionary<string, string> form) =>
        string.Concat(Carried.Where(form.ContainsKey).Select(k => $"<input type=\"hidden\" name=\"{k}\" value=\"{WebUtility.HtmlEncode(form[k])}\">"));

    private static void Html(HttpListenerResponse response, string html, int status = 200) => Write(response, "text/html; charset=utf-8", html, status);

    private static void Redirect(HttpListenerResponse response, string location)
    {
        response.StatusCode = 302;
        response.Headers["Location"] = location;
        response.Close();
    }

    private static void Write(HttpListenerResponse response, string contentType, string text, int status = 200)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes);
        response.Close();
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
    }
}
