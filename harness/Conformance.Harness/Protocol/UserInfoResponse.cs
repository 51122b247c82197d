using System.Net;
using System.Text.Json;
using RestSharp;
using Conformance.Harness.Http;

namespace Conformance.Harness.Protocol;

/// <summary>OIDC Core §5.3.2 (claims as JSON) or RFC 6750 §3 (WWW-Authenticate on error).</summary>
public sealed class UserInfoResponse
{
    internal UserInfoResponse(RestResponse response)
    {
        Status = response.StatusCode;
        WwwAuthenticate = response.Header("WWW-Authenticate");
        ContentType = response.ContentType;
        Claims = JsonBody.Object(response.Content);
    }

    public HttpStatusCode Status { get; }

    public string? ContentType { get; }

    public string? WwwAuthenticate { get; }

    public JsonElement? Claims { get; }

    public string? Subject => JsonBody.String(Claims, "sub");

    public override string ToString() => Status == HttpStatusCode.OK
        ? $"HTTP 200, sub '{Subject}'"
        : $"HTTP {(int)Status}, WWW-Authenticate: {WwwAuthenticate ?? "(none)"}";
}
