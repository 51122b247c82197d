using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using Conformance.Harness.Http;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using OtpNet;

namespace Conformance.Harness.Tests;

/// <summary>
/// The browser login driver against tiny login pages served on 127.0.0.1: a plain form, form_post, a TOTP page
/// followed by consent, and an Okta-Identity-Engine-like identifier-first widget. One Chromium for the fixture;
/// every test is ignored, with the reason, when Chromium is not installed.
/// </summary>
[NonParallelizable]
public class BrowserLoginDriverTests
{
    private const string Password = "correct horse battery";
    private const string TotpSecret = "JBSWY3DPEHPK3PXP";

    private static readonly UserProfile Alice = new("alice", new Secret("env:ALICE_PASSWORD", Password), null);
    private static readonly UserProfile Bob = new("bob", new Secret("env:BOB_PASSWORD", Password), new Secret("env:BOB_TOTP", TotpSecret));

    private LoginPages pages = null!;
    private HttpListener client = null!;
    private int clientHits;
    private string artifacts = null!;
    private BrowserSession? session;
    private string? unavailable;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        pages = new LoginPages();
        client = LoginTestServer.Listen(out var clientPort);
        ClientBase = new Uri($"http://127.0.0.1:{clientPort}/");
        _ = Task.Run(async () =>
        {
            while (client.IsListening)
            {
                try
                {
                    var context = await client.GetContextAsync();
                    Interlocked.Increment(ref clientHits);
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        });

        artifacts = Path.Combine(Path.GetTempPath(), "conformance-browser-tests-" + Guid.NewGuid().ToString("N")[..8]);
        (session, unavailable) = await BrowserSession.TryStartAsync();
        if (session is not null)
        {
            TestContext.Progress.WriteLine($"Chromium {session.Version} at {session.ExecutablePath} started in {session.StartTime.TotalMilliseconds:0} ms");
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (session is not null)
        {
            await session.DisposeAsync();
        }

        pages.Dispose();
        client.Stop();
        client.Close();
        // CONFORMANCE_KEEP_BROWSER_ARTIFACTS=1 keeps the screenshots and traces of the failure tests for a look.
        if (Directory.Exists(artifacts) && Environment.GetEnvironmentVariable("CONFORMANCE_KEEP_BROWSER_ARTIFACTS") is null)
        {
            Directory.Delete(artifacts, recursive: true);
        }
    }

    private Uri ClientBase { get; set; } = null!;

    private BrowserLoginDriver Driver(IReadOnlyDictionary<string, string>? selectors = null, EvidenceRecorder? recorder = null, Redactor? redactor = null)
    {
        if (session is null)
        {
            Assert.Ignore(unavailable ?? "Chromium is unavailable");
        }

        return new BrowserLoginDriver(session!, new LoginProfile(["browser"], selectors ?? new Dictionary<string, string>()), redactor ?? new Redactor(), artifacts, recorder);
    }

    private AuthorizationRequest Request(string flow, string redirectUri = "https://app.test/callback", string? responseMode = null) => new()
    {
        Endpoint = new Uri(pages.Base, $"{flow}/authorize"),
        ClientId = "web-app",
        RedirectUri = new Uri(redirectUri),
        State = "xyz",
        ResponseMode = responseMode,
    };

    private static async Task<AuthorizationResponse> TimedAsync(string name, Func<Task<AuthorizationResponse>> flow)
    {
        var clock = Stopwatch.StartNew();
        var response = await flow();
        TestContext.Progress.WriteLine($"{name}: {clock.ElapsedMilliseconds} ms");
        return response;
    }

    [Test]
    public async Task A_plain_login_form_ends_in_the_redirect_with_code_and_state_and_the_client_is_never_called()
    {
        var driver = Driver();
        var fake = await TimedAsync("plain form, https://app.test", () => driver.AuthorizeAsync(Request("basic"), Alice));
        var local = await TimedAsync("plain form, local client", () => driver.AuthorizeAsync(Request("basic", new Uri(ClientBase, "callback").AbsoluteUri), Alice));

        fake.ResponseMode.Should().Be("query");
        fake.Code.Should().Be("abc");
        fake.State.Should().Be("xyz");
        local.Code.Should().Be("abc");
        Volatile.Read(ref clientHits).Should().Be(0, "the redirect to the client is read, never followed");
    }

    [Test]
    public async Task The_fragment_of_a_redirect_is_read()
    {
        var response = await Driver().AuthorizeAsync(Request("basic", responseMode: "fragment"), Alice);

        response.ResponseMode.Should().Be("fragment");
        response.Code.Should().Be("abc");
        response.State.Should().Be("xyz");
    }

    [Test]
    public async Task A_form_post_response_is_read_from_the_post_to_the_redirect_uri()
    {
        var response = await TimedAsync("form_post", () => Driver().AuthorizeAsync(Request("basic", new Uri(ClientBase, "callback").AbsoluteUri, "form_post"), Alice));

        response.ResponseMode.Should().Be("form_post");
        response.Code.Should().Be("abc");
        response.State.Should().Be("xyz");
        Volatile.Read(ref clientHits).Should().Be(0);
    }

    [Test]
    public async Task A_one_time_code_page_gets_a_current_totp_and_the_consent_page_is_allowed()
    {
        var response = await TimedAsync("password, TOTP, consent", () => Driver().AuthorizeAsync(Request("totp"), Bob));

        response.Code.Should().Be("abc");
        response.State.Should().Be("xyz");
        pages.Decisions.Should().ContainSingle().Which.Should().Be("allow");
    }

    [Test]
    public async Task An_identity_engine_like_widget_is_answered_identifier_first_and_a_custom_scheme_redirect_is_read()
    {
        var response = await TimedAsync("identifier first, custom scheme", () => Driver().AuthorizeAsync(Request("oie", "com.example.conformance:/callback"), Alice));

        response.Code.Should().Be("abc");
        response.State.Should().Be("xyz");
    }

    [Test]
    public async Task Configured_selectors_drive_a_page_the_guesses_do_not_understand()
    {
        var selectors = new Dictionary<string, string>
        {
            ["username"] = "#who",
            ["password"] = "#secret",
            ["submit"] = "#go",
        };

        var response = await Driver(selectors).AuthorizeAsync(Request("odd"), Alice);

        response.Code.Should().Be("abc");
    }

    [Test]
    public async Task A_refused_password_fails_with_a_screenshot_and_a_trace_that_holds_no_secret()
    {
        var wrong = new UserProfile("alice", new Secret("env:WRONG", "wrong-Pa$$ word&1"), null);

        var act = () => Driver().AuthorizeAsync(Request("basic"), wrong);

        var failure = (await act.Should().ThrowAsync<LoginFailedException>()).Which;
        failure.Message.Should().Contain("refused").And.Contain("alice").And.NotContain("wrong-Pa$$").And.NotContain("   at ");
        var screenshot = System.Text.RegularExpressions.Regex.Match(failure.Message, @"screenshot (\S+\.png)").Groups[1].Value;
        var trace = System.Text.RegularExpressions.Regex.Match(failure.Message, @"trace (\S+\.zip)").Groups[1].Value;
        File.Exists(screenshot).Should().BeTrue(failure.Message);
        File.Exists(trace).Should().BeTrue(failure.Message);
        TestContext.Progress.WriteLine(failure.Message);
        using var zip = ZipFile.OpenRead(trace);
        zip.Entries.Should().NotBeEmpty();
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var text = await reader.ReadToEndAsync();
            text.Should().NotContain("wrong-Pa$$", entry.FullName).And.NotContain("wrong-Pa%24%24", entry.FullName);
        }

        Directory.GetFiles(Path.Combine(artifacts, "browser")).Should().OnlyContain(f => f.EndsWith(".png") || f.EndsWith(".trace.zip"), "nothing raw is kept");
        Directory.GetFiles(session!.TraceScratchDirectory, "flow-*").Should().BeEmpty("the raw trace files of a finished flow are deleted");
        foreach (var file in Directory.GetFiles(session.TraceScratchDirectory, "*", SearchOption.AllDirectories))
        {
            (await File.ReadAllTextAsync(file)).Should().NotContain("wrong-Pa$$", file).And.NotContain("wrong-Pa%24%24", file);
        }
    }

    [Test]
    public async Task Navigate_returns_a_redirect_and_fails_fast_on_a_page()
    {
        await using var agent = Driver().NewUserAgent();
        var silent = Request("basic") with { Prompt = "none" };

        var response = await agent.NavigateAsync(silent.ToUri(), silent.RedirectUri);
        var clock = Stopwatch.StartNew();
        var act = () => agent.NavigateAsync(Request("basic").ToUri(), silent.RedirectUri);

        response.Error.Should().Be("login_required");
        response.State.Should().Be("xyz");
        (await act.Should().ThrowAsync<LoginFailedException>()).Which.Message.Should().Contain("showed a page");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(8));
    }

