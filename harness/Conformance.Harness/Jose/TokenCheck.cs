using Conformance.Harness.Http;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Conformance.Harness.Jose;

/// <summary>
/// One validation under way, as both validators start it: the token's fingerprint (the only form of it that goes
/// into a result or a message), the failures found so far, and the parsed token, null when the text is not a
/// compact JWS (the reason is then the first failure).
/// </summary>
internal sealed class TokenCheck
{
    private readonly string kind;

    public TokenCheck(string compact, string kind)
    {
        ArgumentNullException.ThrowIfNull(compact);
        this.kind = kind;
        Fingerprint = Redactor.Fingerprint(compact);
        Token = JwsVerifier.Parse(compact, kind, Failures);
    }

    public string Fingerprint { get; }

    public List<string> Failures { get; } = [];

    public JsonWebToken? Token { get; }

    /// <summary>The result: every failure found, and whether the signature verified.</summary>
    public TokenValidation Result(bool signatureVerified = false) => new(kind, Token, Fingerprint, Failures, signatureVerified);
}
