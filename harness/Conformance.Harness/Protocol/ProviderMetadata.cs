using System.Text.Json;

namespace Conformance.Harness.Protocol;

/// <summary>OpenID Connect Discovery 1.0 §3 / RFC 8414 §2 metadata, as the server published it.</summary>
public sealed class ProviderMetadata
{
    private readonly JsonElement json;

    public ProviderMetadata(JsonElement json, Uri source)
    {
        this.json = json.Clone();
        Source = source;
    }

    /// <summary>Where it was fetched from.</summary>
    public Uri Source { get; }

    public JsonElement Json => json;

    public string? Issuer => String("issuer");

    public Uri? AuthorizationEndpoint => Url("authorization_endpoint");

    public Uri? TokenEndpoint => Url("token_endpoint");

    public Uri? JwksUri => Url("jwks_uri");

    public Uri? UserinfoEndpoint => Url("userinfo_endpoint");

    public Uri? IntrospectionEndpoint => Url("introspection_endpoint");

    public Uri? RevocationEndpoint => Url("revocation_endpoint");

    public Uri? EndSessionEndpoint => Url("end_session_endpoint");

    public IReadOnlyList<string> ScopesSupported => Strings("scopes_supported");

    public IReadOnlyList<string> ResponseTypesSupported => Strings("response_types_supported");

    /// <summary>
    /// Whether a metadata list holds a value; response types compare as sets of space-separated values
    /// (OAuth 2.0 Multiple Response Type Encoding Practices §3: order does not matter, so "token id_token" is
    /// "id_token token").
    /// </summary>
    public bool Lists(string field, string value) =>
        field == "response_types_supported"
            ? Strings(field).Any(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet().SetEquals(value.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            : Strings(field).Contains(value);

    public IReadOnlyList<string> ResponseModesSupported => Strings("response_modes_supported");

    /// <summary>RFC 8414 §2: absent means ["authorization_code", "implicit"].</summary>
    public IReadOnlyList<string> GrantTypesSupported => Has("grant_types_supported") ? Strings("grant_types_supported") : ["authorization_code", "implicit"];

    public IReadOnlyList<string> CodeChallengeMethodsSupported => Strings("code_challenge_methods_supported");

    public IReadOnlyList<string> IdTokenSigningAlgValuesSupported => Strings("id_token_signing_alg_values_supported");

    /// <summary>RFC 8414 §2: absent means client_secret_basic.</summary>
    public IReadOnlyList<string> TokenEndpointAuthMethodsSupported =>
        Has("token_endpoint_auth_methods_supported") ? Strings("token_endpoint_auth_methods_supported") : ["client_secret_basic"];

    public bool Has(string name) => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out _);

    public string? String(string name) => JsonBody.String(json, name);

    public Uri? Url(string name) => String(name) is { } s && Uri.TryCreate(s, UriKind.Absolute, out var u) ? u : null;

    public IReadOnlyList<string> Strings(string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
}
