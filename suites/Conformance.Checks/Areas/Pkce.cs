using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>Proof Key for Code Exchange at the token endpoint (RFC 7636, RFC 9700 §2.1.1).</summary>
public static class Pkce
{
    private const string Area = "pkce";
    private const string Native = "a public native client using the authorization code grant with PKCE (S256)";

    public static Check WrongVerifierRefused { get; } = Define.Rule(
        "PKCE-01", Area, RequirementLevel.Must, Severity.Critical,
        "The token endpoint MUST refuse a code_verifier that does not match the code_challenge.",
        "RFC7636 §4.6; RFC9700 §2.1.1", Native,
        "Compute BASE64URL(SHA256(code_verifier)) at redemption and compare it with the stored challenge; refuse with invalid_grant on mismatch.",
        async c =>
        {
            var client = c.Client("native");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);

            var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, CodeVerifier.New(), ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(tokens.Error == "invalid_grant", "HTTP 400, error 'invalid_grant'", Steps.Describe(tokens));
        },
        threats: "RFC6819 §4.4.1.1; RFC9700 §4.5");

    public static Check MissingVerifierRefused { get; } = Define.Rule(
        "PKCE-02", Area, RequirementLevel.Must, Severity.Critical,
        "The token endpoint MUST refuse a code whose request carried a code_challenge when no code_verifier is sent.",
        "RFC7636 §4.6; RFC9700 §2.1.1", Native,
        "Require code_verifier whenever the authorization request carried a code_challenge.",
        async c =>
        {
            var client = c.Client("native");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);

            var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, verifier: null, ct: c.Cancellation).ConfigureAwait(false);

            Steps.ExpectRefused(c, tokens, "no tokens (HTTP 400, error 'invalid_request' or 'invalid_grant')", "invalid_request", "invalid_grant");
        },
        threats: "RFC6819 §4.4.1.1; RFC9700 §4.5");

    public static Check DowngradeRefused { get; } = Define.Rule(
        "PKCE-03", Area, RequirementLevel.Must, Severity.High,
        "The token endpoint MUST refuse a code_verifier for a code whose authorization request carried no code_challenge (PKCE downgrade).",
        "RFC9700 §2.1.1; RFC9700 §4.8.2", "a confidential web client that may use the code grant without PKCE",
        "Reject a token request with a code_verifier when no code_challenge was stored with the code.",
        async c =>
        {
            var client = c.Client("web");
            var authorization = await Steps.CodeAsync(c, client, pkce: false).ConfigureAwait(false);

            var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, CodeVerifier.New(), ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(!tokens.IsSuccess, "an error (invalid_request or invalid_grant): a verifier without a challenge is a downgrade", Steps.Describe(tokens));
        },
        threats: "RFC9700 §4.8.2");

    public static Check PlainVerifierRefused { get; } = Define.Rule(
        "PKCE-04", Area, RequirementLevel.Must, Severity.High,
        "For an S256 challenge the token endpoint MUST refuse the challenge itself presented as the code_verifier.",
        "RFC7636 §4.6", Native,
        "Apply the S256 transformation to the presented verifier; never compare the verifier with the challenge directly.",
        async c =>
        {
            var client = c.Client("native");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);

            var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, new CodeVerifier(authorization.Request.CodeChallenge!), ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(tokens.Error == "invalid_grant", "HTTP 400, error 'invalid_grant'", Steps.Describe(tokens));
        },
        threats: "RFC6819 §4.4.1.1");

    public static Check PlainMethodRefused { get; } = Define.Rule(
        "PKCE-05", Area, RequirementLevel.Must, Severity.Medium,
        "An authorization server that supports only S256 MUST refuse code_challenge_method=plain.",
        "RFC7636 §4.4.1; RFC9700 §2.1.1", "a server whose code_challenge_methods_supported lists S256 but not plain",
        "Accept only the methods you advertise; answer invalid_request for any other code_challenge_method.",
        async c =>
        {
            c.Require(!c.Server.Metadata.CodeChallengeMethodsSupported.Contains("plain"), $"server '{c.Server.Name}' advertises plain");
            var client = c.Client("native");
            var authorization = await Steps.AuthorizeAsync(c, client, change: r => r with { CodeChallenge = CodeVerifier.New().Value, CodeChallengeMethod = "plain" }).ConfigureAwait(false);

            c.Expect(authorization.Response.IsError, "an error response (invalid_request) to the redirect URI", Steps.Describe(authorization.Response));
        },
        threats: "RFC9700 §4.8");

    public static Check ChallengeWithoutMethodRefused { get; } = Define.Rule(
        "PKCE-06", Area, RequirementLevel.Must, Severity.Medium,
        "An authorization server that supports only S256 MUST refuse a code_challenge without code_challenge_method, which means plain.",
        "RFC7636 §4.3; RFC7636 §4.4.1", "a server whose code_challenge_methods_supported lists S256 but not plain",
        "Treat a missing code_challenge_method as plain and refuse it when plain is not supported.",
        async c =>
        {
            c.Require(!c.Server.Metadata.CodeChallengeMethodsSupported.Contains("plain"), $"server '{c.Server.Name}' advertises plain");
            var client = c.Client("native");
            var authorization = await Steps.AuthorizeAsync(c, client, change: r => r with { CodeChallengeMethod = null }).ConfigureAwait(false);

            c.Expect(authorization.Response.IsError, "an error response (invalid_request) to the redirect URI", Steps.Describe(authorization.Response));
        },
        threats: "RFC9700 §4.8");

    public static Check PublicClientWithoutPkceRefused { get; } = Define.Rule(
        "PKCE-07", Area, RequirementLevel.Must, Severity.High,
        "The authorization server MUST refuse an authorization code request from a public client without a code_challenge.",
        "RFC9700 §2.1.1; RFC7636 §4.4.1", "a public native client",
        "Require PKCE for every public client.",
        async c =>
        {
            var client = c.Client("native");
            var authorization = await Steps.AuthorizeAsync(c, client, pkce: false).ConfigureAwait(false);

            c.Expect(authorization.Response.IsError, "an error response (invalid_request) to the redirect URI", Steps.Describe(authorization.Response));
        },
        threats: "RFC6819 §4.4.1.1; RFC9700 §4.5");
}
