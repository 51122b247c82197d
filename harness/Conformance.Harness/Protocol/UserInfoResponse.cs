using System.Net;
using System.Text.Json;
using RestSharp;
using Conformance.Harness.Http;

namespace Conformance.Harness.Protocol;

/// <summary>OIDC Core §5.3.2 (claims as JSON) or RFC 6750 §3 (WWW-Authenticate on error).</summary>
public sealed class UserInfoResponse : EndpointResponse
{
    internal UserInfoResponse(RestResponse response)
        : base(response, objectOnly: true)
    {
        WwwAuthenticate = response.Header("WWW-Authenticate");
        DpopNonce = response.Header("DPoP-Nonce");
    }

    /// <summary>RFC 9449 §9: the nonce a resource server wants in the next DPoP proof.</summary>
    public string? DpopNonce { get; }

    public string? WwwAuthenticate { get; }

    /// <summary>The claims: the body when it is a JSON object.</summary>
    public JsonElement? Claims => Json;

    public string? Subject => String("sub");

    public override string ToString() => Status == HttpStatusCode.OK
        ? $"HTTP 200, sub '{Subject}'"
        : $"HTTP {(int)Status}, WWW-Authenticate: {WwwAuthenticate ?? "(none)"}";
}
