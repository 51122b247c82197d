using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks;

/// <summary>A pushed authorization request (RFC 9126 §2.1) and the server's answer.</summary>
public sealed record PushedRequest(AuthorizationRequest Request, RawResponse Response)
{
    /// <summary>The request_uri of a successful push, or null.</summary>
    public string? RequestUri => Response.String("request_uri");

    /// <summary>The front-channel request that uses the pushed one: client_id and request_uri only (RFC 9126 §4).</summary>
    public AuthorizationRequest Front => Request with { RequestUri = RequestUri };
}

/// <summary>Steps of RFC 9126 pushed authorization requests: where the endpoint is, which client pushes, the honest push.</summary>
internal static class Pushed
{
    public const string Applicability = "a server that publishes pushed_authorization_request_endpoint (RFC 9126 §5) and a confidential 'web' client that uses the code flow";

    /// <summary>The PAR endpoint and the confidential web client, or not applicable with what is missing.</summary>
    public static (Uri Endpoint, ClientProfile Client) Require(CheckContext c)
    {
        var endpoint = c.RequireEndpoint("pushed_authorization_request_endpoint");
        c.RequireMetadata("response_types_supported", "code");
        var client = c.Client("web");
        c.Require(client is { IsConfidential: true, Secret: not null }, "the 'web' client of the profile has no secret");
        return (endpoint, client);
    }

    /// <summary>An honest code request of the client (PKCE S256), as the client would push it.</summary>
    public static AuthorizationRequest CodeRequest(CheckContext c, ClientProfile client) =>
        c.OAuth(client).AuthorizationRequest().WithPkce(CodeVerifier.New());

    /// <summary>POSTs the request's parameters to the PAR endpoint, authenticated with client_secret_basic unless told otherwise.</summary>
    public static async Task<PushedRequest> PushAsync(CheckContext c, Uri endpoint, ClientProfile client, AuthorizationRequest request, bool authenticate = true, IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        var form = (request with { RequestUri = null }).Parameters().Concat(extra ?? []).ToList();
        var response = await BackChannel.PostFormAsync(c, endpoint, form, authenticate ? BackChannel.Basic(client) : null).ConfigureAwait(false);
        return new PushedRequest(request, response);
    }

    /// <summary>The honest push; inconclusive unless it gave a request_uri.</summary>
    public static async Task<PushedRequest> HonestAsync(CheckContext c, Uri endpoint, ClientProfile client)
    {
        var pushed = await PushAsync(c, endpoint, client, CodeRequest(c, client)).ConfigureAwait(false);
        c.Precondition(pushed.RequestUri is { Length: > 0 }, $"the honest pushed authorization request got no request_uri: {pushed.Response}");
        return pushed;
    }

    /// <summary>
    /// Sends a front-channel request and says whether the server answered it with a code. A page instead of a
    /// redirect (the error page of an invalid request_uri) is a refusal, as is an error sent to the client.
    /// </summary>
    public static async Task<(bool Code, string Observed)> CodeGivenAsync(CheckContext c, IUserAgent agent, AuthorizationRequest request)
    {
        try
        {
            var response = await agent.AuthorizeAsync(request, c.User, c.Cancellation).ConfigureAwait(false);
            return (response is { IsError: false, Code: not null }, Steps.Describe(response));
        }
        catch (LoginFailedException e) when (e is not ScriptLoginPageException)
        {
            return (false, "no redirect to the client: " + e.Message);
        }
    }
}
