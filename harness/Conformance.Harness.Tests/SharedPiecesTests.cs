using System.Net.Sockets;
using Conformance.Harness.Http;
using Conformance.Harness.Login;
using Conformance.Harness.Target;

namespace Conformance.Harness.Tests;

/// <summary>
/// The pieces the drivers and transports share since the duplicates were folded: a cause of a failed exchange reads
/// the same from every path, and a login step repeated after the server answered it ends the flow the same way in
/// both page drivers.
/// </summary>
public class SharedPiecesTests
{
    private static readonly UserProfile Alice = new("alice", new Secret("env:P", "p"), null);

    [Test]
    public void A_transport_failure_reads_the_same_whoever_met_it()
    {
        var refused = new HttpRequestException("x", new SocketException((int)SocketError.ConnectionRefused));
        TransportFailure.Reason(refused).Should().Be("connection refused (nothing listens on that port)");
        TransportFailure.Reason(new TaskCanceledException(), TimeSpan.FromSeconds(1.5)).Should().Be("no response within 1.5 s");
        TransportFailure.Reason(new TimeoutException()).Should().Be(TransportFailure.NoResponse);
        TransportFailure.Reason(new InvalidOperationException()).Should().BeNull();
        TransportFailure.Unreachable("GET http://x/", refused).Message.Should().Be("GET http://x/: connection refused (nothing listens on that port)");
    }

    [Test]
    public void The_harness_own_verdict_and_the_callers_cancellation_go_up_unchanged()
    {
        var tooLarge = new ResponseTooLargeException("http://x/", 10, 11, null);
        TransportFailure.Unreachable("GET http://x/", tooLarge).Should().BeSameAs(tooLarge);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        TransportFailure.Is(new TaskCanceledException(), cancelled.Token).Should().BeFalse();
        TransportFailure.Is(new TaskCanceledException(), CancellationToken.None).Should().BeTrue();
    }

    [Test]
    public void A_step_the_server_answered_once_is_a_refusal_when_its_page_comes_back()
    {
        var progress = new LoginProgress(Alice);
        progress.Stuck(LoginPageKind.Password).Should().BeFalse();
        progress.Took(LoginPageKind.Password);
        progress.Stuck(LoginPageKind.Password).Should().BeTrue();
        progress.Failure(LoginPageKind.Password, "at http://x/ (title 'Sign in')").Message
            .Should().Be("the login page at http://x/ (title 'Sign in') was shown again after the credentials were sent: the user 'alice' was refused");
        progress.Stuck(LoginPageKind.OneTimeCode).Should().BeTrue("alice has no TOTP secret");
        progress.Failure(LoginPageKind.OneTimeCode, "at http://x/").Message.Should().Contain("has no totpSecret");
    }

    [Test]
    public void Decision_pages_are_accepted_a_bounded_number_of_times()
    {
        var progress = new LoginProgress(null);
        for (var i = 0; i < LoginPageInterpreter.MaxAcceptances; i++)
        {
            progress.Stuck(LoginPageKind.Consent).Should().BeFalse();
            progress.Took(LoginPageKind.Consent);
        }

        progress.Acceptances.Should().Be(LoginPageInterpreter.MaxAcceptances);
        progress.Stuck(LoginPageKind.Consent).Should().BeTrue();
    }
}
