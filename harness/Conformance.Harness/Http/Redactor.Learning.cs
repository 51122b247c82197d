using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conformance.Harness.Http;

/// <summary>
/// Redaction at the source: the HTTP layer shows the redactor every request before it is sent and every response as
/// it arrives, so a secret or token the harness sends (a password, a passCode, a Basic credential, a code being
/// redeemed, a token being revoked) or receives is known before any server can echo it into an error, a page or a
/// header, and before any message quotes that echo.
/// </summary>
public sealed partial class Redactor
{
    /// <summary>Learns the credentials and artefacts a request carries: Authorization, query, form or JSON body.</summary>
    public void LearnRequest(HttpRequestMessage request, string? body)
    {
        if (request.Headers.Authorization is { } authorization)
        {
            LearnAuthorization(authorization);
        }

        if (request.RequestUri is { } uri)
        {
            LearnUrl(uri.OriginalString);
        }

        LearnBody(request.Content?.Headers.ContentType?.MediaType, body);
    }

    /// <summary>Learns the artefacts a response hands out: tokens in a JSON body, a code in a redirect or a form_post page.</summary>
    public void LearnResponse(string? contentType, string? body, Uri? location)
    {
        if (location is not null)
        {
            LearnUrl(location.OriginalString);
        }

        LearnBody(contentType, body);
    }

    /// <summary>Learns from a URL's query and fragment (a redirect carrying a code or tokens, a request carrying a hint).</summary>
    public void LearnUrl(string url)
    {
        var query = url.IndexOfAny(['?', '#']);
        if (query >= 0)
        {
            LearnForm(url[(query + 1)..].Replace('#', '&'));
        }
    }

    public void LearnForm(string? form)
    {
        foreach (var pair in (form ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                Learn(Decode(pair[..eq]), Decode(pair[(eq + 1)..]));
            }
        }
    }

    private void LearnBody(string? contentType, string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return;
        }

        var type = contentType ?? "";
        if (type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            LearnJson(body);
        }
        else if (type.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            LearnForm(body);
        }
        else if (type.Contains("html", StringComparison.OrdinalIgnoreCase))
        {
            foreach (System.Text.RegularExpressions.Match m in InputPattern().Matches(body))
            {
                Learn(m.Groups["name"].Value, System.Net.WebUtility.HtmlDecode(m.Groups["value"].Value));
            }
        }
    }

    private void LearnJson(string json)
    {
        try
        {
            if (JsonNode.Parse(json) is { } node)
            {
                LearnNode(node);
            }
        }
        catch (JsonException)
        {
            // A body cut short or not JSON after all: what it carries is still masked by name when it is written down.
        }
    }

    private void LearnNode(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    if (child is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        Learn(name, s);
                    }
                    else if (child is not null)
                    {
                        LearnNode(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array.OfType<JsonNode>())
                {
                    LearnNode(child);
                }

                break;
        }
    }

    private void Learn(string name, string value)
    {
        if (CredentialNames.Contains(name))
        {
            AddLearnedSecret(value);
        }
        else if (TokenNames.Contains(name))
        {
            AddArtefact(value);
        }
    }

    private void LearnAuthorization(AuthenticationHeaderValue authorization)
    {
        var credentials = authorization.Parameter;
        if (string.IsNullOrEmpty(credentials))
        {
            return;
        }

        if (!authorization.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            // Bearer, DPoP: a token.
            AddArtefact(credentials);
            return;
        }

        // The header as sent, and the secret inside it in every form (RFC 6749 §2.3.1 form-encodes id and secret first).
        AddCredentialForms([credentials]);
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(credentials));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && Decode(pair[(colon + 1)..]) is { Length: >= MinimumLearnedSecretLength } secret)
            {
                AddClientCredentials(Decode(pair[..colon]), secret);
            }
        }
        catch (FormatException)
        {
            // Not base64 (a check sending a malformed header on purpose): the header itself is masked above.
        }
    }

    /// <summary>
    /// A credential seen in traffic rather than configured (a wrong secret a check sends, a one-time code): masked
    /// from now on unless it is so short that it would mask ordinary words ("secret" in "client_secret"). A
    /// one-time code is six digits or more, and only ever masked as a whole number.
    /// </summary>
    private void AddLearnedSecret(string value)
    {
        if (value.Length >= MinimumLearnedSecretLength || (value.Length >= 6 && value.All(char.IsAsciiDigit)))
        {
            AddSecret(value);
        }
    }

    private const int MinimumLearnedSecretLength = 8;

    private static string Decode(string formEncoded)
    {
        try
        {
            return Uri.UnescapeDataString(formEncoded.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return formEncoded;
        }
    }
}
