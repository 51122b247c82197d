using Conformance.Harness.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Harness.Jose;

/// <summary>
/// What a report may show of a token: a label, its fingerprint, and for a JWT its decoded header and claims.
/// The signature and the compact form are never kept, so the token cannot be replayed from a report.
/// </summary>
public sealed record DecodedToken(string Label, string Fingerprint, string? Header, string? Claims)
{
    public static DecodedToken From(string label, string token)
    {
        var fingerprint = Redactor.Fingerprint(token);
        try
        {
            var jwt = new JsonWebToken(token);
            return new DecodedToken(label, fingerprint, Base64UrlEncoder.Decode(jwt.EncodedHeader), Base64UrlEncoder.Decode(jwt.EncodedPayload));
        }
        catch (ArgumentException)
        {
            return new DecodedToken(label, fingerprint, null, null);
        }
    }
}
