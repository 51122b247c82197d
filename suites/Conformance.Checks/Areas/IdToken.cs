using Conformance.Harness.Checks;
using Conformance.Harness.Jose;
using Conformance.Harness.Target;

namespace Conformance.Checks.Areas;

/// <summary>ID tokens as a relying party must validate them (OIDC Core §2, §3.1.3.7), judged by the harness's one validator.</summary>
public static class IdToken
{
    private const string Area = "id-token";
    private const string CodeClient = "a redirecting client (web or native) using the authorization code grant with the openid scope";

    /// <summary>How the validator words a key or signature failure.</summary>
    private static readonly string[] SignatureFailures = ["not a compact JWS", "kid ", "no signing key", "the signature"];

    public static Check AlgorithmAdvertised { get; } = Define.Rule(new()
    {
        Id = "IDT-01",
        Anchors = "OAuch: IdTokens/IsSignedTest; OIDF: oidcc-idtoken-signature",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The ID token MUST be signed (alg other than none) with an algorithm the server advertises in id_token_signing_alg_values_supported.",
        Specs = "OIDC-Core §2; OIDC-Core §3.1.3.7; OIDC-Discovery §3",
        Applicability = CodeClient,
        Remediation = "Sign every ID token with the advertised asymmetric algorithm (RS256); never issue unsigned ID tokens.",
        Run = async c =>
        {
            var (_, validation) = await CodeFlowIdTokenAsync(c).ConfigureAwait(false);
            var failures = Matching(validation, "alg ");

            c.Expect(failures.Count == 0, $"alg among [{string.Join(", ", c.Server.Metadata.IdTokenSigningAlgValuesSupported)}] and not 'none'",
                $"header alg '{validation.Token?.Alg}': {string.Join("; ", failures)}");
        },
        Threats = "RFC6819 §4.6.7; RFC9700 §4.4",
    });

    public static Check SignatureVerifies { get; } = Define.Rule(new()
    {
        Id = "IDT-02",
        Anchors = "OIDF: oidcc-idtoken-signature",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The ID token's kid MUST resolve to a key in the issuing server's JWKS, and its signature MUST verify with that key.",
        Specs = "OIDC-Core §3.1.3.7; OIDC-Core §10.1",
        Applicability = CodeClient,
        Remediation = "Sign with the private key whose public half is published at jwks_uri under the kid placed in the token header.",
        Run = async c =>
        {
            var (_, validation) = await CodeFlowIdTokenAsync(c).ConfigureAwait(false);
            c.Precondition(Matching(validation, "alg ").Count == 0, "the ID token's alg is not acceptable (see IDT-01), so its signature was not checked");
            var failures = Matching(validation, SignatureFailures);

            c.Expect(validation.SignatureVerified && failures.Count == 0, $"kid '{validation.Token?.Kid}' in {c.Server.Jwks.JwksUri} and a signature that verifies with it",
                failures.Count > 0 ? string.Join("; ", failures) : "the signature was not verified");
        },
        Threats = "RFC6819 §4.6.7; RFC9700 §4.4",
    });

    public static Check IssuerExact { get; } = Define.Rule(new()
    {
        Id = "IDT-03",
        Anchors = "OAuch: IdTokens/HasCorrectIssuerTest; OAuch: IdTokens/HasRequiredClaimsTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The ID token's iss MUST exactly match the issuer of the server that issued it.",
        Specs = "OIDC-Core §3.1.3.7; OIDC-Core §2",
        Applicability = CodeClient,
        Remediation = "Put the server's own issuer identifier, byte for byte as in its metadata, into the iss claim.",
        Run = async c =>
        {
            var (_, validation) = await VerifiedAsync(c).ConfigureAwait(false);
            var failures = Matching(validation, "iss ");

            c.Expect(failures.Count == 0, $"iss '{c.Server.Metadata.Issuer}'", string.Join("; ", failures));
        },
        Threats = "RFC9700 §4.4; RFC6819 §4.6.7",
    });

