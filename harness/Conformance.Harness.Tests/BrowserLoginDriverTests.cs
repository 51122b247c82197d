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
    internal const string Password = "correct horse battery";
    internal const string TotpSecret = "JBSWY3DPEHPK3PXP";

    private static readonly UserProfile Alice = new("alice", new Secret("env:ALICE_PASSWORD", Password), null);
    private static readonly UserProfile Bob = new("bob", new Secret("env:BOB_PASSWORD", Password), new Secret("env:BOB_TOTP", TotpSecret));

    private BrowserLoginPages pages = null!;
    private HttpListener client = null!;
    private int clientHits;
    private string artifacts = null!;
    private BrowserSession? session;
    private string? unavailable;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        pages = new BrowserLoginPages();
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
    public async Task A_tab_given_back_by_a_user_agent_keeps_nothing_of_it_for_the_next_user_agent()
    {
        var driver = Driver();
        var first = driver.NewUserAgent();
        await first.AuthorizeAsync(Request("stores"), Alice);
        // The same user agent again: the page sees what it stored (the probe works, and a user agent keeps its state).
        await first.AuthorizeAsync(Request("stores"), Alice);
        await first.DisposeAsync();
        var reusedBefore = session!.TabsReused;

        var second = driver.NewUserAgent();
        var response = await second.AuthorizeAsync(Request("stores"), Alice);
        await second.DisposeAsync();

        response.Code.Should().Be("abc");
        pages.Seen.TakeLast(3).Should().Equal(["clean", "cookie,localStorage,sessionStorage,indexedDB", "clean"]);
        session.TabsReused.Should().Be(reusedBefore + 1, "the second user agent got the first one's tab, reset, not a new context");
    }

    [Test]
    public async Task A_password_form_still_shown_while_a_script_builds_the_signed_in_view_is_not_a_refusal()
    {
        var response = await TimedAsync("re-rendered after sign-in", () => Driver().AuthorizeAsync(Request("rerender"), Alice));

        response.Code.Should().Be("abc");
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
        pages.Decisions.Should().NotContain("deny").And.EndWith("allow");
    }

    /// <summary>
    /// The Okta Sign-In Widget keeps its code form on screen after a good code while its script goes through two
    /// redirects (4 s here): the form seen again, without an error, is not a refused code while redirects go on.
    /// </summary>
    [Test]
    public async Task A_script_code_form_that_stays_while_its_redirects_go_on_is_not_a_refusal()
    {
        var response = await TimedAsync("password, script TOTP, two slow redirects", () => Driver().AuthorizeAsync(Request("scriptcode"), Bob));

        response.Code.Should().Be("abc");
        response.State.Should().Be("xyz");
    }

    /// <summary>
    /// A user's codes are good once and few per 30-second step: a flow that has to wait for a fresh one (up to 30 s,
    /// here with a 5 s flow deadline) must not be cut short by its deadline while it waits.
    /// </summary>
    [Test]
    public async Task Waiting_for_a_fresh_one_time_code_does_not_run_the_flows_deadline()
    {
        var driver = new BrowserLoginDriver(Driver().Session, new LoginProfile(["browser"], new Dictionary<string, string>()), new Redactor(), artifacts, flowTimeout: TimeSpan.FromSeconds(5));
        for (var i = 0; i < 3; i++)
        {
            await TotpCodes.NextAsync(Bob);
        }

        var response = await TimedAsync("password, TOTP after a wait for a new step, consent", () => driver.AuthorizeAsync(Request("totp"), Bob));

        response.Code.Should().Be("abc");
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
    public async Task A_login_page_still_loading_is_not_taken_for_an_identifier_first_page()
    {
        // Seen on LemonLDAP::NG under load: the username input was parsed, the password input not yet, and the driver
        // sent the username alone.
        var response = await Driver().AuthorizeAsync(Request("chunked"), Alice);

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
        reason.Should().Contain("/nonexistent/chromium, which does not exist").And.Contain("to install one, run:");
    }
}
