using System.Net;
using System.Text.Json;
using RestSharp;
using Conformance.Harness.Http;

namespace Conformance.Harness.Protocol;

/// <summary>An answer of the token endpoint: RFC 6749 §5.1 on success, §5.2 on error.</summary>
public sealed class TokenResponse : EndpointResponse
{
    // Any JSON value, not only an object: BeOAuthError tells "JSON but not an object" apart from "not JSON".
    internal TokenResponse(RestResponse response)
        : base(response, objectOnly: false)
    {
        CacheControl = response.Header("Cache-Control");
        Pragma = response.Header("Pragma");
        DpopNonce = response.Header("DPoP-Nonce");
    }

    /// <summary>RFC 9449 §8: the nonce the server wants in the next DPoP proof.</summary>
    public string? DpopNonce { get; }

    public string? CacheControl { get; }

    public string? Pragma { get; }

    public bool IsSuccess => Status == HttpStatusCode.OK && AccessToken is not null;

    public string? AccessToken => String("access_token");

    public string? IdToken => String("id_token");

    public string? RefreshToken => String("refresh_token");

    public string? TokenType => String("token_type");

    public string? Scope => String("scope");

    public long? ExpiresIn => Json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("expires_in", out var v) && v.TryGetInt64(out var n) ? n : null;

    public string? ErrorDescription => String("error_description");

    public override string ToString() => IsSuccess
        ? $"HTTP {(int)Status}, token_type {TokenType}, scope '{Scope}'"
        : Error is null
            ? $"HTTP {(int)Status} without an access_token or an error field ({ContentType ?? "no content type"})"
            : $"HTTP {(int)Status}, error '{Error}'" + (ErrorDescription is null ? "" : $" ({ErrorDescription})");
}