    public static Check AudienceIsClient { get; } = Define.Rule(new()
    {
        Id = "IDT-04",
        Anchors = "OAuch: IdTokens/HasAuthorizedPartyTest; OAuch: IdTokens/HasAzpForMultiAudienceTest (partial); OAuch: IdTokens/HasCorrectAudienceTest; OAuch: IdTokens/HasRequiredClaimsTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The ID token's aud MUST contain the client_id of the client it was issued to, and azp, when present, MUST be that client_id.",
        Specs = "OIDC-Core §3.1.3.7; OIDC-Core §2",
        Applicability = CodeClient,
        Remediation = "Issue ID tokens with aud set to the requesting client's client_id (and azp equal to it when there are several audiences).",
        Run = async c =>
        {
            var (client, validation) = await VerifiedAsync(c).ConfigureAwait(false);
            var failures = Matching(validation, "aud ", "azp ");

            c.Expect(failures.Count == 0, $"aud containing '{client.ClientId}'", string.Join("; ", failures));
        },
        Threats = "RFC6819 §4.6.7; RFC9700 §4.4",
    });

    public static Check Lifetime { get; } = Define.Rule(new()
    {
        Id = "IDT-05",
        Anchors = "OAuch: IdTokens/HasRequiredClaimsTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The ID token MUST carry exp in the future and iat not in the future (within clock skew), with exp after iat.",
        Specs = "OIDC-Core §2; OIDC-Core §3.1.3.7",
        Applicability = CodeClient,
        Remediation = "Set iat to the issuing time and exp to a short lifetime after it, from a synchronised clock.",
        Run = async c =>
        {
            var (_, validation) = await VerifiedAsync(c).ConfigureAwait(false);
            var failures = Matching(validation, "exp ", "iat ", "nbf ");
            var token = validation.Token!;
            if (token.TryGetPayloadValue<long>("exp", out var exp) && token.TryGetPayloadValue<long>("iat", out var iat) && exp <= iat)
            {
                failures.Add($"exp {DateTimeOffset.FromUnixTimeSeconds(exp):u} is not after iat {DateTimeOffset.FromUnixTimeSeconds(iat):u}");
            }

            c.Expect(failures.Count == 0, $"exp in the future, iat present and not in the future, exp after iat (clock skew {c.Profile.Options.ClockSkew.TotalSeconds:0} s)", string.Join("; ", failures));
        },
        Threats = "RFC6819 §4.6.1",
    });

    public static Check NonceEchoed { get; } = Define.Rule(new()
    {
        Id = "IDT-06",
        Anchors = "OAuch: IdTokens/NoncePresentInTokenTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "When the authentication request carried a nonce, the ID token MUST carry a nonce claim equal to it.",
        Specs = "OIDC-Core §3.1.3.7; OIDC-Core §3.1.2.1; OIDC-Core §3.2.2.11",
        Applicability = CodeClient,
        Remediation = "Store the request's nonce with the authorization and copy it unchanged into every ID token issued for it.",
        Run = async c =>
        {
            var (_, validation) = await VerifiedAsync(c).ConfigureAwait(false);
            var failures = Matching(validation, "nonce ");

            c.Expect(failures.Count == 0, "nonce equal to the one sent in the authorization request", string.Join("; ", failures));
        },
        Threats = "RFC6819 §4.6.1; RFC9700 §4.5",
    });

