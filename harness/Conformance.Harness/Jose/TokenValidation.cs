using Microsoft.IdentityModel.JsonWebTokens;

namespace Conformance.Harness.Jose;

/// <summary>
/// The outcome of validating one JWT: every rule it broke, in words that name the rule, and the decoded
/// header and claims (never the token itself) for evidence.
/// </summary>
public sealed class TokenValidation
{
    internal TokenValidation(string kind, JsonWebToken? token, string fingerprint, IReadOnlyList<string> failures, bool signatureVerified = false)
    {
        Kind = kind;
        Token = token;
        Fingerprint = fingerprint;
        Failures = failures;
        SignatureVerified = signatureVerified;
    }

    /// <summary>"ID token" or "access token".</summary>
    public string Kind { get; }

    public JsonWebToken? Token { get; }

    public string Fingerprint { get; }

    /// <summary>Every rule the token broke, each a sentence starting with the field it is about ("iss ...", "at_hash ...", "the signature ...").</summary>
    public IReadOnlyList<string> Failures { get; }

    /// <summary>The signature verified with a key of the issuing server's JWKS under an acceptable alg; the claims are only trustworthy then.</summary>
    public bool SignatureVerified { get; }

    public bool IsValid => Failures.Count == 0;

    /// <summary>The failures that contain <paramref name="text"/> (ordinal), e.g. "at_hash" or "kid '".</summary>
    public IReadOnlyList<string> FailuresAbout(string text) => Failures.Where(f => f.Contains(text, StringComparison.Ordinal)).ToList();

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
