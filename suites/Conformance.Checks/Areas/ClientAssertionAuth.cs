using Conformance.Harness.Checks;
using Conformance.Harness.Jose;

namespace Conformance.Checks.Areas;

/// <summary>
/// private_key_jwt client authentication (RFC 7523 §3, OIDC Core §9): what the token endpoint must check in a
/// client assertion before it counts as the client's authentication.
/// </summary>
public static class ClientAssertionAuth
{
    private const string Area = "client-assertion";

    public static Check IssuerAudienceAccepted { get; } = Define.Rule(new()
    {
        Id = "PKJWT-01",
        Anchors = "OAuch: Jwt/SupportsJwtClientAuthenticationTest; OIDF: oidcc-ensure-client-assertion-with-iss-aud-succeeds",
        Area = Area,
        // RFC 7523 §3: aud identifies the authorization server; the issuer identifier is its identity (RFC 8414 §2),
        // while OIDC Core §9 says aud SHOULD be the token endpoint URL. Refusing the issuer breaks no MUST: a warning.
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "The token endpoint SHOULD accept a private_key_jwt assertion whose aud is the issuer identifier (iss = sub = client_id), as it accepts one whose aud is the token endpoint URL.",
        Specs = "RFC7523 §3; OIDC-Core §9",
        Applicability = Assertions.Applicability,
        Remediation = "Accept the issuer identifier and the token endpoint URL as audiences of a client assertion.",
        Run = async c =>
        {
            var (client, scope) = Assertions.Require(c);
            await Assertions.RequireHonestAsync(c, client, scope).ConfigureAwait(false);
            var claims = Assertions.Honest(c, client) with { Audience = c.Server.Metadata.Issuer ?? c.Server.Profile.Issuer.OriginalString };

            var tokens = await Assertions.GrantAsync(c, client, scope, Assertions.Signed(client, claims)).ConfigureAwait(false);

            c.Expect(tokens.IsSuccess, "an access token for the assertion with aud = issuer", Steps.Describe(tokens));
        },
    });

    public static Check WrongAudienceRefused { get; } = Define.Rule(new()
    {
        Id = "PKJWT-02",
        Anchors = "OAuch: Jwt/HasAudienceClaimTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The token endpoint MUST reject a client assertion whose aud does not name this authorization server.",
        Specs = "RFC7523 §3; OIDC-Core §9",
        Applicability = Assertions.Applicability,
        Remediation = "Accept only this server's own identifiers (issuer, token endpoint URL) as aud; answer anything else with invalid_client.",
        Run = async c =>
        {
            var (client, scope) = Assertions.Require(c);
            await Assertions.RequireHonestAsync(c, client, scope).ConfigureAwait(false);
            var claims = Assertions.Honest(c, client) with { Audience = "https://conformance.invalid/another-authorization-server/token" };

            var tokens = await Assertions.GrantAsync(c, client, scope, Assertions.Signed(client, claims)).ConfigureAwait(false);

            Assertions.ExpectRefused(c, tokens);
        },
        Threats = "RFC7523 §6",
    });

    public static Check ExpiredRefused { get; } = Define.Rule(new()
    {
        Id = "PKJWT-03",
        Anchors = "OAuch: Jwt/IsExpirationCheckedTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The token endpoint MUST reject a client assertion whose exp has passed (beyond a small clock skew).",
        Specs = "RFC7523 §3; OIDC-Core §9",
        Applicability = Assertions.Applicability,
        Remediation = "Validate exp of client assertions, allowing a few minutes of clock skew at most.",
        Run = async c =>
        {
            var (client, scope) = Assertions.Require(c);
            await Assertions.RequireHonestAsync(c, client, scope).ConfigureAwait(false);
            // An hour old, expired for 55 minutes: far beyond any reasonable clock skew.
            var now = DateTimeOffset.UtcNow;
            var claims = Assertions.Honest(c, client) with { IssuedAt = now.AddHours(-1), ExpiresAt = now.AddMinutes(-55) };

            var tokens = await Assertions.GrantAsync(c, client, scope, Assertions.Signed(client, claims)).ConfigureAwait(false);

            Assertions.ExpectRefused(c, tokens);
        },
        Threats = "RFC7523 §6",
    });

