using System.Net;
using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>Token revocation (RFC 7009).</summary>
public static partial class Revocation
{
    private const string Area = "revocation";
    private const string WebRevocation = "a revocation_endpoint, and a confidential web client that gets a refresh token from the code flow";
    private const string AnyRevocation = "a revocation_endpoint, and a confidential client with a refresh token (web, code flow) or else an access token from any grant";

    /// <summary>Whether a refresh token still works, by introspection when offered (no side effects), else by refreshing.</summary>
    private static async Task<(bool Live, string Observed)> RefreshTokenLiveAsync(CheckContext c, OAuthClient oauth, string refreshToken, bool alsoRefresh)
    {
        var observed = new List<string>();
        var live = false;
        if (c.Server.Metadata.IntrospectionEndpoint is not null)
        {
            var introspection = await oauth.IntrospectAsync(refreshToken, "refresh_token", ct: c.Cancellation).ConfigureAwait(false);
            observed.Add($"introspection: {introspection}");
            live |= introspection.Active == true;
        }

        if (alsoRefresh || c.Server.Metadata.IntrospectionEndpoint is null)
        {
            var refreshed = await oauth.RefreshAsync(refreshToken, ct: c.Cancellation).ConfigureAwait(false);
            observed.Add($"refresh: {Steps.Describe(refreshed)}");
            live |= refreshed.IsSuccess;
        }

        return (live, string.Join("; ", observed));
    }

    /// <summary>
    /// A token to revoke for checks about the endpoint rather than a token kind: a refresh token of the web client
    /// when the server issues one, else an access token from any grant the target offers (RFC 7009 §2: servers
    /// MUST support revoking refresh tokens and SHOULD support access tokens).
    /// </summary>
    private static async Task<(Harness.Target.ClientProfile Client, string Token, string Hint)> RevocableAsync(CheckContext c)
    {
        try
        {
            var (client, tokens) = await Steps.RefreshableAsync(c).ConfigureAwait(false);
            return (client, tokens.RefreshToken!, "refresh_token");
        }
        catch (NotApplicableException e)
        {
            c.Note($"revoking an access token instead of a refresh token: {e.Message}");
            var (client, tokens) = await Steps.AnyAccessTokenAsync(c).ConfigureAwait(false);
            return (client, tokens.AccessToken!, "access_token");
        }
    }

    /// <summary>Whether the token of that kind still works.</summary>
    private static Task<(bool Live, string Observed)> LiveAsync(CheckContext c, OAuthClient oauth, string token, string hint) =>
        hint == "refresh_token" ? RefreshTokenLiveAsync(c, oauth, token, alsoRefresh: false) : BackChannel.AccessTokenLiveAsync(c, oauth, token);

    /// <summary>
    /// An access token must be seen live before its revocation is judged. A refresh token is not tested first:
    /// without introspection that takes a refresh, which rotates it on some servers.
    /// </summary>
    private static async Task RequireLiveAccessTokenAsync(CheckContext c, OAuthClient oauth, string token, string hint)
    {
        if (hint == "access_token")
        {
            var (before, observed) = await BackChannel.AccessTokenLiveAsync(c, oauth, token).ConfigureAwait(false);
            c.Precondition(before, $"the access token just issued is not live: {observed}");
        }
    }

    public static Check RevokedRefreshTokenIsDead { get; } = Define.Rule(new()
    {
        Id = "REV-01",
        Anchors = "OAuch: Revocation/CanRefreshTokensBeRevokedTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "A revoked refresh token MUST be reported inactive by introspection and MUST no longer be usable at the token endpoint.",
        Specs = "RFC7009 §2.1; RFC7009 §2.2; RFC7662 §2.2",
        Applicability = WebRevocation,
        Remediation = "Invalidate the refresh token immediately when it is revoked.",
        Run = async c =>
        {
            c.RequireEndpoint("revocation_endpoint");
            var (client, tokens) = await Steps.RefreshableAsync(c).ConfigureAwait(false);
            var oauth = c.OAuth(client);

            var status = await oauth.RevokeAsync(tokens.RefreshToken!, "refresh_token", ct: c.Cancellation).ConfigureAwait(false);

            c.Precondition(status == HttpStatusCode.OK, $"the honest revocation answered HTTP {(int)status}");
            var (live, observed) = await RefreshTokenLiveAsync(c, oauth, tokens.RefreshToken!, alsoRefresh: true).ConfigureAwait(false);
            c.Expect(!live, "introspection active false and refresh refused with invalid_grant", observed);
        },
        Threats = "RFC6819 §5.2.2.4; RFC9700 §4.14",
    });

