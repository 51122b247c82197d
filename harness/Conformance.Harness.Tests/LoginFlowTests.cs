using Conformance.Harness.Http;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Harness.Tests;

/// <summary>
/// The same flows through the form driver and the browser driver (<see cref="LoginTestServer"/>): consent whose
/// only control is Continue, LemonLDAP::NG's forms, identifier first, and logout confirmations through
/// <see cref="IUserAgent.LogoutAsync"/>. Browser cases are ignored, with the reason, when Chromium is missing.
/// </summary>
[NonParallelizable]
public class LoginFlowTests
{
    private static readonly UserProfile Alice = new("alice", new Secret("env:ALICE_PASSWORD", LoginTestServer.Password), null);
    private static readonly Uri Callback = new("https://app.test/callback");
    private static readonly Uri SignedOut = new("https://app.test/signed-out");

    private LoginTestServer server = null!;
    private HarnessHttp http = null!;
    private BrowserSession? session;
    private string? unavailable;
    private string artifacts = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        server = new LoginTestServer();
        http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), TimeSpan.FromSeconds(10));
        artifacts = Path.Combine(Path.GetTempPath(), "conformance-login-flow-tests-" + Guid.NewGuid().ToString("N")[..8]);
        (session, unavailable) = await BrowserSession.TryStartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (session is not null)
        {
            await session.DisposeAsync();
        }

        http.Dispose();
        server.Dispose();
        if (Directory.Exists(artifacts))
        {
            Directory.Delete(artifacts, recursive: true);
        }
    }

    private ILoginDriver Driver(string name)
    {
        var login = new LoginProfile([name], new Dictionary<string, string>());
        if (name == "form")
        {
            return new FormLoginDriver(http, login);
        }

        if (session is null)
        {
            Assert.Ignore(unavailable ?? "Chromium is unavailable");
        }

        return new BrowserLoginDriver(session!, login, new Redactor(), artifacts);
    }

    private AuthorizationRequest Request(string flow, string? responseMode = null) => new()
    {
        Endpoint = new Uri(server.Base, $"{flow}/authorize"),
        ClientId = "web-app",
        RedirectUri = Callback,
        State = "xyz",
        ResponseMode = responseMode,
    };

    private Uri Logout(string flow, string state) =>
        new(server.Base, $"{flow}/logout?id_token_hint=eyJ.hint.sig&post_logout_redirect_uri={Uri.EscapeDataString(SignedOut.AbsoluteUri)}&state={state}");

    private List<string> Decisions(string flow) =>
        server.Decisions.Where(d => d.StartsWith(flow + ":", StringComparison.Ordinal)).Select(d => d[(flow.Length + 1)..]).ToList();

    [TestCase("form")]
    [TestCase("browser")]
    public async Task A_consent_page_whose_only_control_is_Continue_is_accepted(string driver)
    {
        var before = Decisions("continue").Count;

        var response = await Driver(driver).AuthorizeAsync(Request("continue"), Alice);

        response.Code.Should().Be("abc");
        response.State.Should().Be("xyz");
        Decisions("continue").Should().HaveCount(before + 1);
    }

    [TestCase("form")]
    [TestCase("browser")]
    public async Task An_interstitial_whose_only_control_is_Next_is_passed_with_its_button(string driver)
    {
        var response = await Driver(driver).AuthorizeAsync(Request("next"), Alice);

        response.Code.Should().Be("abc");
        Decisions("next").Should().Contain("Next");
    }

    [TestCase("form")]
    [TestCase("browser")]
    public async Task LemonLDAP_forms_post_back_to_the_page_with_its_query_and_consent_keeps_the_hidden_decision(string driver)
    {
        var before = Decisions("llng").Count;

        var response = await Driver(driver).AuthorizeAsync(Request("llng"), Alice);

        response.Code.Should().Be("abc", "the login and the consent were posted to the authorize URL, query included, and Accept was chosen");
        Decisions("llng").Skip(before).Should().Equal(LoginTestServer.ConfirmKey);
    }

    [TestCase("form")]
    [TestCase("browser")]
    public async Task Identifier_first_pages_are_answered_in_turn(string driver)
    {
        var response = await Driver(driver).AuthorizeAsync(Request("idf"), Alice);

        response.Code.Should().Be("abc");
    }

    [TestCase("form")]
    [TestCase("browser")]
    public async Task A_script_application_is_for_the_browser_driver_only(string driver)
    {
        var act = () => Driver(driver).AuthorizeAsync(Request("app"), Alice);

        if (driver == "form")
        {
            var failure = (await act.Should().ThrowAsync<ScriptLoginPageException>()).Which;
            failure.Should().BeAssignableTo<LoginFailedException>("callers that know only LoginFailedException still catch it");
            failure.Message.Should().StartWith($"the login page at {new Uri(server.Base, "app/authorize?")}").And.EndWith(" is a script application; use the browser driver");
            return;
        }

        (await act()).Code.Should().Be("abc");
    }

    // The browser's form_post flow is BrowserLoginDriverTests' own.
    [TestCase("form")]
    public async Task A_form_post_response_is_read(string driver)
    {
        var response = await Driver(driver).AuthorizeAsync(Request("fp", "form_post"), Alice);

        response.ResponseMode.Should().Be("form_post");
        response.Code.Should().Be("abc");
    }

    [TestCase("form")]
    [TestCase("browser")]
    public async Task Logout_accepts_LemonLDAPs_confirmation_with_its_hidden_decision_unchanged(string driver)
    {
        await using var agent = Driver(driver).NewUserAgent();

        var response = await agent.LogoutAsync(Logout("llng", "lo-" + driver), SignedOut);

        response.State.Should().Be("lo-" + driver);
        Decisions("llng-logout").Should().Contain(LoginTestServer.ConfirmKey).And.NotContain(d => d.StartsWith('-'));
    }

    [TestCase("form")]
    [TestCase("browser")]
    public async Task Logout_presses_a_lone_Logout_button(string driver)
    {
        await using var agent = Driver(driver).NewUserAgent();

        var response = await agent.LogoutAsync(Logout("kc", "kc-" + driver), SignedOut);

        response.State.Should().Be("kc-" + driver);
    }

    /// <summary>After the confirmation, a script page that runs front-channel logout first redirects late; the browser waits for it.</summary>
    [Test]
    public async Task Logout_waits_for_a_script_page_that_redirects_after_its_front_channel_logout()
    {
        await using var agent = Driver("browser").NewUserAgent();

        var response = await agent.LogoutAsync(Logout("fclo", "fc-browser"), SignedOut);

        response.State.Should().Be("fc-browser");
    }

    [TestCase("form")]
    [TestCase("browser")]
    public async Task Logout_answers_yes_and_never_no(string driver)
    {
        await using var agent = Driver(driver).NewUserAgent();

        var response = await agent.LogoutAsync(Logout("yesno", "yn-" + driver), SignedOut);

        response.State.Should().Be("yn-" + driver);
        Decisions("yesno").Should().OnlyContain(d => d == "yes");
    }

    [TestCase("form")]
    [TestCase("browser")]
    public async Task Navigate_does_not_confirm_a_logout(string driver)
    {
        await using var agent = Driver(driver).NewUserAgent();
        var before = Decisions("kc").Count;

        var act = () => agent.NavigateAsync(Logout("kc", "nav"), SignedOut);

        (await act.Should().ThrowAsync<LoginFailedException>()).Which.Message.Should().Contain("showed a page").And.Contain("Do you want to log out?");
        Decisions("kc").Should().HaveCount(before, "navigating observes; it answers nothing");
    }

    [TestCase("form")]
    [TestCase("browser")]
    public async Task Logout_fails_describing_the_page_when_no_redirect_follows_the_confirmation(string driver)
    {
        await using var agent = Driver(driver).NewUserAgent();

        var act = () => agent.LogoutAsync(Logout("gone", "g"), SignedOut);

        (await act.Should().ThrowAsync<LoginFailedException>()).Which.Message
            .Should().Contain("after the logout was confirmed").And.Contain("You have been signed out");
        Decisions("gone").Should().Contain("Logout");
    }
}
