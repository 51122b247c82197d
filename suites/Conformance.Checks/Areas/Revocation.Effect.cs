using System.Net;
using Conformance.Harness.Checks;

namespace Conformance.Checks.Areas;

/// <summary>What a revocation must change where the token is used, and the endpoint's answer to a malformed request.</summary>
public static partial class Revocation
{
    public static Check RevokedAccessTokenRefusedAtUserInfo { get; } = Define.Rule(new()
    {
        Id = "REV-07",
        Anchors = "OAuch: Revocation/CanAccessTokensBeRevokedTest (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "Once the authorization server has revoked an access token (introspection reports it inactive), its userinfo endpoint MUST refuse it with HTTP 401 invalid_token.",
        Specs = "RFC7009 §2; RFC6750 §3.1; OIDC-Core §5.3.3",
        Applicability = "a revocation_endpoint, an introspection_endpoint and a userinfo_endpoint, and a server that revokes access tokens",
        Remediation = "Check the token's revocation status at the userinfo endpoint (the same store introspection reads), not only its signature and expiry.",
        Run = async c =>
        {
            c.RequireEndpoint("revocation_endpoint");
            c.RequireEndpoint("introspection_endpoint");
            c.RequireEndpoint("userinfo_endpoint");
            var (client, _, tokens) = await BackChannel.UserTokensAsync(c).ConfigureAwait(false);
            var oauth = c.OAuth(client);
            var before = await oauth.UserInfoAsync(tokens.AccessToken!, c.Cancellation).ConfigureAwait(false);
            c.Precondition(before.Status == HttpStatusCode.OK, $"userinfo refused the access token before any revocation: {before}");

            var revoked = await oauth.RevokeAsync(tokens.AccessToken!, "access_token", ct: c.Cancellation).ConfigureAwait(false);
            c.Precondition(revoked == HttpStatusCode.OK, $"the revocation request was answered HTTP {(int)revoked}");
            var introspection = await oauth.IntrospectAsync(tokens.AccessToken!, "access_token", ct: c.Cancellation).ConfigureAwait(false);
            // RFC 7009 §2: revoking access tokens is a SHOULD (FLOW-REVOKE-ACCESS judges it); this rule is about a
            // revocation that happened, so a server that keeps the token active has nothing to answer for here.
            c.Require(introspection.Active == false, $"server '{c.Server.Name}' does not revoke access tokens (introspection after revocation: {introspection})");

            var after = await oauth.UserInfoAsync(tokens.AccessToken!, c.Cancellation).ConfigureAwait(false);
            c.Expect(after.Status == HttpStatusCode.Unauthorized, "HTTP 401 (invalid_token) at userinfo for the revoked access token", after.ToString());
        },
        Threats = "RFC6819 §5.2.2.4; RFC9700 §4.14",
    });

    public static Check MissingTokenRefused { get; } = Define.Rule(new()
    {
        Id = "REV-08",
        Area = Area,
        // RFC 7009 §2.1 makes token REQUIRED and §2.2.1 answers errors as RFC 6749 §5.2 does (invalid_request for a
        // missing parameter). §2.2's "invalid tokens do not cause an error" is about a token that is there; no
        // sentence forbids a 200 for none at all, so the level is SHOULD.
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "An authenticated revocation request without the token parameter SHOULD be refused with HTTP 400 invalid_request.",
        Specs = "RFC7009 §2.1; RFC7009 §2.2.1; RFC6749 §5.2",
        Applicability = "a revocation_endpoint and a confidential client",
        Remediation = "Validate that the token parameter is present and answer 400 invalid_request when it is not.",
        Run = async c =>
        {
            var endpoint = c.RequireEndpoint("revocation_endpoint");
            var client = BackChannel.ConfidentialClient(c);

            var response = await BackChannel.PostFormAsync(c, endpoint, [new("token_type_hint", "refresh_token")], BackChannel.Basic(client)).ConfigureAwait(false);
            c.Precondition(response.Status != HttpStatusCode.Unauthorized, $"the client's credentials were refused, so the missing token was never judged: {response}");

            c.Expect(response.Status == HttpStatusCode.BadRequest && response.Error == "invalid_request", "HTTP 400, error 'invalid_request'", response.ToString());
        },
    });
}