    [Test]
    public async Task Pages_are_recorded_as_redacted_evidence_of_the_running_check()
    {
        var recorder = new EvidenceRecorder();
        using var scope = recorder.BeginScope("AUTHZ-test");

        await Driver(recorder: recorder).AuthorizeAsync(Request("basic"), Alice);

        var exchanges = scope.Exchanges;
        exchanges.Should().Contain(e => e.Method == "POST" && e.Url.EndsWith("/basic/login", StringComparison.Ordinal) && e.Status == 302);
        exchanges.Should().Contain(e => e.Status == 200 && e.ResponseBody != null && e.ResponseBody.Contains("type=\"password\"", StringComparison.Ordinal));
        exchanges.Select(e => e.ToString()).Should().NotContain(s => s.Contains(Password, StringComparison.Ordinal) || s.Contains("correct+horse", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_missing_chromium_is_reported_not_thrown()
    {
        var (missing, reason) = await BrowserSession.TryStartAsync("/nonexistent/chromium");

        missing.Should().BeNull();
        reason.Should().Contain("/nonexistent/chromium").And.Contain("scripts/install-chromium.sh");
    }

    /// <summary>The issuer side: login pages on a loopback HttpListener.</summary>
    private sealed class LoginPages : IDisposable
    {
        private readonly HttpListener listener;

        public LoginPages()
        {
            listener = LoginTestServer.Listen(out var port);
            Base = new Uri($"http://127.0.0.1:{port}/");
            _ = Task.Run(LoopAsync);
        }

        public Uri Base { get; }

        public ConcurrentDictionary<string, int> Hits { get; } = new();

        public ConcurrentQueue<string> Decisions { get; } = new();

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
                case ("GET", "/authorize") when flow == "odd":
                    Html(response, OddPage(form));
                    return;
                case ("GET", "/authorize"):
                    Html(response, LoginPage(flow, form, error: null));
                    return;
                case ("POST", "/login"):
                    if (form.GetValueOrDefault("username") != "alice" && form.GetValueOrDefault("username") != "bob"
                        || form.GetValueOrDefault("password") != Password)
                    {
                        Html(response, LoginPage(flow, form, error: "Invalid username or password."));
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
                case ("POST", "/otp"):
                    var valid = new Totp(Base32Encoding.ToBytes(TotpSecret)).VerifyTotp(form.GetValueOrDefault("otp") ?? "", out _, new VerificationWindow(1, 1));
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
                    var ok = form.GetValueOrDefault("identifier") == "alice" && form.GetValueOrDefault("passcode") == Password;
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
}
