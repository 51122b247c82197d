using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Conformance.Harness.Http;

/// <summary>
/// Every way a value the harness sends can come back written down: in a server's echo of the request, in a page,
/// in a JSON error, in a log. The <see cref="Redactor"/> masks each form, the secret scan looks for each, the trace
/// scrubber rewrites each: one list, so the three cannot drift apart.
/// </summary>
public static class SecretForms
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Base64 shorter than this would match by chance inside any long base64 blob (the scan decodes those too).</summary>
    public const int MinimumBase64Length = 12;

    /// <summary>The value as written and in every text encoding a server or a report may apply to it.</summary>
    public static IEnumerable<(string Form, string Text)> Of(string value)
    {
        yield return ("as written", value);
        // RFC 3986 percent-encoding (space as %20), in both hex cases: servers differ, and RFC 3986 §2.1 makes them equal.
        var percent = Uri.EscapeDataString(value);
        yield return ("URL-encoded", percent);
        yield return ("URL-encoded", LowerHex(percent));
        // application/x-www-form-urlencoded (space as +): .NET's WebUtility, and the same over RFC 3986's set.
        yield return ("form-encoded", WebUtility.UrlEncode(value));
        yield return ("form-encoded", LowerHex(WebUtility.UrlEncode(value)));
        yield return ("form-encoded", percent.Replace("%20", "+", StringComparison.Ordinal));
        yield return ("form-encoded", LowerHex(percent.Replace("%20", "+", StringComparison.Ordinal)));
        // HTML: the minimal entity set, and ASP.NET's default encoder (numeric references for most punctuation).
        yield return ("HTML-encoded", WebUtility.HtmlEncode(value));
        yield return ("HTML-encoded", HtmlEncoder.Default.Encode(value));
        // JSON strings: the default escaper (\u0022, \u002B...), the relaxed one (\"), and the minimal one.
        yield return ("JSON-escaped", JsonEncodedText.Encode(value).ToString());
        yield return ("JSON-escaped", JsonSerializer.Serialize(value)[1..^1]);
        yield return ("JSON-escaped", JsonSerializer.Serialize(value, Relaxed)[1..^1]);
        yield return ("JSON-escaped", JavaScriptEncoder.Default.Encode(value));
        foreach (var form in Base64(Encoding.UTF8.GetBytes(value)))
        {
            yield return form;
        }
    }

    /// <summary>
    /// An HTTP Basic credential as client_secret_basic sends it (RFC 6749 §2.3.1: id and secret form-encoded, then
    /// joined by a colon and base64-encoded), and as clients that skip the form-encoding send it (RFC 7617 §2).
    /// </summary>
    public static IEnumerable<(string Form, string Text)> OfBasicCredentials(string id, string secret)
    {
        var pairs = new[]
        {
            (Form: "base64 of id:secret, form-encoded first (RFC 6749 §2.3.1)", Pair: Uri.EscapeDataString(id) + ":" + Uri.EscapeDataString(secret)),
            (Form: "base64 of id:secret, form-encoded first (RFC 6749 §2.3.1)", Pair: WebUtility.UrlEncode(id) + ":" + WebUtility.UrlEncode(secret)),
            (Form: "base64 of id:secret", Pair: id + ":" + secret),
        };
        foreach (var (form, pair) in pairs.DistinctBy(p => p.Pair))
        {
            foreach (var (encoding, text) in Base64(Encoding.UTF8.GetBytes(pair)))
            {
                yield return ($"{form} ({encoding})", text);
            }
        }
    }

    private static IEnumerable<(string Form, string Text)> Base64(byte[] bytes)
    {
        var padded = Convert.ToBase64String(bytes);
        var trimmed = padded.TrimEnd('=');
        if (trimmed.Length < MinimumBase64Length)
        {
            yield break;
        }

        // Padded first: masking the longer form whole leaves no stray '=' behind.
        yield return ("base64", padded);
        yield return ("base64", trimmed);
        yield return ("base64url", trimmed.Replace('+', '-').Replace('/', '_'));
    }

    private static string LowerHex(string percentEncoded)
    {
        var chars = percentEncoded.ToCharArray();
        for (var i = 0; i + 2 < chars.Length; i++)
        {
            if (chars[i] == '%')
            {
                chars[i + 1] = char.ToLowerInvariant(chars[i + 1]);
                chars[i + 2] = char.ToLowerInvariant(chars[i + 2]);
            }
        }

        return new string(chars);
    }
}