    public static Check AtHashBound { get; } = Define.Rule(new()
    {
        Id = "IDT-07",
        Anchors = "OAuch: IdTokens/IsAccessTokenHashCorrectTest; OAuch: IdTokens/IsAccessTokenHashPresentTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "An ID token returned from the authorization endpoint together with an access token (response type 'id_token token') MUST carry an at_hash that matches that access token.",
        Specs = "OIDC-Core §3.2.2.10; OIDC-Core §3.2.2.9; OIDC-Core §3.1.3.6",
        Applicability = "a SPA client and a server that lists response type 'id_token token'",
        Remediation = "Put at_hash, the base64url left half of the access token's hash (with the hash of the ID token's alg), into ID tokens issued with an access token.",
        Run = async c =>
        {
            c.RequireMetadata("response_types_supported", "id_token token");
            var client = c.Client("spa");
            var authorization = await Steps.AuthorizeAsync(c, client, pkce: false, responseType: "id_token token").ConfigureAwait(false);
            var response = authorization.Response;
            c.Precondition(response is { IsError: false, IdToken: not null, AccessToken: not null },
                $"the honest 'id_token token' request got no ID token and access token: {Steps.Describe(response)}");
            c.Target.Http.Redactor.AddArtefact(response.AccessToken);
            var validation = await new IdTokenValidator().ValidateAsync(response.IdToken!, c.Server,
                IdTokenExpectations.FromFrontChannel(authorization.Request, response) with { ClockSkew = c.Profile.Options.ClockSkew }, c.Cancellation).ConfigureAwait(false);
            c.Note(validation.ToString());
            c.Precondition(validation.SignatureVerified, "the ID token's signature could not be verified (see IDT-01, IDT-02), so its at_hash says nothing");
            var failures = Matching(validation, "at_hash ");

            c.Expect(failures.Count == 0, "at_hash present and equal to the left half of the access token's hash", string.Join("; ", failures));
        },
        Threats = "RFC6819 §4.4.2.1; RFC9700 §4.3",
    });

    public static Check SubjectStable { get; } = Define.Rule(new()
    {
        Id = "IDT-08",
        Anchors = "OAuch: IdTokens/HasRequiredClaimsTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The sub of a user MUST be the same in every ID token the server issues for that user to a client: it is locally unique and never reassigned.",
        Specs = "OIDC-Core §2; OIDC-Core §5.7",
        Applicability = CodeClient,
        Remediation = "Derive sub from the user's immutable identifier, not from the session or the login.",
        Run = async c =>
        {
            var (_, first) = await VerifiedAsync(c).ConfigureAwait(false);
            var (_, second) = await VerifiedAsync(c).ConfigureAwait(false);
            var (a, b) = (first.Claim("sub"), second.Claim("sub"));
            c.Precondition(!string.IsNullOrEmpty(a) && !string.IsNullOrEmpty(b), "an ID token had no sub");

            c.Expect(a == b, $"the same sub in both logins of '{c.User.Username}'", $"sub '{a}' then sub '{b}'");
        },
        Threats = "RFC6819 §4.6.7",
    });

    /// <summary>An honest code flow with the openid scope and the validator's verdict on its ID token.</summary>
    private static async Task<(ClientProfile Client, TokenValidation Validation)> CodeFlowIdTokenAsync(CheckContext c)
    {
        var client = Pick.RedirectingClient(c, false, "web", "native");
        var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);
        var tokens = await Steps.RedeemAsync(c, client, authorization).ConfigureAwait(false);
        c.Precondition(!string.IsNullOrEmpty(tokens.IdToken), "the token response to a request with the openid scope carried no id_token");
        var validation = await new IdTokenValidator().ValidateAsync(tokens.IdToken!, c.Server,
            new IdTokenExpectations(client.ClientId, authorization.Request.Nonce) { ClockSkew = c.Profile.Options.ClockSkew }, c.Cancellation).ConfigureAwait(false);
        c.Note(validation.ToString());
        return (client, validation);
    }

    /// <summary>As <see cref="CodeFlowIdTokenAsync"/>, requiring a verified signature: the claims of an unverifiable token say nothing.</summary>
    private static async Task<(ClientProfile Client, TokenValidation Validation)> VerifiedAsync(CheckContext c)
    {
        var (client, validation) = await CodeFlowIdTokenAsync(c).ConfigureAwait(false);
        var signature = Matching(validation, ["alg ", .. SignatureFailures]);
        c.Precondition(validation.Token is not null && validation.SignatureVerified,
            "the ID token's signature could not be verified (see IDT-01, IDT-02), so its claims say nothing: " + string.Join("; ", signature));
        return (client, validation);
    }

    private static List<string> Matching(TokenValidation validation, params string[] prefixes) =>
        validation.Failures.Where(f => prefixes.Any(p => f.StartsWith(p, StringComparison.Ordinal))).ToList();
}
