using Microsoft.IdentityModel.JsonWebTokens;

namespace Conformance.Harness.Jose;

/// <summary>
/// The outcome of validating one JWT: every rule it broke, in words that name the rule, and the decoded
/// header and claims (never the token itself) for evidence.
/// </summary>
public sealed class TokenValidation
{
    internal TokenValidation(string kind, JsonWebToken? token, string fingerprint, IReadOnlyList<string> failures)
    {
        Kind = kind;
        Token = token;
        Fingerprint = fingerprint;
        Failures = failures;
    }

    /// <summary>"ID token" or "access token".</summary>
    public string Kind { get; }

    public JsonWebToken? Token { get; }

    public string Fingerprint { get; }

    public IReadOnlyList<string> Failures { get; }

    public bool IsValid => Failures.Count == 0;

    public string? Claim(string type) => Token is not null && Token.TryGetPayloadValue<object>(type, out var v) ? v?.ToString() : null;

    /// <summary>Header and payload as JSON, safe to show: a JWT's claims are not its bearer value.</summary>
    public string Decoded => Token is null
        ? $"{Kind} {Fingerprint}: not decodable"
        : $"{Kind} {Fingerprint}\nheader: {Base64Json(Token.EncodedHeader)}\nclaims: {Base64Json(Token.EncodedPayload)}";

    public override string ToString() => IsValid
        ? $"{Kind} {Fingerprint} is valid"
        : $"{Kind} {Fingerprint} is invalid: {string.Join("; ", Failures)}";

    private static string Base64Json(string part)
    {
        try
        {
            return Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(part);
        }
        catch (FormatException)
        {
            return "(not base64url)";
        }
    }
}
