using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Conformance.Harness.Http;

/// <summary>
/// The one place where secrets are removed from anything the harness writes down. Credentials (passwords,
/// client secrets, TOTP codes) become <c>***</c>; bearer artefacts (tokens, codes, session tokens) become a
/// fingerprint, so two exchanges can still be matched without the value being recoverable.
/// </summary>
public sealed partial class Redactor
{
    public const string Mask = "***";

    /// <summary>Low-entropy or long-lived credentials: a hash of them could be brute-forced, so no fingerprint.</summary>
    private static readonly HashSet<string> CredentialNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "client_secret", "passCode", "passcode", "otp", "totp", "secret", "newPassword", "oldPassword", "answer",
        // RFC 8628 §6.1: a user code is short by design (typed by a person) and approves a device while it lives.
        "user_code",
    };

    /// <summary>Bearer artefacts: high-entropy, so a truncated SHA-256 is safe and useful for correlation.</summary>
    private static readonly HashSet<string> TokenNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "code", "code_verifier", "access_token", "refresh_token", "id_token", "token", "sessionToken", "stateToken",
        "client_assertion", "assertion", "mfa_token", "device_code", "id_token_hint", "logout_token", "interaction_code",
        "interactionHandle", "stateHandle", "recoveryToken", "__RequestVerificationToken", "subject_token", "actor_token",
        // RFC 9126 §2.2: a pushed request's request_uri stands for the whole authorization request until used.
        "request_uri",
    };

    private static readonly HashSet<string> SensitiveHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "DPoP", "X-Api-Key",
    };

    public Redactor(IEnumerable<string>? secretValues = null)
    {
        foreach (var value in secretValues ?? [])
        {
            AddSecret(value);
        }
    }

    public static string Fingerprint(string token)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        return $"[sha256:{Convert.ToHexStringLower(hash.AsSpan(0, 6))}]";
    }

    public static bool IsCredentialName(string name) => CredentialNames.Contains(name);

    public static bool IsTokenName(string name) => TokenNames.Contains(name);

    /// <summary>Free text: known secrets in every form (<see cref="SecretForms"/>), spent artefacts, then anything shaped like a JWT.</summary>
    public string Text(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        text = MaskKnown(text);
        return JwtPattern().Replace(text, m => "[jwt " + Fingerprint(m.Value)[1..]);
    }

    public string Value(string name, string value) =>
        CredentialNames.Contains(name) ? Mask
        : TokenNames.Contains(name) && value.Length > 0 ? Fingerprint(value)
        : Text(value);

    /// <summary>application/x-www-form-urlencoded bodies and URL query strings or fragments.</summary>
    public string Form(string? form)
    {
        if (string.IsNullOrEmpty(form))
        {
            return form ?? "";
        }

        var parts = form.Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                parts[i] = Text(parts[i]);
                continue;
            }

            var name = Uri.UnescapeDataString(parts[i][..eq].Replace('+', ' '));
            var value = Uri.UnescapeDataString(parts[i][(eq + 1)..].Replace('+', ' '));
            var redacted = Value(name, value);
            parts[i] = redacted == value ? parts[i] : $"{parts[i][..eq]}={redacted}";
        }

        return Text(string.Join('&', parts));
    }

    public string Url(Uri? url) => url is null ? "" : Url(url.OriginalString);

    public string Url(string url)
    {
        var hash = url.IndexOf('#', StringComparison.Ordinal);
        var fragment = hash >= 0 ? url[(hash + 1)..] : null;
        var beforeFragment = hash >= 0 ? url[..hash] : url;
        var q = beforeFragment.IndexOf('?', StringComparison.Ordinal);
        var result = q >= 0 ? beforeFragment[..(q + 1)] + Form(beforeFragment[(q + 1)..]) : Text(beforeFragment);
        return fragment is null ? result : result + "#" + Form(fragment);
    }

    public string Header(string name, string value)
    {
        if (name.Equals("Location", StringComparison.OrdinalIgnoreCase) || name.Equals("Referer", StringComparison.OrdinalIgnoreCase))
        {
            return Url(value);
        }

        if (name.Equals("WWW-Authenticate", StringComparison.OrdinalIgnoreCase))
        {
            return Text(value);
        }

        if (!SensitiveHeaders.Contains(name))
        {
            return Text(value);
        }

        if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase))
        {
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            var scheme = space > 0 ? value[..space] : "";
            var credentials = space > 0 ? value[(space + 1)..] : value;
            // Basic carries a client secret; Bearer/DPoP carry tokens that may be fingerprinted.
            return scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) || scheme.Length == 0
                ? $"{scheme} {Mask}".Trim()
                : $"{scheme} {Fingerprint(credentials)}";
        }

        if (name.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
        {
            return string.Join("; ", value.Split(';').Select(c => CookieName(c) + "=" + Mask));
        }

        if (name.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase))
        {
            var attributes = value.Split(';');
            attributes[0] = CookieName(attributes[0]) + "=" + Mask;
            return string.Join(';', attributes);
        }

        return Mask;
    }

    public string Body(string? contentType, string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return body ?? "";
        }

        var type = contentType ?? "";
        if (type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return Json(body);
        }

        if (type.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return Form(body);
        }

        if (type.Contains("html", StringComparison.OrdinalIgnoreCase))
        {
            return Html(body);
        }

        return Text(body);
    }

    public string Json(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return Text(JsonPairs(json));
        }

        if (node is null)
        {
            return json;
        }

        RedactNode(node);
        return Text(node.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    /// <summary>
    /// JSON that does not parse, mostly a body cut short (the 64 KB evidence limit, a body over the cap): its
    /// <c>"name": "value"</c> pairs are still redacted by name, so an opaque access_token in a cut token response,
    /// which no JWT pattern or known secret would catch, is not written down. A value cut mid-string counts too.
    /// </summary>
    private string JsonPairs(string json) =>
        JsonPairPattern().Replace(json, m =>
        {
            var value = m.Groups["value"];
            var redacted = Value(m.Groups["name"].Value, value.Value);
            return redacted == value.Value ? m.Value : m.Value[..(value.Index - m.Index)] + redacted + m.Value[(value.Index - m.Index + value.Length)..];
        });

    /// <summary>HTML forms (form_post responses, login pages) carry codes and tokens in hidden inputs.</summary>
    public string Html(string html) =>
        Text(InputPattern().Replace(html, m =>
        {
            var name = m.Groups["name"].Value;
            var value = System.Net.WebUtility.HtmlDecode(m.Groups["value"].Value);
            var redacted = Value(name, value);
            return redacted == value ? m.Value : m.Value.Replace(m.Groups["value"].Value, redacted, StringComparison.Ordinal);
        }));

    private void RedactNode(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        var redacted = Value(name, s);
                        if (redacted != s)
                        {
                            obj[name] = redacted;
                        }
                    }
                    else if (child is not null)
                    {
                        RedactNode(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        RedactNode(child);
                    }
                }

                break;
        }
    }

    private static string CookieName(string pair)
    {
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        return (eq >= 0 ? pair[..eq] : pair).Trim();
    }

    // header.payload.signature, each base64url; the signature may be empty (alg none).
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")]
    private static partial Regex JwtPattern();

    // "name": "value", the value JSON-escaped and possibly unterminated where the body was cut.
    [GeneratedRegex(@"""(?<name>[A-Za-z_][A-Za-z0-9_.-]{0,63})""\s*:\s*""(?<value>(?:[^""\\]|\\.)*)(?:""|\\?$)")]
    private static partial Regex JsonPairPattern();

    // <input ... name="x" ... value="y"> in either attribute order.
    [GeneratedRegex("""<input\b(?=[^>]*\bname\s*=\s*["'](?<name>[^"']+)["'])(?=[^>]*\bvalue\s*=\s*["'](?<value>[^"']*)["'])[^>]*>""", RegexOptions.IgnoreCase)]
    private static partial Regex InputPattern();
}
