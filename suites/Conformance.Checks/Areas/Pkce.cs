using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>Proof Key for Code Exchange at the token endpoint (RFC 7636, RFC 9700 §2.1.1).</summary>
public static partial class Pkce
{
    private const string Area = "pkce";
    private const string Native = "a public native client using the authorization code grant with PKCE (S256)";

    public static Check WrongVerifierRefused { get; } = Define.Rule(new()
    {
        Id = "PKCE-01",
        Anchors = "OAuch: Pkce/IsPkceImplementedTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST refuse a code_verifier that does not match the code_challenge.",
        Specs = "RFC7636 §4.6; RFC9700 §2.1.1",
        Applicability = Native,
        Remediation = "Compute BASE64URL(SHA256(code_verifier)) at redemption and compare it with the stored challenge; refuse with invalid_grant on mismatch.",
        Run = async c =>
        {
            var client = c.Client("native");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);

            var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, CodeVerifier.New(), ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(tokens.Error == "invalid_grant", "HTTP 400, error 'invalid_grant'", Steps.Describe(tokens));
        },
        Threats = "RFC6819 §4.4.1.1; RFC9700 §4.5",
    });

    public static Check MissingVerifierRefused { get; } = Define.Rule(new()
    {
        Id = "PKCE-02",
        Anchors = "OAuch: Pkce/IsPkceTokenDowngradeDetectedTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST refuse a code whose request carried a code_challenge when no code_verifier is sent.",
        Specs = "RFC7636 §4.6; RFC9700 §2.1.1",
        Applicability = Native,
        Remediation = "Require code_verifier whenever the authorization request carried a code_challenge.",
        Run = async c =>
        {
            var client = c.Client("native");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);

            var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, verifier: null, ct: c.Cancellation).ConfigureAwait(false);

            Steps.ExpectRefused(c, tokens, "no tokens (HTTP 400, error 'invalid_request' or 'invalid_grant')", "invalid_request", "invalid_grant");
        },
        Threats = "RFC6819 §4.4.1.1; RFC9700 §4.5",
    });

    public static Check DowngradeRefused { get; } = Define.Rule(new()
    {
        Id = "PKCE-03",
        Anchors = "OAuch: Pkce/IsPkceDowngradeDetectedTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The token endpoint MUST refuse a code_verifier for a code whose authorization request carried no code_challenge (PKCE downgrade).",
        Specs = "RFC9700 §2.1.1; RFC9700 §4.8.2",
        Applicability = "a confidential web client that may use the code grant without PKCE",
        Remediation = "Reject a token request with a code_verifier when no code_challenge was stored with the code.",
        Run = async c =>
        {
            var client = c.Client("web");
            var authorization = await Steps.CodeAsync(c, client, pkce: false).ConfigureAwait(false);

            var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, CodeVerifier.New(), ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(!tokens.IsSuccess, "an error (invalid_request or invalid_grant): a verifier without a challenge is a downgrade", Steps.Describe(tokens));
        },
        Threats = "RFC9700 §4.8.2",
    });

    public static Check PlainVerifierRefused { get; } = Define.Rule(new()
    {
        Id = "PKCE-04",
        Anchors = "OAuch: Pkce/IsPkcePlainDowngradeDetectedTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "For an S256 challenge the token endpoint MUST refuse the challenge itself presented as the code_verifier.",
        Specs = "RFC7636 §4.6",
        Applicability = Native,
        Remediation = "Apply the S256 transformation to the presented verifier; never compare the verifier with the challenge directly.",
        Run = async c =>
        {
            var client = c.Client("native");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);

            var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, new CodeVerifier(authorization.Request.CodeChallenge!), ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(tokens.Error == "invalid_grant", "HTTP 400, error 'invalid_grant'", Steps.Describe(tokens));
        },
        Threats = "RFC6819 §4.4.1.1",
    });

    public static Check PlainMethodRefused { get; } = Define.Rule(new()
    {
        Id = "PKCE-05",
        Anchors = "OAuch: Features/PlainPkceTest (partial); OAuch: Pkce/PlainPkceDisabledTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "An authorization server that supports only S256 MUST refuse code_challenge_method=plain.",
        Specs = "RFC7636 §4.4.1; RFC9700 §2.1.1",
        Applicability = "a server whose code_challenge_methods_supported lists S256 but not plain",
        Remediation = "Accept only the methods you advertise; answer invalid_request for any other code_challenge_method.",
        Run = async c =>
        {
            c.Require(!c.Server.Metadata.CodeChallengeMethodsSupported.Contains("plain"), $"server '{c.Server.Name}' advertises plain");
            var client = c.Client("native");
            var authorization = await Steps.AuthorizeAsync(c, client, change: r => r with { CodeChallenge = CodeVerifier.New().Value, CodeChallengeMethod = "plain" }).ConfigureAwait(false);

            c.Expect(authorization.Response.IsError, "an error response (invalid_request) to the redirect URI", Steps.Describe(authorization.Response));
        },
        Threats = "RFC9700 §4.8",
    });

    public static Check ChallengeWithoutMethodRefused { get; } = Define.Rule(new()
    {
        Id = "PKCE-06",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "An authorization server that supports only S256 MUST refuse a code_challenge without code_challenge_method, which means plain.",
        Specs = "RFC7636 §4.3; RFC7636 §4.4.1",
        Applicability = "a server whose code_challenge_methods_supported lists S256 but not plain",
        Remediation = "Treat a missing code_challenge_method as plain and refuse it when plain is not supported.",
        Run = async c =>
        {
            c.Require(!c.Server.Metadata.CodeChallengeMethodsSupported.Contains("plain"), $"server '{c.Server.Name}' advertises plain");
            var client = c.Client("native");
            var authorization = await Steps.AuthorizeAsync(c, client, change: r => r with { CodeChallengeMethod = null }).ConfigureAwait(false);

            c.Expect(authorization.Response.IsError, "an error response (invalid_request) to the redirect URI", Steps.Describe(authorization.Response));
        },
        Threats = "RFC9700 §4.8",
    });

    public static Check PublicClientWithoutPkceRefused { get; } = Define.Rule(new()
    {
        Id = "PKCE-07",
        Anchors = "OAuch: Pkce/IsPkceRequiredTest (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The authorization server MUST refuse an authorization code request from a public client without a code_challenge.",
        Specs = "RFC9700 §2.1.1; RFC7636 §4.4.1",
        Applicability = "a public native client",
        Remediation = "Require PKCE for every public client.",
        Run = async c =>
        {
            var client = c.Client("native");
            var authorization = await Steps.AuthorizeAsync(c, client, pkce: false).ConfigureAwait(false);

            c.Expect(authorization.Response.IsError, "an error response (invalid_request) to the redirect URI", Steps.Describe(authorization.Response));
        },
        Threats = "RFC6819 §4.4.1.1; RFC9700 §4.5",
    });

    public static Check ShortVerifierRefused { get; } = Define.Rule(new()
    {
        Id = "PKCE-08",
        Anchors = "OAuch: Pkce/ShortVerifierTest",
        Area = Area,
        // RFC 7636 §4.1 binds the client (a verifier of 43 to 128 unreserved characters); no clause obliges the
        // server to refuse a shorter one, so tolerating it is a warning, never a failure.
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "The token endpoint SHOULD refuse a code_verifier shorter than the 43 characters RFC 7636 §4.1 requires, even when it matches the code_challenge.",
        Specs = "RFC7636 §4.1; RFC7636 §7.1",
        Applicability = Native,
        Remediation = "Check the code_verifier's length (43 to 128) and character set at redemption and answer invalid_request or invalid_grant when it is outside them.",
        Run = async c =>
        {
            var client = c.Client("native");
            // 42 unreserved characters: one short of the minimum, with a challenge that honestly matches it, so
            // only the length is wrong.
            var shortVerifier = new CodeVerifier(CodeVerifier.New().Value[..42]);
            var authorization = await Steps.AuthorizeAsync(c, client, change: r => r.WithPkce(shortVerifier)).ConfigureAwait(false);
            c.Precondition(authorization.Response is { IsError: false, Code: not null },
                $"the authorization request with a challenge of a 42-character verifier got no code: {Steps.Describe(authorization.Response)}");

            var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, shortVerifier, ct: c.Cancellation).ConfigureAwait(false);

            Steps.ExpectRefused(c, tokens, "no tokens (HTTP 400, error 'invalid_request' or 'invalid_grant')", "invalid_request", "invalid_grant");
        },
        Threats = "RFC7636 §7.1",
    });
}
