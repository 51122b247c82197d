using System.Net;
using System.Text.Json;
using Conformance.Harness.Http;
using RestSharp;

namespace Conformance.Harness.Protocol;

/// <summary>
/// What every answer of a back-channel endpoint (token, userinfo, introspection) is read for: its status, content
/// type and JSON body, read once by <see cref="JsonBody"/>. A body that is not JSON reads as null and stays evidence.
/// </summary>
public abstract class EndpointResponse
{
    private protected EndpointResponse(RestResponse response, bool objectOnly)
    {
        Status = response.StatusCode;
        ContentType = response.ContentType;
        Json = objectOnly ? JsonBody.Object(response.Content) : JsonBody.Parse(response.Content);
    }

    public HttpStatusCode Status { get; }

    public string? ContentType { get; }

    /// <summary>The parsed body (see each reader for which JSON values it keeps).</summary>
    public JsonElement? Json { get; }

    /// <summary>A string member of the body; null when absent, not a string, or the body is no JSON object.</summary>
    public string? String(string name) => JsonBody.String(Json, name);

    public string? Error => String("error");
}
