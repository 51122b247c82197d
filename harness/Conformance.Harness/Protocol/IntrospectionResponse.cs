using System.Net;
using System.Text.Json;
using RestSharp;

namespace Conformance.Harness.Protocol;

/// <summary>RFC 7662 §2.2.</summary>
public sealed class IntrospectionResponse : EndpointResponse
{
    internal IntrospectionResponse(RestResponse response)
        : base(response, objectOnly: true)
    {
    }

    /// <summary>
    /// The token's state; null when the answer has no "active". The strings "true" and "false" are read for what they
    /// say, so that INT-04 alone judges a non-boolean active (RFC 7662 §2.2) and the other rules judge the state.
    /// </summary>
    public bool? Active => Json is { } j && j.TryGetProperty("active", out var a)
        ? a.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when a.GetString() is "true" => true,
            JsonValueKind.String when a.GetString() is "false" => false,
            _ => null,
        }
        : null;

    public override string ToString() => Status == HttpStatusCode.OK
        ? $"HTTP 200, active {Active?.ToString().ToLowerInvariant() ?? "(absent)"}" + (String("client_id") is { } c ? $", client_id {c}" : "")
        : $"HTTP {(int)Status}" + (Error is null ? "" : $", error '{Error}'");
}