    public static Check UnauthenticatedRevocationRefused { get; } = Define.Rule(new()
    {
        Id = "REV-02",
        Anchors = "OAuch: Revocation/IsClientAuthRequiredTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The revocation endpoint MUST refuse a request for a confidential client's token that carries no client authentication, with invalid_client.",
        Specs = "RFC7009 §2.1; RFC7009 §2.2.1; RFC6749 §5.2",
        Applicability = AnyRevocation,
        Remediation = "Authenticate confidential clients at the revocation endpoint exactly as at the token endpoint.",
        Run = async c =>
        {
            var endpoint = c.RequireEndpoint("revocation_endpoint");
            var (client, token, hint) = await RevocableAsync(c).ConfigureAwait(false);

            var response = await BackChannel.PostFormAsync(c, endpoint, [new("token", token), new("token_type_hint", hint), new("client_id", client.ClientId)]).ConfigureAwait(false);

            c.Expect(response.Status is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest && response.Error == "invalid_client",
                "HTTP 401 (or 400), error 'invalid_client'", response.ToString());
        },
        Threats = "RFC6819 §5.2.2.4; RFC6819 §5.2.3.7",
    });

    public static Check UnknownTokenAnswers200 { get; } = Define.Rule(new()
    {
        Id = "REV-03",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The revocation endpoint MUST answer HTTP 200 for a token it does not know (an invalid token is not an error).",
        Specs = "RFC7009 §2.2",
        Applicability = "a revocation_endpoint and a confidential client",
        Remediation = "Answer 200 to an authenticated revocation request whatever the token; only client errors get an error response.",
        Run = async c =>
        {
            c.RequireEndpoint("revocation_endpoint");
            var client = BackChannel.ConfidentialClient(c);

            var status = await c.OAuth(client).RevokeAsync(BackChannel.GarbageToken(), ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(status == HttpStatusCode.OK, "HTTP 200", $"HTTP {(int)status}");
        },
    });

    public static Check OtherClientCannotRevoke { get; } = Define.Rule(new()
    {
        Id = "REV-04",
        Anchors = "OAuch: Revocation/IsBoundToClientTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The revocation endpoint MUST NOT revoke a token for a client other than the one it was issued to.",
        Specs = "RFC7009 §2.1",
        Applicability = "a revocation_endpoint, a second confidential web client (web2), and a token of another confidential client (a refresh token of web, else an access token from any grant)",
        Remediation = "Check that the token was issued to the authenticated client before revoking it; otherwise refuse (or answer 200 and keep it).",
        Run = async c =>
        {
            c.RequireEndpoint("revocation_endpoint");
            var web2 = c.Client("web2");
            var (owner, token, hint) = await RevocableAsync(c).ConfigureAwait(false);
            c.Require(owner.ClientId != web2.ClientId, "the token's client is the web2 client itself");
            await RequireLiveAccessTokenAsync(c, c.OAuth(owner), token, hint).ConfigureAwait(false);

            var status = await c.OAuth(web2).RevokeAsync(token, hint, ct: c.Cancellation).ConfigureAwait(false);

            c.Note($"the revocation by '{web2.ClientId}' answered HTTP {(int)status}");
            var (live, observed) = await LiveAsync(c, c.OAuth(owner), token, hint).ConfigureAwait(false);
            c.Expect(live, $"'{owner.ClientId}''s {hint} is still live after '{web2.ClientId}' tried to revoke it", observed);
        },
        Threats = "RFC6819 §5.2.2.2",
    });

    public static Check RevokingRefreshRevokesAccess { get; } = Define.Rule(new()
    {
        Id = "REV-05",
        Anchors = "OAuch: Revocation/RefreshRevokesAccessTest",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "Revoking a refresh token SHOULD also invalidate the access tokens issued with the same grant.",
        Specs = "RFC7009 §2.1",
        Applicability = WebRevocation + ", and an introspection_endpoint or userinfo_endpoint",
        Remediation = "When a refresh token is revoked, revoke the access tokens of its authorization as well.",
        Run = async c =>
        {
            c.RequireEndpoint("revocation_endpoint");
            var (client, tokens) = await Steps.RefreshableAsync(c).ConfigureAwait(false);
            var oauth = c.OAuth(client);
            var (before, beforeObserved) = await BackChannel.AccessTokenLiveAsync(c, oauth, tokens.AccessToken!).ConfigureAwait(false);
            c.Precondition(before, $"the access token just issued is not live: {beforeObserved}");

            var status = await oauth.RevokeAsync(tokens.RefreshToken!, "refresh_token", ct: c.Cancellation).ConfigureAwait(false);

            c.Precondition(status == HttpStatusCode.OK, $"the honest revocation answered HTTP {(int)status}");
            var (refreshLive, refreshObserved) = await RefreshTokenLiveAsync(c, oauth, tokens.RefreshToken!, alsoRefresh: false).ConfigureAwait(false);
            c.Require(!refreshLive, $"revoking the refresh token has no effect on the refresh token itself (REV-01): {refreshObserved}");
            var (after, observed) = await BackChannel.AccessTokenLiveAsync(c, oauth, tokens.AccessToken!).ConfigureAwait(false);
            c.Expect(!after, "the access token of the grant is no longer live", observed);
        },
        Threats = "RFC6819 §5.2.2.4",
    });

    public static Check WrongHintStillRevokes { get; } = Define.Rule(new()
    {
        Id = "REV-06",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "When the token is not found with the given token_type_hint, the revocation endpoint MUST extend its search to all token types and revoke it.",
        Specs = "RFC7009 §2.1",
        Applicability = AnyRevocation,
        Remediation = "Treat token_type_hint as a hint only: look the token up among every token type.",
        Run = async c =>
        {
            c.RequireEndpoint("revocation_endpoint");
            var (client, token, hint) = await RevocableAsync(c).ConfigureAwait(false);
            var wrongHint = hint == "refresh_token" ? "access_token" : "refresh_token";
            var oauth = c.OAuth(client);
            await RequireLiveAccessTokenAsync(c, oauth, token, hint).ConfigureAwait(false);

            var status = await oauth.RevokeAsync(token, wrongHint, ct: c.Cancellation).ConfigureAwait(false);

            var (live, observed) = await LiveAsync(c, oauth, token, hint).ConfigureAwait(false);
            if (live && (hint == "access_token" || c.Server.Metadata.IntrospectionEndpoint is not null))
            {
                // Only a hint problem if the same token can be revoked with the right hint (a refresh token is told
                // live by introspection or refresh, which may rotate it; an access token by introspection or userinfo).
                var honest = await oauth.RevokeAsync(token, hint, ct: c.Cancellation).ConfigureAwait(false);
                var (stillLive, honestObserved) = await LiveAsync(c, oauth, token, hint).ConfigureAwait(false);
                c.Require(!stillLive, $"the {hint} cannot be revoked even with token_type_hint={hint}"
                    + (hint == "access_token" ? " (RFC 7009 §2: revoking access tokens is a SHOULD)" : " (REV-01)") + $": HTTP {(int)honest}; {honestObserved}");
            }

            c.Expect(status == HttpStatusCode.OK && !live, $"HTTP 200 and the {hint} revoked despite token_type_hint={wrongHint}", $"HTTP {(int)status}; {observed}");
        },
        Threats = "RFC6819 §5.2.2.4",
    });
}
