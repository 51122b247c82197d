using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conformance.Reports.Html;

/// <summary>
/// Small formatting helpers for the review's components. None of them escapes: the components write what these
/// return as text (@expressions), and the renderer escapes it.
/// </summary>
internal static class Markup
{
    /// <summary>An anchor id made of safe characters only.</summary>
    public static string Id(params string?[] parts)
    {
        var text = new StringBuilder();
        foreach (var part in parts)
        {
            if (text.Length > 0)
            {
                text.Append("--");
            }

            foreach (var c in part ?? "target")
            {
                text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
            }
        }

        return text.ToString();
    }

    /// <summary>An http(s) URL as it may stand in an href; null for anything else (javascript:, data:, relative), which is shown as text.</summary>
    public static string? Href(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri.AbsoluteUri : null;

    public static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan duration) =>
        duration.TotalSeconds < 1 ? $"{duration.TotalMilliseconds:0} ms"
        : duration.TotalMinutes < 1 ? $"{duration.TotalSeconds:0.0} s"
        : $"{(int)duration.TotalMinutes} min {duration.Seconds} s";

    public static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>JSON re-indented for reading; anything else unchanged.</summary>
    public static string Pretty(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return text ?? "";
        }

        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            try
            {
                return JsonNode.Parse(text)?.ToJsonString(Indented) ?? text;
            }
            catch (JsonException)
            {
                return text;
            }
        }

        return text;
    }

    /// <summary>Keeps a report readable (and printable) when a server answers with a large page.</summary>
    public static string Truncate(string text, int max) =>
        text.Length <= max ? text : text[..max] + $"\n… ({text.Length - max:N0} more characters; the full redacted body is in results.json)";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
