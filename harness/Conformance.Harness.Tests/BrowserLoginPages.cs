using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Conformance.Harness.Protocol;
using OtpNet;

namespace Conformance.Harness.Tests;

/// <summary>
/// The issuer side of <see cref="BrowserLoginDriverTests"/>: login pages on a loopback HttpListener (a plain form,
/// form_post, a TOTP page then consent, an identifier-first widget that renders late, a page no guess understands).
/// </summary>
internal sealed class BrowserLoginPages : IDisposable
{
    private readonly HttpListener listener;

    public BrowserLoginPages()
    {
        listener = LoginTestServer.Listen(out var port);
        Base = new Uri($"http://127.0.0.1:{port}/");
        _ = Task.Run(LoopAsync);
    }

    public Uri Base { get; }

    public ConcurrentDictionary<string, int> Hits { get; } = new();

    public ConcurrentQueue<string> Decisions { get; } = new();

    /// <summary>What the "stores" login page found already stored in the browser (cookie, storages, IndexedDB), one entry per login.</summary>
    public ConcurrentQueue<string> Seen { get; } = new();

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
                    // The browser went away mid-answer.
                }
            });
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        Hits.AddOrUpdate(request.Url!.Host, 1, (_, n) => n + 1);
        var form = request.HttpMethod == "POST"
            ? AuthorizationResponse.ParseForm(await new StreamReader(request.InputStream, Encoding.UTF8).ReadToEndAsync())
            : AuthorizationResponse.ParseForm(request.Url.Query.TrimStart('?'));
        var flow = request.Url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        var step = request.Url.AbsolutePath[(flow.Length + 1)..];
        var response = context.Response;

        switch (request.HttpMethod, step)
        {
            case ("GET", "/authorize") when form.GetValueOrDefault("prompt") == "none":
                Redirect(response, Callback(form, "error=login_required"));
                return;
            case ("GET", "/authorize") when flow == "oie":
                Html(response, OieWidget(form));
                return;
            case ("GET", "/authorize") when flow == "stores":
                Html(response, StoringPage(form));
                return;
            case ("GET", "/authorize") when flow == "odd":
                Html(response, OddPage(form));
                return;
            case ("GET", "/authorize") when flow == "chunked":
            {
                // A portal sent in two chunks (a slow server): the username input arrives 1.5 s before the password input.
                var page = LoginPage(flow, form, error: null);
                var split = page.IndexOf("<label>Password", StringComparison.Ordinal);
                response.ContentType = "text/html; charset=utf-8";
                response.SendChunked = true;
                // Past the bytes a browser buffers before it starts parsing, so the first half is in the DOM at once.
                await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(page[..split] + "<!--" + new string(' ', 4096) + "-->"));
                await response.OutputStream.FlushAsync();
                await Task.Delay(1500);
                await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(page[split..]));
                response.Close();
                return;
            }
            case ("GET", "/authorize"):
                Html(response, LoginPage(flow, form, error: null));
                return;
            case ("POST", "/login"):
                if (form.GetValueOrDefault("username") != "alice" && form.GetValueOrDefault("username") != "bob"
                    || form.GetValueOrDefault("password") != BrowserLoginDriverTests.Password)
                {
                    // "echo": a hostile page that repeats the typed password, as text, in an input and a placeholder.
                    var typed = WebUtility.HtmlEncode(form.GetValueOrDefault("password") ?? "");
                    Html(response, flow == "echo"
                        ? LoginPage(flow, form, error: $"Invalid password: {typed}").Replace("</body>", $"""<input type="text" id="echo" value="{typed}"><textarea>{typed}</textarea><input placeholder="{typed}"></body>""")
                        : LoginPage(flow, form, error: "Invalid username or password."));
                    return;
                }

                if (flow == "stores")
                {
                    Seen.Enqueue(form.GetValueOrDefault("seen") ?? "(none)");
                }

                if (flow == "rerender")
                {
                    // Like Glewlwyd's login application: signed in, the page still shows its password form for a
                    // moment, then its script builds the signed-in view with a Continue button.
                    Html(response, LoginPage(flow, form, error: null).Replace("</body>", $$"""
                        <script>setTimeout(() => { document.body.innerHTML = '<h3>Hello alice</h3><button type="button" id="go">Continue</button>';
                          document.getElementById('go').onclick = () => { location.href = '{{Callback(form, "code=abc")}}'; }; }, 1200);</script></body>
                        """, StringComparison.Ordinal));
                    return;
                }

                if (flow == "scriptcode")
                {
                    Redirect(response, $"/scriptcode/scriptotp?{Carry(form)}");
                    return;
                }

                if (flow == "totp")
                {
                    Redirect(response, $"/totp/otp?{Carry(form)}");
                    return;
                }

                Answer(response, form);
                return;
            case ("GET", "/otp"):
                Html(response, Page("Verify", $"""
                    <form method="post" action="/totp/otp">
                      <label>Enter the code from your authenticator <input name="otp" autocomplete="one-time-code" inputmode="numeric"></label>
                      {Hidden(form)}
                      <button type="submit">Verify</button>
                    </form>
                    """));
                return;
            case ("GET", "/scriptotp"):
                // Like the Okta Sign-In Widget's code challenge: no form; Verify re-renders the same view, then the
                // script navigates through two slow redirects (/login/sessionCookieRedirect, /authorize) while the
                // code form stays on screen, since no document replaces it before the redirect to the client.
                Html(response, Page("Verify", $$"""
                    <div id="view"><form><label>Enter Code <input name="answer" autocomplete="one-time-code" inputmode="numeric"></label>
                    <input type="submit" class="button button-primary" value="Verify"></form></div>
                    <script>document.getElementById('view').addEventListener('submit', e => {
                      e.preventDefault(); const view = document.getElementById('view'); view.innerHTML = view.innerHTML;
                      setTimeout(() => location.assign('/scriptcode/hop?step=1&{{Carry(form)}}'), 300); });</script>
                    """));
                return;
            case ("GET", "/hop"):
                await Task.Delay(2000);
                Redirect(response, form.GetValueOrDefault("step") == "1" ? $"/scriptcode/hop?step=2&{Carry(form)}" : Callback(form, "code=abc"));
                return;
            case ("POST", "/otp"):
                var valid = new Totp(Base32Encoding.ToBytes(BrowserLoginDriverTests.TotpSecret)).VerifyTotp(form.GetValueOrDefault("otp") ?? "", out _, new VerificationWindow(1, 1));
                if (!valid)
                {
                    Html(response, Page("Verify", "<div role=\"alert\">Wrong code</div>"));
                    return;
                }

                Redirect(response, $"/totp/consent?{Carry(form)}");
                return;
            case ("GET", "/consent"):
                Html(response, Page("Consent", $"""
                    <p>web-app wants to read your profile.</p>
                    <form method="post" action="/totp/consent">
                      {Hidden(form)}
                      <button type="submit" name="decision" value="deny">Deny</button>
                      <button type="submit" name="decision" value="allow">Allow</button>
                    </form>
                    """));
                return;
            case ("POST", "/consent"):
                Decisions.Enqueue(form.GetValueOrDefault("decision") ?? "(none)");
                Answer(response, form);
                return;
            case ("POST", "/idp/idx/challenge/answer"):
                var ok = form.GetValueOrDefault("identifier") == "alice" && form.GetValueOrDefault("passcode") == BrowserLoginDriverTests.Password;
                response.StatusCode = ok ? 200 : 401;
                Write(response, "application/json", ok ? $$"""{"href":"/oie/login/token/redirect?{{Carry(form)}}"}""" : """{"error":"Authentication failed"}""");
                return;
            case ("GET", "/login/token/redirect"):
                Answer(response, form);
                return;
            default:
                response.StatusCode = 404;
                Write(response, "text/plain", "not found");
                return;
        }
    }

    /// <summary>The authorization response, in the response mode asked for.</summary>
    private static void Answer(HttpListenerResponse response, Dictionary<string, string> form)
    {
        var mode = form.GetValueOrDefault("response_mode");
        if (mode == "form_post")
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

    private static string Callback(Dictionary<string, string> form, string parameters)
    {
        var separator = form.GetValueOrDefault("response_mode") == "fragment" ? '#' : '?';
        return $"{form["redirect_uri"]}{separator}{parameters}&state={Uri.EscapeDataString(form.GetValueOrDefault("state") ?? "")}";
    }

    private static string Carry(Dictionary<string, string> form) =>
        string.Join('&', new[] { "redirect_uri", "state", "response_mode" }
            .Where(form.ContainsKey)
            .Select(k => $"{k}={Uri.EscapeDataString(form[k])}"));

    private static string Hidden(Dictionary<string, string> form) =>
        string.Concat(new[] { "redirect_uri", "state", "response_mode" }
            .Where(form.ContainsKey)
            .Select(k => $"<input type=\"hidden\" name=\"{k}\" value=\"{WebUtility.HtmlEncode(form[k])}\">"));

    private static string LoginPage(string flow, Dictionary<string, string> form, string? error) => Page("Sign in", $"""
        {(error is null ? "" : $"<div class=\"error\" role=\"alert\">{error}</div>")}
        <form method="post" action="/{flow}/login">
          <input type="hidden" name="__RequestVerificationToken" value="antiforgery-token-value">
          <label>Username <input type="text" name="username" autocomplete="username"></label>
          <label>Password <input type="password" name="password" autocomplete="current-password"></label>
          {Hidden(form)}
          <button type="submit">Sign in</button>
        </form>
        """);

    /// <summary>
    /// A login page that first reports what the browser already holds for this origin (a cookie, local and session
    /// storage, an IndexedDB database) in a hidden field, then stores one of each: a second login in the same
    /// browser reports them, one in a fresh (or properly reset) browser reports "clean". The form is built only once
    /// the IndexedDB answer is in, so the driver cannot send it before.
    /// </summary>
    private static string StoringPage(Dictionary<string, string> form) => Page("Sign in", $$"""
        <div id="view"></div>
        <script>
          (async () => {
            const found = [];
            if (document.cookie) found.push('cookie');
            if (localStorage.length) found.push('localStorage');
            if (sessionStorage.length) found.push('sessionStorage');
            if ((await indexedDB.databases()).length) found.push('indexedDB');
            document.cookie = 'remembered=alice; path=/';
            localStorage.setItem('remembered', 'alice');
            sessionStorage.setItem('remembered', 'alice');
            await new Promise(done => { const r = indexedDB.open('remembered'); r.onsuccess = () => { r.result.close(); done(); }; r.onerror = done; });
            document.getElementById('view').innerHTML = `{{LoginPage("stores", form, error: null).Replace("`", "", StringComparison.Ordinal)}}`;
            document.querySelector('form').insertAdjacentHTML('beforeend', '<input type="hidden" name="seen" value="' + (found.join(',') || 'clean') + '">');
          })();
        </script>
        """);

    private static string OddPage(Dictionary<string, string> form) => Page("Odd", $"""
        <form method="post" action="/odd/login" id="f">
          <input id="who" name="username"  type="search">
          <input id="secret" name="password" type="text">
          {Hidden(form)}
        </form>
        <a id="go" href="#" onclick="document.getElementById('f').submit(); return false;">Onwards</a>
        """);

    /// <summary>Renders late, asks for the identifier, then the password, then posts JSON and moves on by script.</summary>
    private static string OieWidget(Dictionary<string, string> form) => Page("Sign In", $$"""
        <div id="okta-sign-in"></div>
        <script>
          const carry = {{System.Text.Json.JsonSerializer.Serialize(form.Where(kv => kv.Key is "redirect_uri" or "state" or "response_mode").ToDictionary(kv => kv.Key, kv => kv.Value))}};
          const root = document.getElementById('okta-sign-in');
          let identifier = '';
          function identify() {
            root.innerHTML = '<form class="o-form"><div class="o-form-error-container"></div><span>Username</span>'
              + '<input type="text" name="identifier" autocomplete="username">'
              + '<input class="button button-primary" type="submit" value="Next" data-type="save"></form>';
            root.querySelector('form').addEventListener('submit', e => {
              e.preventDefault();
              identifier = root.querySelector('[name=identifier]').value;
              setTimeout(challenge, 150);
            });
          }
          function challenge() {
            root.innerHTML = '<form class="o-form"><div class="o-form-error-container" role="alert"></div><span>Password</span>'
              + '<input type="password" name="credentials.passcode" autocomplete="current-password">'
              + '<input class="button button-primary" type="submit" value="Verify" data-type="save"></form>';
            root.querySelector('form').addEventListener('submit', async e => {
              e.preventDefault();
              const body = new URLSearchParams({ identifier, passcode: root.querySelector('[name="credentials.passcode"]').value, ...carry });
              const answer = await fetch('/oie/idp/idx/challenge/answer', { method: 'POST', body });
              const json = await answer.json();
              if (json.href) { window.location.href = json.href; }
              else { root.querySelector('.o-form-error-container').textContent = json.error; }
            });
          }
          setTimeout(identify, 300);
        </script>
        """);

    private static string Page(string title, string body) =>
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>{body}</body></html>";

    private static void Html(HttpListenerResponse response, string html) => Write(response, "text/html; charset=utf-8", html);

    private static void Redirect(HttpListenerResponse response, string location)
    {
        response.StatusCode = 302;
        response.Headers["Location"] = location;
        response.Close();
    }

    private static void Write(HttpListenerResponse response, string contentType, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
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
