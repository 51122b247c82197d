using System.Net;
using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>DPoP (RFC 9449): what a proof binds: the access token at userinfo (§7) and a public client's refresh token (§5).</summary>
public static partial class Dpop
{
    private const string BoundAtUserInfo = DpopSteps.Advertised + ", a userinfo_endpoint and a confidential web client using the code flow";

    public static Check BoundTokenAsBearerRefused { get; } = Define.Rule(new()
    {
        Id = "DPOP-10",
        Anchors = "OAuch: DPoP/IsDPoPTokenRequiredTest; OAuch: ApiEndpoint/AreBearerTokensDisabledTest (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "A protected resource (userinfo) MUST refuse a DPoP-bound access token presented as a Bearer token without a proof.",
        Specs = "RFC9449 §7.1; RFC9449 §7",
        Applicability = BoundAtUserInfo,
        Remediation = "When the access token carries cnf.jkt, accept it only with the DPoP scheme and a valid proof of that key.",
        Run = c => DpopSteps.ExpectUserInfoRefusedAsync(c, "HTTP 401: a bound token is not a bearer token",
            (oauth, _, token, _) => oauth.DpopUserInfoAsync(token, "Bearer", _ => null, c.Cancellation)),
        Threats = "RFC9449 §2; RFC9700 §4.10",
    });

    public static Check OtherKeyRefused { get; } = Define.Rule(new()
    {
        Id = "DPOP-11",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "A protected resource (userinfo) MUST refuse a DPoP-bound access token with a proof signed by another key than the one its cnf.jkt names.",
        Specs = "RFC9449 §4.3; RFC9449 §7; RFC9449 §6.1",
        Applicability = BoundAtUserInfo,
        Remediation = "Compare the JWK SHA-256 thumbprint of the proof's key with the token's cnf.jkt and refuse a mismatch.",
        Run = c => DpopSteps.ExpectUserInfoRefusedAsync(c, "HTTP 401: the proof is not of the token's key",
            async (oauth, endpoint, token, _) =>
            {
                using var thief = new DpopKey();
                return await oauth.DpopUserInfoAsync(token, "DPoP", DpopSteps.Proofs(thief, "GET", endpoint, token), c.Cancellation).ConfigureAwait(false);
            }),
        Threats = "RFC9449 §2; RFC9449 §11.1",
    });

    public static Check AccessTokenHashChecked { get; } = Define.Rule(new()
    {
        Id = "DPOP-12",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A protected resource (userinfo) MUST refuse a DPoP proof whose ath is not the hash of the access token it accompanies.",
        Specs = "RFC9449 §4.3; RFC9449 §7",
        Applicability = BoundAtUserInfo,
        Remediation = "Compare ath with BASE64URL(SHA-256(access token)) and refuse a proof made for another token.",
        Run = c => DpopSteps.ExpectUserInfoRefusedAsync(c, "HTTP 401: the proof was made for another access token",
            (oauth, endpoint, token, key) => oauth.DpopUserInfoAsync(token, "DPoP",
                DpopSteps.Proofs(key, "GET", endpoint, token, p => p with { Ath = DpopKey.Ath(BackChannel.GarbageToken()) }), c.Cancellation)),
        Threats = "RFC9449 §11.1",
    });

    public static Check PublicRefreshTokenBound { get; } = Define.Rule(new()
    {
        Id = "DPOP-13",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A refresh token issued to a public client with DPoP MUST be bound to its key: a refresh request with a proof of another key MUST be refused.",
        Specs = "RFC9449 §5; RFC9449 §5.2",
        Applicability = DpopSteps.Advertised + ", a public native client and refresh tokens for it (offline_access)",
        Remediation = "Keep the JWK thumbprint with a public client's refresh token and require a proof of that key at every refresh.",
        Run = async c =>
        {
            using var key = new DpopKey();
            var (client, tokens) = await DpopSteps.BoundUserTokensAsync(c, key, "native", "openid offline_access").ConfigureAwait(false);
            c.Require(tokens.RefreshToken is not null, Offering.NoRefreshToken(c.Server, client.ClientId, "the code flow with scope 'openid offline_access' and DPoP"));
            var endpoint = DpopSteps.TokenEndpoint(c);
            var oauth = c.OAuth(client);
            var honest = await oauth.DpopTokenAsync(Refresh(tokens.RefreshToken!), DpopSteps.Proofs(key, "POST", endpoint), ct: c.Cancellation).ConfigureAwait(false);
            c.Precondition(honest is { IsSuccess: true, RefreshToken: not null }, $"the honest refresh with a proof of the same key failed: {Steps.Describe(honest)}");

            using var thief = new DpopKey();
            var stolen = await oauth.DpopTokenAsync(Refresh(honest.RefreshToken!), DpopSteps.Proofs(thief, "POST", endpoint), ct: c.Cancellation).ConfigureAwait(false);

            DpopSteps.ExpectRefused(c, stolen);
        },
        Threats = "RFC9449 §2; RFC9700 §4.14",
    });

    public static Check TokenTypeDpop { get; } = Define.Rule(new()
    {
        Id = "DPOP-16",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "A token response to a request with a valid DPoP proof MUST say token_type DPoP, so the client knows the token is bound to its key.",
        Specs = "RFC9449 §5; RFC6749 §5.1",
        Applicability = DpopSteps.Advertised,
        Remediation = "Answer token_type 'DPoP' whenever the access token was bound to the proof's key (cnf.jkt).",
        Run = async c =>
        {
            DpopSteps.RequireDpop(c);
            using var key = new DpopKey();

            var tokens = await DpopSteps.GrantWithProofAsync(c, DpopSteps.Proofs(key, "POST", DpopSteps.TokenEndpoint(c))).ConfigureAwait(false);

            c.Precondition(tokens.IsSuccess, $"the token request with an honest DPoP proof failed: {Steps.Describe(tokens)}");
            if (tokens.TokenType is null)
            {
                // A missing token_type is judged once, by CODE-09 (RFC 6749 §5.1), not again in every area.
                c.Note("the token response has no token_type at all (CODE-09's rule)");
                return;
            }

            // RFC 6749 §5.1: the token_type value is case insensitive.
            c.Expect(string.Equals(tokens.TokenType, "DPoP", StringComparison.OrdinalIgnoreCase), "token_type 'DPoP'", $"token_type '{tokens.TokenType ?? "(absent)"}'");
        },
    });

    private static List<KeyValuePair<string, string>> Refresh(string refreshToken) => [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)];
}
