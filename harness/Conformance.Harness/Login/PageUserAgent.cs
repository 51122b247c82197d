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

    public abstract ValueTask DisposeAsync();

    /// <summary>Follows the server from <paramref name="start"/> to a redirect to <paramref name="stopAt"/>, answering the pages <paramref name="task"/> may act on.</summary>
    private protected abstract Task<AuthorizationResponse> RunAsync(Uri start, Uri stopAt, UserProfile? user, UserAgentTask task, CancellationToken ct);
}
