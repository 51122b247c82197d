using System.Diagnostics;
using Conformance.Harness.Http;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using Conformance.ReferenceIssuer;

namespace Conformance.Checks.Tests;

/// <summary>
/// The preflight against the embedded reference issuer: every user logs in with every driver on every server
/// before any check, and a login that cannot succeed stops the run in seconds with one plain message.
/// </summary>
[Category("preflight")]
public sealed class PreflightTests
{
    private const string WrongPassword = "not-alices-password-9f2b";

    private static async Task<(PreflightReport Report, TimeSpan Took)> RunAsync(Func<string, string?, string?> environment, bool oneTimeCodeUsers = true, bool formOnly = false)
    {
        await using var issuer = await EmbeddedIssuer.StartAsync(new HashSet<string>(), new HashSet<string>());
        var (target, http) = await CatalogueRun.ConnectAsync(issuer, name => environment(name, issuer.Environment(name)));
        using var owned = http;
        var profile = target.Profile;
        var drivers = new Dictionary<string, ILoginDriver> { ["form"] = new FormLoginDriver(http, profile.Login) };
        if (!formOnly)
        {
            drivers["okta-authn"] = new OktaAuthnLoginDriver(http, profile.Login);
        }

        var clock = Stopwatch.StartNew();
        var report = await Preflight.RunAsync(target, drivers, oneTimeCodeUsers: oneTimeCodeUsers);
        return (report, clock.Elapsed);
    }

    [Test]
    public async Task Every_user_logs_in_with_every_driver_on_every_server()
    {
        var (report, _) = await RunAsync((_, value) => value);

        report.Passed.Should().BeTrue(report.Summary());
        report.Logins.Should().Be((2 * 3) + 3, "alice with two drivers on three servers; bob, carol and dave, who have a TOTP factor, once each");
        report.Summary().Should().StartWith("preflight: 9 logins succeeded")
            .And.Contain("bob@example.test (one-time codes) logs in with the form driver only")
            .And.Contain("bob@example.test (one-time codes) logs in on 'org' only with the form driver");
    }

    [Test]
    public async Task A_driver_checked_on_first_use_leaves_the_one_time_code_users_to_the_first_driver()
    {
        // The suites check the drivers other than the catalogue's on their first use, mid-run: a one-time code
        // spent there is one an MFA flow of the same 30-second step would wait for.
        var (report, _) = await RunAsync((_, value) => value, oneTimeCodeUsers: false, formOnly: true);

        report.Passed.Should().BeTrue(report.Summary());
        report.Logins.Should().Be(3, "alice on three servers; bob, carol and dave logged in with the first driver already");
        report.Summary().Should().Contain("bob@example.test (one-time codes) logged in with the run's first driver, not again here");
    }

    [Test]
    public async Task A_wrong_password_stops_the_run_in_seconds_naming_user_server_driver_and_the_answer_without_the_password()
    {
        var (report, took) = await RunAsync((name, value) => name == "REFERENCE_PASSWORD_ALICE" ? WrongPassword : value);

        report.Passed.Should().BeFalse();
        TestContext.Out.WriteLine($"preflight took {took.TotalSeconds:0.0} s");
        report.Failures.Select(f => (f.User, f.Driver)).Distinct().Should().BeEquivalentTo(new[] { ("alice@example.test", "form"), ("alice@example.test", "okta-authn") });
        report.Failures.Should().OnlyContain(f => f.Server == "org", "a refused login stops that user and driver: the other servers are not tried");
        report.Failures.Single(f => f.Driver == "form").ToString().Should().StartWith("user alice@example.test could not log in on 'org' with the form driver: ")
            .And.Contain("refused");
        report.Summary().Should().MatchRegex(@"Preflight failed in [0-9.]+ s: 2 of 5 logins did not succeed")
            .And.Contain("(alice@example.test with the form driver was not tried on 'default', 'second' after that)").And.NotContain(WrongPassword);
        TestContext.Out.WriteLine(report.Summary());
    }
}
