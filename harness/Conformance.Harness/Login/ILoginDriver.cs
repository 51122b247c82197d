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

    /// <summary>
    /// Like <see cref="NavigateAsync"/> (no credentials, nothing filled in), but a logout confirmation page is
    /// accepted, as RP-Initiated Logout 1.0 §2 lets the OP ask the user: its accepting button is pressed, never one
    /// that denies or cancels. Ends at the redirect to <paramref name="stopAt"/> (the post-logout redirect URI);
    /// any other page the server ends on fails with a <see cref="LoginFailedException"/> that describes it.
    /// </summary>
    Task<AuthorizationResponse> LogoutAsync(Uri start, Uri stopAt, CancellationToken ct = default);
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
public class LoginFailedException(string message) : Exception(message);

/// <summary>
/// The form driver met a page it cannot use without running its scripts: a JavaScript application that renders
/// the login (or logout) itself. Not a failure of the server: the browser driver is the one to use there, so
/// callers report the check as not applicable to the form driver.
/// </summary>
public sealed class ScriptLoginPageException(string message) : LoginFailedException(message);