    public static Check ReplayRefused { get; } = Define.Rule(new()
    {
        Id = "PKJWT-04",
        Anchors = "OAuch: Jwt/IsJwtReplayDetectedTest",
        Area = Area,
        // OIDC Core §9: jti "MUST only be used once" binds the client's use; RFC 7523 §3 says the server "MAY ensure
        // that JWTs are not replayed". No MUST obliges the server to keep jti values, so an accepted replay warns.
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "The token endpoint SHOULD refuse a client assertion it has already accepted (same jti) while that assertion is unexpired.",
        Specs = "OIDC-Core §9; RFC7523 §3",
        Applicability = Assertions.Applicability,
        Remediation = "Remember the jti of each accepted assertion until its exp and answer a second use with invalid_client.",
        Run = async c =>
        {
            var (client, scope) = Assertions.Require(c);
            var assertion = Assertions.Signed(client, Assertions.Honest(c, client));
            var first = await Assertions.GrantAsync(c, client, scope, assertion).ConfigureAwait(false);
            Steps.RequireGranted(c, "client_credentials", first);

            var replay = await Assertions.GrantAsync(c, client, scope, assertion).ConfigureAwait(false);

            Assertions.ExpectRefused(c, replay);
        },
        Threats = "RFC7523 §6; RFC6819 §4.3.1",
    });

    public static Check UnsignedRefused { get; } = Define.Rule(new()
    {
        Id = "PKJWT-05",
        Anchors = "OAuch: Jwt/IsSignatureRequiredTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST reject an unsigned client assertion (alg none): it authenticates nobody.",
        Specs = "RFC7523 §3; OIDC-Core §9",
        Applicability = Assertions.Applicability,
        Remediation = "Require a signature by one of the client's registered keys; never accept alg none.",
        Run = async c =>
        {
            var (client, scope) = Assertions.Require(c);
            await Assertions.RequireHonestAsync(c, client, scope).ConfigureAwait(false);

            var tokens = await Assertions.GrantAsync(c, client, scope, ClientAssertion.Unsigned(Assertions.Honest(c, client))).ConfigureAwait(false);

            Assertions.ExpectRefused(c, tokens);
        },
        Threats = "RFC7523 §6; RFC8725 §2.1",
    });

    public static Check UnknownKeyRefused { get; } = Define.Rule(new()
    {
        Id = "PKJWT-06",
        Anchors = "OAuch: Jwt/IsSignatureCheckedTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST reject a client assertion signed by a key the client has not registered.",
        Specs = "RFC7523 §3; OIDC-Core §9",
        Applicability = Assertions.Applicability,
        Remediation = "Verify the signature with the client's registered JWKS only; refuse keys it does not contain.",
        Run = async c =>
        {
            var (client, scope) = Assertions.Require(c);
            await Assertions.RequireHonestAsync(c, client, scope).ConfigureAwait(false);

            var tokens = await Assertions.GrantAsync(c, client, scope, ClientAssertion.Sign(Assertions.Honest(c, client), ClientAssertion.StrangerKey())).ConfigureAwait(false);

            Assertions.ExpectRefused(c, tokens);
        },
        Threats = "RFC7523 §6",
    });

    public static Check SubjectOtherThanIssuerRefused { get; } = Define.Rule(new()
    {
        Id = "PKJWT-07",
        Anchors = "OAuch: Jwt/HasSubjectClaimTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The token endpoint MUST reject a client assertion whose sub is not the client_id (iss = sub = client_id for client authentication).",
        Specs = "RFC7523 §3; OIDC-Core §9",
        Applicability = Assertions.Applicability,
        Remediation = "Require iss and sub of a client assertion both to equal the authenticating client's client_id.",
        Run = async c =>
        {
            var (client, scope) = Assertions.Require(c);
            await Assertions.RequireHonestAsync(c, client, scope).ConfigureAwait(false);
            var claims = Assertions.Honest(c, client) with { Subject = "conformance-other-" + Harness.Protocol.Random.Token(8) };

            var tokens = await Assertions.GrantAsync(c, client, scope, Assertions.Signed(client, claims)).ConfigureAwait(false);

            Assertions.ExpectRefused(c, tokens);
        },
        Threats = "RFC7523 §6",
    });

    public static Check NotYetValidRefused { get; } = Define.Rule(new()
    {
        Id = "PKJWT-08",
        Anchors = "OAuch: Jwt/IsNotBeforeCheckedTest",
        Area = Area,
        // RFC 7523 §3: nbf "identifies the time before which the token MUST NOT be accepted for processing".
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The token endpoint MUST NOT accept a client assertion before its nbf (beyond a small clock skew).",
        Specs = "RFC7523 §3",
        Applicability = Assertions.Applicability,
        Remediation = "Validate nbf of client assertions when present, allowing a few minutes of clock skew at most.",
        Run = async c =>
        {
            var (client, scope) = Assertions.Require(c);
            await Assertions.RequireHonestAsync(c, client, scope).ConfigureAwait(false);
            // Valid from an hour ahead: no clock skew explains it.
            var now = DateTimeOffset.UtcNow;
            var claims = Assertions.Honest(c, client) with { NotBefore = now.AddHours(1), ExpiresAt = now.AddHours(1).AddMinutes(5) };

            var tokens = await Assertions.GrantAsync(c, client, scope, Assertions.Signed(client, claims)).ConfigureAwait(false);

            Assertions.ExpectRefused(c, tokens);
        },
        Threats = "RFC7523 §6",
    });
}
