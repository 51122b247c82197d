using System.Net;
using System.Text.Json;

namespace Conformance.Harness.Target;

/// <summary>
/// Reads the fields of a target profile's JSON once its shape is known: the schema
/// (schemas/target-profile.schema.json) reports a field that is missing, unknown, of the wrong kind or out of range,
/// so a reader here returns null for it and says nothing. What the schema cannot know is a problem here, kept with
/// the JSON path of the field at fault: an environment variable not set, an unknown placeholder, a URL that is not
/// absolute or not https. <c>{{name}}</c> placeholders and <c>{{env:NAME}}</c> settings are replaced in every
/// string; secrets are <c>env:NAME</c> references and are never echoed.
/// </summary>
internal sealed class ProfileFields(Func<string, string?> environment, IReadOnlyDictionary<string, string> variables)
{
    private readonly List<string> problems = [];

    public IReadOnlyList<string> Problems => problems;

    public void Problem(string problem) => problems.Add(problem);

    public Secret? SecretValue(JsonElement parent, string path, string property, bool required)
    {
        var reference = String(parent, path, property, required);
        if (reference is null)
        {
            return null;
        }

        if (!reference.StartsWith("env:", StringComparison.Ordinal) || reference.Length == 4)
        {
            // A literal value: the schema's pattern says so, without echoing it (it may be a real secret pasted by mistake).
            return null;
        }

        var variable = reference[4..];
        var value = environment(variable);
        if (string.IsNullOrEmpty(value))
        {
            Problem($"{path}.{property}: environment variable {variable} is not set");
            return null;
        }

        return new Secret(reference, value);
    }

    public Uri? Url(JsonElement parent, string path, string property, bool required, bool allowCustomScheme)
    {
        var text = String(parent, path, property, required);
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            Problem($"{path}.{property}: '{text}' is not an absolute URL");
            return null;
        }

        var web = uri.Scheme is "http" or "https";
        if (!web && !allowCustomScheme)
        {
            Problem($"{path}.{property}: '{text}' must be an http or https URL");
            return null;
        }

        if (uri.Scheme == "http" && !allowCustomScheme && !IsLoopback(uri))
        {
            // RFC 6749 §3.1 and §3.2 require TLS; plain http is only tolerated for a local test issuer.
            Problem($"{path}.{property}: '{text}' must use https (http is accepted only for loopback hosts)");
            return null;
        }

        return uri;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    public string? String(JsonElement parent, string path, string property, bool required = false)
    {
        if (!parent.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = Substitute(value.GetString()!, $"{path}.{property}");
        if (required && string.IsNullOrWhiteSpace(text))
        {
            Problem($"{path}.{property}: must not be empty");
            return null;
        }

        return text;
    }

    public string Substitute(string text, string path)
    {
        var start = text.IndexOf("{{", StringComparison.Ordinal);
        while (start >= 0)
        {
            var end = text.IndexOf("}}", start, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }

            var key = text[(start + 2)..end].Trim();
            string? replacement;
            if (key.StartsWith("env:", StringComparison.Ordinal))
            {
                // Non-secret settings (a domain, a client id) may also come from the environment, so one
                // profile serves every tenant of a CI matrix.
                replacement = environment(key[4..]);
                if (string.IsNullOrEmpty(replacement))
                {
                    Problem($"{path}: environment variable {key[4..]} is not set");
                    return text;
                }
            }
            else if (!variables.TryGetValue(key, out replacement))
            {
                Problem($"{path}: unknown placeholder {{{{{key}}}}} (this profile must be loaded by the runner that defines it)");
                return text;
            }

            text = string.Concat(text.AsSpan(0, start), replacement, text.AsSpan(end + 2));
            start = text.IndexOf("{{", start + replacement.Length, StringComparison.Ordinal);
        }

        return text;
    }

    public List<string> Strings(JsonElement parent, string path, string property)
    {
        if (!parent.TryGetProperty(property, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            return [];
        }

        return value.EnumerateArray().Select(v => v.GetString()!).ToList();
    }

    public static bool? Bool(JsonElement parent, string property) =>
        parent.TryGetProperty(property, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    /// <summary>The array's elements that are objects, each with its JSON path (the schema reports any other).</summary>
    public static IEnumerable<(JsonElement Element, string Path)> Objects(JsonElement list, string path) =>
        list.ValueKind != JsonValueKind.Array ? [] : list.EnumerateArray().Select((e, i) => (e, $"{path}[{i}]")).Where(p => p.e.ValueKind == JsonValueKind.Object);

    /// <summary>A whole number within the schema's range, or null (the schema reports any other).</summary>
    public static int? Number(JsonElement parent, string property) =>
        parent.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;

    public static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
