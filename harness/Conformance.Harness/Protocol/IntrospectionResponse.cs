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

    /// <summary>Null when the answer had no boolean "active" (itself a violation of RFC 7662 §2.2).</summary>
    public bool? Active => Json is { } j && j.TryGetProperty("active", out var a) && a.ValueKind is JsonValueKind.True or JsonValueKind.False ? a.GetBoolean() : null;

    public override string ToString() => Status == HttpStatusCode.OK
        ? $"HTTP 200, active {Active?.ToString().ToLowerInvariant() ?? "(absent)"}" + (String("client_id") is { } c ? $", client_id {c}" : "")
        : $"HTTP {(int)Status}" + (Error is null ? "" : $", error '{Error}'");
}
