namespace Conformance.Harness.Protocol;

/// <summary>
/// What came back to the redirect URI (RFC 6749 §4.1.2, §4.2.2, OIDC Core §3.2.2.5), however it came:
/// query, fragment or form_post.
/// </summary>
public sealed class AuthorizationResponse
{
    public AuthorizationResponse(IReadOnlyDictionary<string, string> parameters, string responseMode)
    {
        Parameters = parameters;
        ResponseMode = responseMode;
    }

    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>query, fragment or form_post: how the parameters were delivered.</summary>
    public string ResponseMode { get; }

    public string? Code => Get("code");

    public string? State => Get("state");

    public string? Error => Get("error");

    public string? ErrorDescription => Get("error_description");

    /// <summary>RFC 9207.</summary>
    public string? Iss => Get("iss");

    public string? IdToken => Get("id_token");

    public string? AccessToken => Get("access_token");

    public bool IsError => Error is not null;

    public string? Get(string name) => Parameters.TryGetValue(name, out var v) ? v : null;

    public static bool IsRedirectTo(Uri location, Uri redirectUri) =>
        string.Equals(location.Scheme, redirectUri.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(location.Authority, redirectUri.Authority, StringComparison.OrdinalIgnoreCase)
        && location.AbsolutePath == redirectUri.AbsolutePath;

    /// <summary>Reads the parameters of a redirect to the client; the fragment wins when both carry some (OAuth 2.0 Multiple Response Types §5).</summary>
    public static AuthorizationResponse FromRedirect(Uri location)
    {
        var fragment = ParseForm(location.Fragment.TrimStart('#'));
        if (fragment.Count > 0)
        {
            return new AuthorizationResponse(fragment, "fragment");
        }

        return new AuthorizationResponse(ParseForm(location.Query.TrimStart('?')), "query");
    }

    public static Dictionary<string, string> ParseForm(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Unescape(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Unescape(pair[(eq + 1)..]);
            // A repeated parameter is itself a protocol error (RFC 6749 §3.1); keep the first, the checks look at Duplicates.
            result.TryAdd(name, value);
        }

        return result;
    }

    private static string Unescape(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
}
