namespace Conformance.Harness.Protocol;

/// <summary>An authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) as a value, turned into a URL last.</summary>
public sealed record AuthorizationRequest
{
    public required Uri Endpoint { get; init; }

    public required string ClientId { get; init; }

    public required Uri RedirectUri { get; init; }

    public string ResponseType { get; init; } = "code";

    public string Scope { get; init; } = "openid";

    public string? State { get; init; } = Random.Token();

    public string? Nonce { get; init; } = Random.Token();

    public string? CodeChallenge { get; init; }

    public string? CodeChallengeMethod { get; init; }

    public string? ResponseMode { get; init; }

    public string? Prompt { get; init; }

    public int? MaxAge { get; init; }

    /// <summary>Parameters outside the list above (sessionToken, login_hint...), or overrides to test misuse.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>Parameters left out of the URL (response_type, redirect_uri...), to test how their absence is answered.</summary>
    public IReadOnlySet<string> Omit { get; init; } = new HashSet<string>();

    public AuthorizationRequest WithPkce(CodeVerifier verifier) =>
        this with { CodeChallenge = verifier.S256Challenge, CodeChallengeMethod = "S256" };

    /// <summary>
    /// RFC 9126 §4: the request_uri a pushed authorization request returned. Set, the front channel carries only
    /// client_id and request_uri (and <see cref="Extra"/>); the other members still say what was pushed.
    /// </summary>
    public string? RequestUri { get; init; }

    public IEnumerable<KeyValuePair<string, string>> Parameters()
    {
        if (RequestUri is not null)
        {
            return [new("client_id", ClientId), new("request_uri", RequestUri), .. Extra];
        }

        var p = new List<KeyValuePair<string, string>>
        {
            new("client_id", ClientId),
            new("response_type", ResponseType),
            new("redirect_uri", RedirectUri.OriginalString),
            new("scope", Scope),
        };
        Add(p, "state", State);
        Add(p, "nonce", Nonce);
        Add(p, "code_challenge", CodeChallenge);
        Add(p, "code_challenge_method", CodeChallengeMethod);
        Add(p, "response_mode", ResponseMode);
        Add(p, "prompt", Prompt);
        Add(p, "max_age", MaxAge?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        p.AddRange(Extra);
        return p.Where(kv => !Omit.Contains(kv.Key));
    }

    public Uri ToUri()
    {
        var query = string.Join('&', Parameters().Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}"));
        var builder = new UriBuilder(Endpoint);
        builder.Query = string.IsNullOrEmpty(builder.Query) ? query : builder.Query.TrimStart('?') + "&" + query;
        return builder.Uri;
    }

    private static void Add(List<KeyValuePair<string, string>> p, string name, string? value)
    {
        if (value is not null)
        {
            p.Add(new(name, value));
        }
    }
}
