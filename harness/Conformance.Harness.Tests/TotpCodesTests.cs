using Conformance.Harness.Login;
using Conformance.Harness.Target;
using OtpNet;

namespace Conformance.Harness.Tests;

/// <summary>
/// The harness's TOTP codes must be accepted by a server that allows one step of drift either way (RFC 6238 §5.2)
/// even when the flow takes seconds between computing the code and the server checking it.
/// </summary>
public class TotpCodesTests
{
    [TestCase(0, new long[] { 100, 101, 99 })]
    [TestCase(19, new long[] { 100, 101, 99 })]
    [TestCase(20, new long[] { 100, 101 })]
    [TestCase(29, new long[] { 100, 101 })]
    public void The_previous_step_is_offered_only_while_a_server_would_still_take_it(int secondsIntoStep, long[] steps) =>
        TotpCodes.Candidates((100 * 30) + secondsIntoStep).Should().Equal(steps);

    /// <summary>Every candidate, checked by a ±1-step server up to <see cref="TotpCodes.SafetySeconds"/> later, is accepted.</summary>
    [Test]
    public void Every_code_offered_is_still_valid_on_a_one_step_window_server_after_the_safety_margin()
    {
        var totp = new Totp(Base32Encoding.ToBytes("JBSWY3DPEHPK3PXP"));
        for (var t = 3000L; t < 3060; t++)
        {
            foreach (var step in TotpCodes.Candidates(t))
            {
                var code = totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * 30).UtcDateTime);
                var checkedAt = DateTimeOffset.FromUnixTimeSeconds(t + TotpCodes.SafetySeconds).UtcDateTime;
                totp.VerifyTotp(checkedAt, code, out _, new VerificationWindow(previous: 1, future: 1))
                    .Should().BeTrue($"the code of step {step} computed at {t} s must still be accepted at {t + TotpCodes.SafetySeconds} s");
            }
        }
    }

    [Test]
    public async Task Two_codes_in_a_row_for_one_user_are_never_the_same()
    {
        var user = new UserProfile($"totp-{Guid.NewGuid():N}", new Secret("env:P", "p"), new Secret("env:T", "JBSWY3DPEHPK3PXP"));

        var first = await TotpCodes.NextAsync(user);
        var second = await TotpCodes.NextAsync(user);

        second.Should().NotBe(first);
    }

    /// <summary>
    /// Once a user's codes of the current steps are spent, the next one waits for a new step (up to 30 s): that wait
    /// is reported to the check's deadline, so a flow is not cut short for being queued behind others of the same user.
    /// </summary>
    [Test]
    public async Task Waiting_for_a_new_step_is_reported_to_the_checks_deadline()
    {
        var user = new UserProfile($"totp-{Guid.NewGuid():N}", new Secret("env:P", "p"), new Secret("env:T", "JBSWY3DPEHPK3PXP"));
        var reported = TimeSpan.Zero;
        using (Http.RequestPacer.ObserveWaits(w => reported += w))
        {
            for (var i = 0; i < 4; i++)
            {
                await TotpCodes.NextAsync(user);
            }
        }

        reported.Should().BeGreaterThan(TimeSpan.FromMilliseconds(200), "at most three codes are available before a new step");
    }
}
