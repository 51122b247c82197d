using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>
/// DPoP (RFC 9449): the token endpoint's validation of proofs (§4.3). Applies only where the server advertises
/// dpop_signing_alg_values_supported; the bindings a proof makes are in Dpop.Binding.cs.
/// </summary>
public static partial class Dpop
{
    private const string Area = "dpop";

    public static Check AlgNoneRefused { get; } = Define.Rule(new()
    {
        Id = "DPOP-01",
        Anchors = "OAuch: DPoP/IsSignatureRequiredTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST refuse a DPoP proof with alg 'none' (no signature).",
        Specs = "RFC9449 §4.3; RFC9449 §5",
        Applicability = DpopSteps.Advertised,
        Remediation = "Accept only the asymmetric algorithms you list in dpop_signing_alg_values_supported; answer invalid_dpop_proof otherwise.",
        Run = c => DpopSteps.ExpectProofRefusedAsync(c, (key, endpoint) => DpopSteps.Proofs(key, "POST", endpoint, change: p => p with { Alg = "none" })),
        Threats = "RFC9449 §11.1",
    });

    public static Check SymmetricAlgRefused { get; } = Define.Rule(new()
    {
        Id = "DPOP-02",
        Anchors = "OAuch: DPoP/IsSignatureRequiredTest (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST refuse a DPoP proof signed with a symmetric algorithm (HS256 under a jwk of kty 'oct').",
        Specs = "RFC9449 §4.3; RFC9449 §4.2",
        Applicability = DpopSteps.Advertised,
        Remediation = "Refuse every alg that is not a registered asymmetric signature algorithm you support; a MAC proves nothing about a public key.",
        Run = c => DpopSteps.ExpectProofRefusedAsync(c, (key, endpoint) => DpopSteps.Proofs(key, "POST", endpoint, change: p => p with { Alg = "HS256" })),
        Threats = "RFC9449 §11.1",
    });

    public static Check BadSignatureRefused { get; } = Define.Rule(new()
    {
        Id = "DPOP-03",
        Anchors = "OAuch: DPoP/IsSignatureRequiredTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST refuse a DPoP proof whose signature does not verify with the public key of its jwk header.",
        Specs = "RFC9449 §4.3",
        Applicability = DpopSteps.Advertised,
        Remediation = "Verify the proof's signature with the jwk header's key under the header's alg before using anything in it.",
        Run = c => DpopSteps.ExpectProofRefusedAsync(c, (key, endpoint) => nonce => Tamper.Signature(DpopSteps.Proofs(key, "POST", endpoint)(nonce))),
        Threats = "RFC9449 §11.1",
    });

    public static Check ExplicitTypeRequired { get; } = Define.Rule(new()
    {
        Id = "DPOP-04",
        Anchors = "OAuch: DPoP/IsExplicitTypingRequiredTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The token endpoint MUST refuse a DPoP proof whose typ header is not 'dpop+jwt'.",
        Specs = "RFC9449 §4.3; RFC9449 §4.2",
        Applicability = DpopSteps.Advertised,
        Remediation = "Require typ 'dpop+jwt', so no other kind of JWT signed by the client passes as a proof.",
        Run = c => DpopSteps.ExpectProofRefusedAsync(c, (key, endpoint) => DpopSteps.Proofs(key, "POST", endpoint, change: p => p with { Typ = "JWT" })),
        Threats = "RFC8725 §3.11",
    });

    public static Check MethodMismatchRefused { get; } = Define.Rule(new()
    {
        Id = "DPOP-05",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The token endpoint MUST refuse a DPoP proof whose htm is not the method of the request (GET in a proof sent with a POST).",
        Specs = "RFC9449 §4.3",
        Applicability = DpopSteps.Advertised,
        Remediation = "Compare htm with the request's method and refuse the proof on a mismatch.",
        Run = c => DpopSteps.ExpectProofRefusedAsync(c, (key, endpoint) => DpopSteps.Proofs(key, "GET", endpoint)),
        Threats = "RFC9449 §11.1",
    });

    public static Check UriMismatchRefused { get; } = Define.Rule(new()
    {
        Id = "DPOP-06",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The token endpoint MUST refuse a DPoP proof whose htu names another URI than the token endpoint.",
        Specs = "RFC9449 §4.3",
        Applicability = DpopSteps.Advertised,
        Remediation = "Compare htu (without query and fragment) with the URI the request was sent to and refuse the proof on a mismatch.",
        Run = c => DpopSteps.ExpectProofRefusedAsync(c, (key, endpoint) =>
            DpopSteps.Proofs(key, "POST", Tamper.Uri(endpoint, path: endpoint.AbsolutePath.TrimEnd('/') + "-elsewhere"))),
        Threats = "RFC9449 §11.1",
    });

