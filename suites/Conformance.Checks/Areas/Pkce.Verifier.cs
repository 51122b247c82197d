using System.Security.Cryptography;
using System.Text;
using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>The shape of PKCE values (RFC 7636 §4.1, §4.2) and PKCE for confidential clients (RFC 9700 §2.1.1).</summary>
public static partial class Pkce
{
    public static Check LongVerifierRefused { get; } = Define.Rule(new()
    {
        Id = "PKCE-09",
        Area = Area,
        // RFC 7636 §4.1 binds the client (43 to 128 characters), as for PKCE-08: tolerating more is a warning.
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "The token endpoint SHOULD refuse a code_verifier longer than the 128 characters RFC 7636 §4.1 allows, even when it matches the code_challenge.",
        Specs = "RFC7636 §4.1",
        Applicability = Native,
        Remediation = "Check the code_verifier's length (43 to 128) at redemption and answer invalid_request when it is outside it.",
        Run = async c =>
        {
            // 129 unreserved characters whose challenge honestly matches: only the length is wrong.
            var longVerifier = new CodeVerifier(string.Concat(Enumerable.Range(0, 4).Select(_ => CodeVerifier.New().Value))[..129]);

            await ExpectVerifierRefusedAsync(c, longVerifier, "a 129-character verifier").ConfigureAwait(false);
        },
    });

    public static Check VerifierCharactersRefused { get; } = Define.Rule(new()
    {
        Id = "PKCE-10",
        Area = Area,
        // RFC 7636 §4.1 binds the client ([A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"): tolerating others is a warning.
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "The token endpoint SHOULD refuse a code_verifier with characters outside the unreserved set of RFC 7636 §4.1, even when it matches the code_challenge.",
        Specs = "RFC7636 §4.1",
        Applicability = Native,
        Remediation = "Check that the code_verifier uses only ALPHA / DIGIT / '-' / '.' / '_' / '~' at redemption; answer invalid_request otherwise.",
        Run = async c =>
        {
            // Standard base64 instead of base64url, a common client slip: '+', '/' and '=' are not unreserved.
            var verifier = new CodeVerifier(CodeVerifier.New().Value[..40] + "+/=");

            await ExpectVerifierRefusedAsync(c, verifier, "a verifier with '+', '/' and '='").ConfigureAwait(false);
        },
    });

    public static Check MalformedChallengeRefused { get; } = Define.Rule(new()
    {
        Id = "PKCE-11",
        Area = Area,
        // RFC 7636 §4.2 defines an S256 challenge as BASE64URL(SHA256(...)), 43 characters, but binds the client:
        // no clause obliges the server to refuse another shape at /authorize (the redemption can never match).
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "The authorization endpoint SHOULD refuse (invalid_request) an S256 code_challenge that is not 43 base64url characters, such as a hex-encoded SHA-256.",
        Specs = "RFC7636 §4.2; RFC7636 §4.4.1",
        Applicability = Native + ", at a server that lists S256",
        Remediation = "Validate code_challenge at the authorization endpoint: 43 base64url characters for S256 (43 to 128 unreserved for plain); answer invalid_request otherwise.",
        Run = async c =>
        {
            c.RequireMetadata("code_challenge_methods_supported", "S256");
            var client = c.Client("native");
            // SHA-256 in hex (64 characters) rather than base64url: a challenge no verifier can match.
            var hex = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(CodeVerifier.New().Value)));
            var authorization = await Steps.AuthorizeAsync(c, client, change: r => r with { CodeChallenge = hex, CodeChallengeMethod = "S256" }).ConfigureAwait(false);

            c.Expect(authorization.Response.IsError, "an error response (invalid_request) to the redirect URI", Steps.Describe(authorization.Response));
        },
        Threats = "RFC7636 §7.1",
    });

    public static Check ConfidentialClientVerifierChecked { get; } = Define.Rule(new()
    {
        Id = "PKCE-12",
        Anchors = "OAuch: Pkce/IsPkceRequiredTest (partial)",
        Area = Area,
        // RFC 9700 §2.1.1: "If a client sends a valid PKCE code_challenge parameter in the authorization request, the
        // authorization server MUST enforce the correct usage of code_verifier at the token endpoint" - for every
        // client; PKCE-01 tests the public client, this one the confidential client that opts in.
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "When a confidential client's authorization request carried a code_challenge, the token endpoint MUST refuse a code_verifier that does not match it, although the client authenticates.",
        Specs = "RFC9700 §2.1.1; RFC7636 §4.6",
        Applicability = "a confidential web client using the authorization code grant with PKCE (S256)",
        Remediation = "Verify the code_verifier for every code bound to a code_challenge, whether or not the client authenticates.",
        Run = async c =>
        {
            var client = c.Client("web");
            c.Require(client.IsConfidential, "the 'web' client of the profile has no secret");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);

            var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, CodeVerifier.New(), ct: c.Cancellation).ConfigureAwait(false);

            Steps.ExpectRefused(c, tokens, "no tokens (HTTP 400, error 'invalid_grant')", "invalid_grant");
        },
        Threats = "RFC6819 §4.4.1.1; RFC9700 §4.5",
    });

    /// <summary>A code whose challenge honestly matches <paramref name="verifier"/>, redeemed with it: the shape alone is wrong.</summary>
    private static async Task ExpectVerifierRefusedAsync(CheckContext c, CodeVerifier verifier, string what)
    {
        var client = c.Client("native");
        var authorization = await Steps.AuthorizeAsync(c, client, change: r => r.WithPkce(verifier)).ConfigureAwait(false);
        c.Precondition(authorization.Response is { IsError: false, Code: not null },
            $"the authorization request with the challenge of {what} got no code: {Steps.Describe(authorization.Response)}");

        var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, verifier, ct: c.Cancellation).ConfigureAwait(false);

        Steps.ExpectRefused(c, tokens, $"no tokens for {what} (HTTP 400, error 'invalid_request' or 'invalid_grant')", "invalid_request", "invalid_grant");
    }
}
