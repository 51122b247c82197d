using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Harness.Login;

/// <summary>
/// Takes an authorization request to the point where the server redirects back to the client, logging the
/// user in on the way, and hands back what was sent to the redirect URI. It never calls the redirect URI.
/// </summary>
public interface ILoginDriver
{
    string Name { get; }

    Task<AuthorizationResponse> AuthorizeAsync(AuthorizationRequest request, UserProfile user, CancellationToken ct = default);
}

/// <summary>The login could not be completed: the page was not understood, or the server refused the user.</summary>
public sealed class LoginFailedException(string message) : Exception(message);
