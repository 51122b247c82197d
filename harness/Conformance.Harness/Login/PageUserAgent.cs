using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Harness.Login;

/// <summary>
/// A user agent that drives the issuer's pages itself (the form and browser drivers). The three tasks of
/// <see cref="IUserAgent"/> are one walk from a start URL to the redirect to a stop URL, differing only in what
/// the walk may answer on the way (see <see cref="UserAgentTask"/>), so they are mapped onto that walk here once.
/// </summary>
public abstract class PageUserAgent : IUserAgent
{
    // Only the harness's own drivers derive from it: the walk's contract is internal.
    private protected PageUserAgent()
    {
    }

    public Task<AuthorizationResponse> AuthorizeAsync(AuthorizationRequest request, UserProfile user, CancellationToken ct = default) =>
        RunAsync(request.ToUri(), request.RedirectUri, user, UserAgentTask.Authorize, ct);

    public Task<AuthorizationResponse> NavigateAsync(Uri start, Uri stopAt, CancellationToken ct = default) =>
        RunAsync(start, stopAt, null, UserAgentTask.Navigate, ct);

    public Task<AuthorizationResponse> LogoutAsync(Uri start, Uri stopAt, CancellationToken ct = default) =>
        RunAsync(start, stopAt, null, UserAgentTask.Logout, ct);

    /// <summary>
    /// RFC 8628 §3.3: the user opens the verification URI (verification_uri_complete carries the user code), signs in
    /// and allows the device. Servers end the step on a page of their own ("device activated"), not a redirect the
    /// harness could name, so the walk ends where nothing is left to do; whether it worked is the token endpoint's
    /// to say. Returns how the walk ended, for the check's evidence.
    /// </summary>
    public async Task<string> VerifyDeviceAsync(Uri verificationUri, UserProfile user, CancellationToken ct = default)
    {
        try
        {
            await RunAsync(verificationUri, NoRedirect, user, UserAgentTask.Authorize, ct).ConfigureAwait(false);
            return "the verification page redirected the user agent away";
        }
        catch (LoginFailedException e) when (e is not ScriptLoginPageException)
        {
            return e.Message;
        }
    }

    /// <summary>A stop URL no server redirects to: the device verification walk ends on a page instead.</summary>
    private static readonly Uri NoRedirect = new("urn:conformance:device-verification-ends-on-a-page");

    public abstract ValueTask DisposeAsync();

    /// <summary>Follows the server from <paramref name="start"/> to a redirect to <paramref name="stopAt"/>, answering the pages <paramref name="task"/> may act on.</summary>
    private protected abstract Task<AuthorizationResponse> RunAsync(Uri start, Uri stopAt, UserProfile? user, UserAgentTask task, CancellationToken ct);
}
