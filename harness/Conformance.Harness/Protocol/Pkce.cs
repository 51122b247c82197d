using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Harness.Protocol;

/// <summary>RFC 7636 §4.1: 32 random octets, base64url, giving a 43-character verifier.</summary>
public sealed record CodeVerifier(string Value)
{
    public static CodeVerifier New() => new(Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)));

    /// <summary>RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))).</summary>
    public string S256Challenge => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(Value)));

    public override string ToString() => Http.Redactor.Fingerprint(Value);
}

public static class Random
{
    /// <summary>An unguessable value for state and nonce; base64url, which Okta's state charset accepts.</summary>
    public static string Token(int bytes = 24) => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(bytes));
}