    public static Check StaleProofRefused { get; } = Define.Rule(new()
    {
        Id = "DPOP-07",
        Area = Area,
        // §4.3 makes the window the server's choice ("acceptable"); §11.1 asks for a brief one. An hour-old proof
        // is outside any brief window, but a server with a longer one breaks no MUST: a warning.
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "The token endpoint SHOULD refuse a DPoP proof whose iat is an hour old.",
        Specs = "RFC9449 §4.3; RFC9449 §11.1",
        Applicability = DpopSteps.Advertised,
        Remediation = "Accept proofs only within a brief window around the server's clock (seconds to a few minutes), or use server-provided nonces (§8).",
        Run = c => DpopSteps.ExpectProofRefusedAsync(c, (key, endpoint) =>
            DpopSteps.Proofs(key, "POST", endpoint, change: p => p with { IssuedAt = DateTimeOffset.UtcNow.AddHours(-1) })),
        Threats = "RFC9449 §11.1",
    });

    public static Check ReplayedProofRefused { get; } = Define.Rule(new()
    {
        Id = "DPOP-08",
        Area = Area,
        // §11.1 asks servers to remember jti values within the window ("SHOULD"); it is not among §4.3's MUSTs.
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "The token endpoint SHOULD refuse a DPoP proof whose jti it has already accepted (the same proof sent again).",
        Specs = "RFC9449 §11.1; RFC9449 §4.2",
        Applicability = DpopSteps.Advertised,
        Remediation = "Keep the jti of every accepted proof for as long as its iat would be accepted, and refuse a proof whose jti is known.",
        Run = async c =>
        {
            DpopSteps.RequireDpop(c);
            var endpoint = DpopSteps.TokenEndpoint(c);
            using var key = new DpopKey();
            string? sent = null;
            var honest = await DpopSteps.GrantWithProofAsync(c, nonce => sent = DpopSteps.Proofs(key, "POST", endpoint)(nonce)).ConfigureAwait(false);
            c.Precondition(honest.IsSuccess && sent is not null, $"the token request with an honest DPoP proof failed: {Steps.Describe(honest)}");

            var replay = await DpopSteps.GrantWithProofAsync(c, _ => sent!).ConfigureAwait(false);

            DpopSteps.ExpectRefused(c, replay);
        },
        Threats = "RFC9449 §11.1",
    });

    public static Check MissingJtiRefused { get; } = Define.Rule(new()
    {
        Id = "DPOP-09",
        Anchors = "OAuch: DPoP/HasRequiredClaimsTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The token endpoint MUST refuse a DPoP proof that lacks a required claim (here jti).",
        Specs = "RFC9449 §4.3; RFC9449 §4.2",
        Applicability = DpopSteps.Advertised,
        Remediation = "Require jti, htm, htu and iat in every proof.",
        Run = c => DpopSteps.ExpectProofRefusedAsync(c, (key, endpoint) => DpopSteps.Proofs(key, "POST", endpoint, change: p => p with { Jti = null })),
        Threats = "RFC9449 §11.1",
    });

    public static Check ServerNonceRequired { get; } = Define.Rule(new()
    {
        Id = "DPOP-14",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "A token endpoint that asks for a DPoP nonce (use_dpop_nonce) MUST refuse a proof whose nonce is not one it provided.",
        Specs = "RFC9449 §4.3; RFC9449 §8",
        Applicability = DpopSteps.Advertised + " whose token endpoint asks for a nonce (use_dpop_nonce with DPoP-Nonce)",
        Remediation = "Compare the proof's nonce with the nonces you issued (and their lifetime) and answer use_dpop_nonce with a fresh DPoP-Nonce otherwise.",
        Run = async c =>
        {
            DpopSteps.RequireDpop(c);
            var endpoint = DpopSteps.TokenEndpoint(c);
            using var key = new DpopKey();
            string? provided = null;
            var honest = await DpopSteps.GrantWithProofAsync(c, nonce =>
            {
                provided ??= nonce;
                return DpopSteps.Proofs(key, "POST", endpoint)(nonce);
            }).ConfigureAwait(false);
            c.Require(provided is not null || !honest.IsSuccess, $"server '{c.Server.Name}' did not ask for a DPoP nonce at its token endpoint (nonces are its option, RFC 9449 §8)");
            c.Precondition(honest.IsSuccess, $"the token request with an honest DPoP proof and the server's nonce failed: {Steps.Describe(honest)}");

            var forged = await DpopSteps.GrantWithProofAsync(c, DpopSteps.Proofs(key, "POST", endpoint, change: p => p with { Nonce = "conformance-" + Harness.Protocol.Random.Token(12) })).ConfigureAwait(false);

            c.Expect(!forged.IsSuccess, "no tokens (HTTP 400, error 'use_dpop_nonce' or 'invalid_dpop_proof')", Steps.Describe(forged));
        },
        Threats = "RFC9449 §11.1; RFC9449 §11.2",
    });

    public static Check PrivateKeyInJwkRefused { get; } = Define.Rule(new()
    {
        Id = "DPOP-15",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The token endpoint MUST refuse a DPoP proof whose jwk header contains a private key.",
        Specs = "RFC9449 §4.3",
        Applicability = DpopSteps.Advertised,
        Remediation = "Refuse a proof whose jwk has private members (d, p, q, dp, dq, qi, oth): the client's key is compromised.",
        Run = c => DpopSteps.ExpectProofRefusedAsync(c, (key, endpoint) => DpopSteps.Proofs(key, "POST", endpoint, change: p => p with { PrivateKeyInJwk = true })),
        Threats = "RFC9449 §11.1",
    });
}
