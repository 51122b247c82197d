using Conformance.Harness.Http;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using Conformance.ReferenceIssuer;

namespace Conformance.Checks.Tests;

/// <summary>
/// The browser login driver, with its default Okta selectors, through the real Okta Sign-In Widget (classic build) that
/// the reference issuer serves, on every server, for a password-only user and for the user with a TOTP factor. The
/// issuer runs as "widget-only": no fallback form exists, so a code proves the widget signed the user in.
/// </summary>
[Category("browser")]
[NonParallelizable]
public sealed class WidgetBrowserLoginTests
{
    private ReferenceIssuerHost? host;
    private ConnectedTarget? target;
    private HarnessHttp? http;
    private BrowserSession? session;
    private string? unavailable;
    private readonly string artifacts = Path.Combine(Path.GetTempPath(), "conformance-widget-tests-" + Guid.NewGuid().ToString("N")[..8]);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        host = await ReferenceIssuerHost.StartAsync(new ReferenceIssuerOptions { LoginPage = "widget-only" });
        var profile = TargetProfileLoader.LoadFile(
            Path.Combine(AppContext.BaseDirectory, "profiles", "reference.json"),
            name => SeedSecrets.Find(host.Seed, name),
            new Dictionary<string, string> { ["embedded"] = host.BaseUrl.GetLeftPart(UriPartial.Authority) });
        http = new HarnessHttp(Redactor.ForProfile(profile), new EvidenceRecorder(), profile.Options.Timeout, profile.Options.MaxConcurrency, profile.Options.Pacing, profile.Options.MaxBodyMegabytes);
        target = await ConnectedTarget.ConnectAsync(profile, http);
        (session, unavailable) = await BrowserSession.TryStartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (session is not null) await session.DisposeAsync();
        http?.Dispose();
        if (host is not null) await host.DisposeAsync();
        if (Directory.Exists(artifacts)) Directory.Delete(artifacts, recursive: true);
    }

    // Bob's one-time codes: each login waits for a fresh 30 s window (RFC 6238 §5.2), so his three logins take a minute or more.
    [TestCase("org", 0)]
    [TestCase("default", 0)]
    [TestCase("second", 0)]
    [TestCase("org", 1)]
    [TestCase("default", 1)]
    [TestCase("second", 1)]
    public async Task The_browser_driver_signs_in_through_the_widget_and_gets_a_code(string serverName, int userIndex)
    {
        if (session is null) Assert.Ignore($"not applicable: {unavailable}");
        var user = target!.Profile.Users[userIndex];
        var server = target.Server(serverName);
        var client = target.Profile.Client("web")!;
        var driver = new BrowserLoginDriver(session!, target.Profile.Login, http!.Redactor, artifacts, http.Recorder, TimeSpan.FromSeconds(90));
        using var scope = http.Recorder.BeginScope(TestContext.CurrentContext.Test.FullName);
        var request = new OAuthClient(http, server, client).AuthorizationRequest("openid profile").WithPkce(CodeVerifier.New());

        var response = await driver.AuthorizeAsync(request, user);

        response.Error.Should().BeNull(response.ErrorDescription);
        response.Code.Should().NotBeNull();
        response.State.Should().Be(request.State, "the widget returned to the original authorization request");
        var pages = scope.Exchanges.Select(e => e.Url).ToList();
        TestContext.Out.WriteLine(string.Join(Environment.NewLine, scope.Exchanges.Select(e => e.Summary)));
        scope.Exchanges.Should().Contain(e => e.Url.Contains("/login?", StringComparison.Ordinal) && e.ResponseBody != null && e.ResponseBody.Contains("okta-sign-in.classic.min.js"),
            "the login page was the Okta Sign-In Widget");
        pages.Should().Contain(p => p.Contains("/login/sessionCookieRedirect", StringComparison.Ordinal),
            "the widget completed with setCookieAndRedirect, as Okta's hosted page does");
    }

    [Test]
    public async Task A_wrong_password_in_the_widget_is_reported_as_refused_in_seconds()
    {
        if (session is null) Assert.Ignore($"not applicable: {unavailable}");
        var alice = target!.Profile.Users[0];
        var wrong = alice with { Password = new Secret("env:WRONG_PASSWORD", "not-alices-password-9f2b") };
        var driver = new BrowserLoginDriver(session!, target.Profile.Login, http!.Redactor, artifacts, null, TimeSpan.FromSeconds(60));
        var request = new OAuthClient(http, target.Server("default"), target.Profile.Client("web")!).AuthorizationRequest().WithPkce(CodeVerifier.New());
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var failure = await FluentActions.Awaiting(() => driver.AuthorizeAsync(request, wrong)).Should().ThrowAsync<LoginFailedException>();

        TestContext.Out.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {failure.Which.Message}");
        failure.Which.Message.Should().Contain("Unable to sign in", "the widget's own error (Okta's E0000004 summary) is what the driver reports");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(45), "a refusal is read from the page, not waited out");
    }

    [Test]
    public async Task The_form_driver_reports_the_widget_only_page_as_a_script_application()
    {
        var driver = new FormLoginDriver(http!, target!.Profile.Login);
        var request = new OAuthClient(http!, target.Server("org"), target.Profile.Client("web")!).AuthorizationRequest().WithPkce(CodeVerifier.New());

        var failure = await FluentActions.Awaiting(() => driver.AuthorizeAsync(request, target.Profile.Users[0])).Should().ThrowAsync<ScriptLoginPageException>();

        failure.Which.Message.Should().Contain("script application").And.Contain("use the browser driver");
    }
}
