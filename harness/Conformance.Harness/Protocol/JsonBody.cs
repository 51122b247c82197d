using System.Text.Json;

namespace Conformance.Harness.Protocol;

/// <summary>
/// The one reader of the JSON bodies protocol endpoints answer with (token, userinfo, introspection, metadata,
/// the Authentication API, and the raw probes of the catalogue).
/// A body that is not JSON, or a member of the wrong type, is evidence for the check to judge rather than an
/// error of the harness, so each reads as null instead of throwing.
/// </summary>
public static class JsonBody
{
    /// <summary>The parsed body, whatever kind of JSON value it is; null when it is not JSON at all.</summary>
    public static JsonElement? Parse(string? content)
    {
        try
        {
            using var document = JsonDocument.Parse(content ?? "");
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The parsed body when it is a JSON object; null otherwise.</summary>
    public static JsonElement? Object(string? content) => Parse(content) is { ValueKind: JsonValueKind.Object } json ? json : null;

    /// <summary>A string member of a JSON object; null when the member is absent or not a string, or the value is not an object.</summary>
    public static string? String(JsonElement? json, string name) =>
        json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
