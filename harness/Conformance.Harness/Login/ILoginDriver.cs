using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Harness.Login;

/// <summary>A way of getting a user through the issuer's front channel: form (HTTP), browser, okta-authn.</summary>
public interface ILoginDriver
{
    string Name { get; }

    /// <summary>A fresh user agent: no cookies, no session. One per flow, so checks never share a login.</summary>
    IUserAgent NewUserAgent();
}

/// <summary>
/// One user agent's session with the issuer. It never calls the client's redirect URI: it stops when the
/// server redirects there and hands back what was sent.
/// </summary>
public interface IUserAgent : IAsyncDisposable
{
    /// <summary>Sends the authorization request, logging the user in and consenting when the server asks.</summary>
    Task<AuthorizationResponse> AuthorizeAsync(AuthorizationRequest request, UserProfile user, CancellationToken ct = default);

    /// <summary>Follows the server from <paramref name="start"/> until it redirects to <paramref name="stopAt"/>, filling in nothing.</summary>
    Task<AuthorizationResponse> NavigateAsync(Uri start, Uri stopAt, CancellationToken ct = default);
}

public static class LoginDriverExtensions
{
    /// <summary>One authorization request in a fresh user agent.</summary>
    public static async Task<AuthorizationResponse> AuthorizeAsync(this ILoginDriver driver, AuthorizationRequest request, UserProfile user, CancellationToken ct = default)
    {
        await using var agent = driver.NewUserAgent();
        return await agent.AuthorizeAsync(request, user, ct).ConfigureAwait(false);
    }
}

/// <summary>The login could not be completed: the page was not understood, or the server refused the user.</summary>
public sealed class LoginFailedException(string message) : Exception(message);
