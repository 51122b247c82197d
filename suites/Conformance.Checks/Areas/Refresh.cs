using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>Refresh tokens (RFC 6749 §6, RFC 9700 §4.14, OIDC Core §12).</summary>
public static class Refresh
{
    private const string Area = "refresh";
    private const string WebRefresh = "a confidential web client that gets a refresh token from the code flow (offline_access)";

    public static Check BoundToClient { get; } = Define.Rule(new()
    {
        Id = "RT-01",
        Anchors = "OAuch: TokenEndpoint/IsRefreshBoundToClientTest; OIDF: oidcc-refresh-token",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST refuse a refresh token presented by a client other than the one it was issued to.",
        Specs = "RFC6749 §6; RFC6749 §10.4",
        Applicability = "two confidential web clients (web and web2); web gets a refresh token from the code flow",
        Remediation = "Bind refresh tokens to the client they were issued to and compare it with the authenticated client.",
        Run = async c =>
        {
            var web2 = c.Client("web2");
            var (web, tokens) = await Steps.RefreshableAsync(c).ConfigureAwait(false);

            var refreshed = await c.OAuth(web2).RefreshAsync(tokens.RefreshToken!, ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(!refreshed.IsSuccess && refreshed.Error == "invalid_grant", $"HTTP 400, error 'invalid_grant' for '{web.ClientId}''s refresh token presented by '{web2.ClientId}'", Steps.Describe(refreshed));
        },
        Threats = "RFC6819 §5.2.2.2; RFC9700 §4.14",
    });

    public static Check ConfidentialClientMustAuthenticate { get; } = Define.Rule(new()
    {
        Id = "RT-02",
        Anchors = "OAuch: TokenEndpoint/IsClientAuthenticationRequiredTest; OAuch: TokenEndpoint/IsRefreshAuthenticationRequiredTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A confidential client MUST authenticate to refresh a token; a refresh request with the client_id alone MUST be refused.",
        Specs = "RFC6749 §6; RFC6749 §3.2.1",
        Applicability = WebRefresh,
        Remediation = "Require the client's authentication on every refresh_token grant of a confidential client.",
        Run = async c =>
        {
            var (client, tokens) = await Steps.RefreshableAsync(c).ConfigureAwait(false);

            var refreshed = await c.OAuth(client).RefreshAsync(tokens.RefreshToken!, authentication: ClientAuthentication.None, ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(!refreshed.IsSuccess && refreshed.Error is "invalid_client" or "invalid_request", "HTTP 401 or 400, error 'invalid_client'", Steps.Describe(refreshed));
        },
        Threats = "RFC6819 §5.2.2.2; RFC9700 §4.14",
    });

    public static Check NoScopeEscalation { get; } = Define.Rule(new()
    {
        Id = "RT-03",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A refresh request MUST NOT obtain a scope that was not originally granted.",
        Specs = "RFC6749 §6; RFC6749 §5.2",
        Applicability = WebRefresh + ", and a scope the server supports that was not granted (profile or email)",
        Remediation = "Compare the requested scope with the scope of the original grant; answer invalid_scope for anything more.",
        Run = async c =>
        {
            var extra = new[] { "profile", "email" }.FirstOrDefault(s => c.Server.Metadata.ScopesSupported.Contains(s))
                ?? c.Server.Profile.Scopes.FirstOrDefault();
            c.Require(extra is not null, $"server '{c.Server.Name}' names no scope (profile, email or a custom one) to escalate to");
            var (client, tokens) = await Steps.RefreshableAsync(c).ConfigureAwait(false);
            c.Precondition(!BackChannel.Scopes(tokens.Scope).Contains(extra!), $"the original grant already contains '{extra}'");

            var requested = $"openid offline_access {extra}";
            var refreshed = await c.OAuth(client).RefreshAsync(tokens.RefreshToken!, requested, ct: c.Cancellation).ConfigureAwait(false);

            if (!refreshed.IsSuccess)
            {
                c.Note($"refused: {Steps.Describe(refreshed)}");
                return;
            }

            var (granted, source) = await BackChannel.GrantedScopesAsync(c, c.OAuth(client), refreshed, requested).ConfigureAwait(false);
            c.Expect(!granted.Contains(extra!), $"HTTP 400, error 'invalid_scope' (or tokens whose scope excludes '{extra}')", $"{Steps.Describe(refreshed)}: '{extra}' was granted on refresh ({source})");
        },
        Threats = "RFC6819 §5.1.5.1; RFC9700 §4.14",
    });

    public static Check NoRefreshTokenFromImplicit { get; } = Define.Rule(new()
    {
        Id = "RT-04",
        Anchors = "OAuch: AuthEndpoint/RefreshTokenPresentTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The authorization server MUST NOT issue a refresh token in an implicit grant response, even when offline_access is requested.",
        Specs = "RFC6749 §4.2.2; OIDC-Core §11",
        Applicability = "a public client (spa) that may use the implicit flow with response_type 'id_token token'",
        Remediation = "Never put a refresh_token into a front-channel response; ignore offline_access unless the response type contains code.",
        Run = async c =>
        {
            var responseType = c.Server.Metadata.ResponseTypesSupported.FirstOrDefault(t => BackChannel.Scopes(t).SetEquals(["id_token", "token"]));
            c.Require(responseType is not null, $"server '{c.Server.Name}' does not list 'id_token token' in response_types_supported");
            var client = c.Client("spa");
            await using var agent = c.LoginDriver.NewUserAgent();

            // Once through a login, once more in the same user agent, now answered from its session at once.
            var observed = new List<string>();
            foreach (var attempt in new[] { "after a login", "with an existing session" })
            {
                var authorization = await Steps.AuthorizeAsync(c, client, "openid offline_access", pkce: false, responseType: responseType!, agent: agent).ConfigureAwait(false);
                var response = authorization.Response;
                c.Require(response.Error is not ("unauthorized_client" or "unsupported_response_type"), $"the spa client may not use response_type '{responseType}': {Steps.Describe(response)}");
                if (response.IsError)
                {
                    // Refusing offline_access in a front-channel request is one correct answer; anything else says nothing.
                    c.Precondition(response.Error == "invalid_scope", $"the implicit request {attempt} failed: {Steps.Describe(response)}");
                    c.Note($"the server refused offline_access in the implicit flow {attempt}: {Steps.Describe(response)}");
                    continue;
                }

                c.Precondition(response.AccessToken is not null, $"the implicit response {attempt} has no access_token: {Steps.Describe(response)}");
                if (response.Get("refresh_token") is not null)
                {
                    observed.Add($"the {response.ResponseMode} response {attempt} carries a refresh_token");
                }
            }

            c.Expect(observed.Count == 0, "no refresh_token in any implicit response", string.Join("; ", observed));
        },
        Threats = "RFC6819 §5.2.2.1; RFC9700 §2.1.2",
    });

    public static Check NoRefreshTokenFromClientCredentials { get; } = Define.Rule(new()
    {
        Id = "RT-05",
        Anchors = "OAuch: TokenEndpoint/RefreshTokenPresentTest",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "A client credentials grant SHOULD NOT be answered with a refresh token.",
        Specs = "RFC6749 §4.4.3",
        Applicability = "a service client that may use client_credentials at this server, with a scope of its profile the server knows",
        Remediation = "Issue only an access token to the client credentials grant; the client can always ask again.",
        Run = async c =>
        {
            var (_, tokens) = await Steps.ClientCredentialsAsync(c).ConfigureAwait(false);
            c.Expect(tokens.RefreshToken is null, "an access token and no refresh_token", $"{Steps.Describe(tokens)} with a refresh_token");
        },
        Threats = "RFC6819 §5.2.2.1",
    });

    public static Check PublicClientRotation { get; } = Define.Rule(new()
    {
        Id = "RT-06",
        Anchors = "OAuch: TokenEndpoint/RefreshTokenRevokedAfterUseTest; OAuch: TokenEndpoint/UsesTokenRotationTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "Refresh tokens of a public client MUST be rotated: every refresh returns a new refresh token.",
        Specs = "RFC9700 §4.14.2; RFC9700 §2.2.2",
        Applicability = "a public native client that gets a refresh token from the code flow with PKCE",
        Remediation = "Rotate refresh tokens of public clients on every use (or sender-constrain them).",
        Run = async c =>
        {
            var (client, tokens) = await Steps.RefreshableAsync(c, "native").ConfigureAwait(false);

            var refreshed = await c.OAuth(client).RefreshAsync(tokens.RefreshToken!, ct: c.Cancellation).ConfigureAwait(false);

            c.Precondition(refreshed.IsSuccess, $"the honest refresh failed: {refreshed}");
            c.Expect(refreshed.RefreshToken is not null && refreshed.RefreshToken != tokens.RefreshToken,
                "a new refresh_token, different from the one used",
                refreshed.RefreshToken is null ? "no refresh_token in the refresh response: the old one stays in use" : "the same refresh_token came back");
        },
        Threats = "RFC6819 §5.2.2.3; RFC9700 §4.14",
    });

    public static Check ReuseDetected { get; } = Define.Rule(new()
    {
        Id = "RT-07",
        Anchors = "OAuch: TokenEndpoint/InvalidatedRefreshTokenTest; OAuch: TokenEndpoint/RefreshTokenRevokedAfterUseTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "After rotation, a replayed refresh token MUST be refused and the authorization server MUST revoke the active refresh token of that grant.",
        Specs = "RFC9700 §4.14.2",
        Applicability = "a public native client whose refresh tokens are rotated",
        Remediation = "Keep the family of rotated refresh tokens; on reuse of an old one refuse it and revoke the whole family. A reuse grace period hides the replay.",
        Run = async c =>
        {
            var (client, tokens) = await Steps.RefreshableAsync(c, "native").ConfigureAwait(false);
            var oauth = c.OAuth(client);
            var rotated = await oauth.RefreshAsync(tokens.RefreshToken!, ct: c.Cancellation).ConfigureAwait(false);
            c.Precondition(rotated.IsSuccess, $"the honest refresh failed: {rotated}");
            c.Require(rotated.RefreshToken is not null && rotated.RefreshToken != tokens.RefreshToken, "the server does not rotate this client's refresh tokens (see RT-06)");

            var replay = await oauth.RefreshAsync(tokens.RefreshToken!, ct: c.Cancellation).ConfigureAwait(false);
            c.Expect(!replay.IsSuccess, "the replayed (rotated-out) refresh token is refused with invalid_grant", Steps.Describe(replay));

            var newest = await oauth.RefreshAsync(rotated.RefreshToken!, ct: c.Cancellation).ConfigureAwait(false);
            c.Expect(!newest.IsSuccess, "after the replay, the newest refresh token of the grant is revoked too (invalid_grant)", $"the newest refresh token still works: {Steps.Describe(newest)}");
        },
        Threats = "RFC6819 §5.2.2.3; RFC9700 §4.14",
    });

    public static Check RefreshedIdTokenSameAuthentication { get; } = Define.Rule(new()
    {
        Id = "RT-08",
        Anchors = "OIDF: oidcc-refresh-token",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "An ID token returned on refresh MUST keep the iss, sub and aud of the original ID token, and its auth_time MUST be the time of the original authentication.",
        Specs = "OIDC-Core §12.2",
        Applicability = WebRefresh + " and that returns an ID token on refresh",
        Remediation = "Issue the refreshed ID token from the original authentication's claims; never re-stamp auth_time.",
        Run = async c =>
        {
            var (client, tokens) = await Steps.RefreshableAsync(c).ConfigureAwait(false);
            var original = BackChannel.Jwt(tokens.IdToken);
            c.Precondition(original is not null, "the code flow returned no decodable ID token");

            var refreshed = await c.OAuth(client).RefreshAsync(tokens.RefreshToken!, ct: c.Cancellation).ConfigureAwait(false);

            c.Precondition(refreshed.IsSuccess, $"the honest refresh failed: {refreshed}");
            c.Require(refreshed.IdToken is not null, "the server returns no ID token on refresh (OIDC Core §12.2 allows that)");
            var renewed = BackChannel.Jwt(refreshed.IdToken);
            c.Precondition(renewed is not null, "the ID token returned on refresh is not a compact JWS");

            var changed = new List<string>();
            if (renewed!.Issuer != original!.Issuer)
            {
                changed.Add($"iss '{original.Issuer}' → '{renewed.Issuer}'");
            }

            if (renewed.Subject != original.Subject)
            {
                changed.Add($"sub '{original.Subject}' → '{renewed.Subject}'");
            }

            if (!renewed.Audiences.ToHashSet().SetEquals(original.Audiences))
            {
                changed.Add($"aud [{string.Join(", ", original.Audiences)}] → [{string.Join(", ", renewed.Audiences)}]");
            }

            if (original.TryGetPayloadValue<long>("auth_time", out var authTime))
            {
                var renewedHas = renewed.TryGetPayloadValue<long>("auth_time", out var renewedAuthTime);
                if (!renewedHas || renewedAuthTime != authTime)
                {
                    changed.Add($"auth_time {authTime} → {(renewedHas ? renewedAuthTime.ToString(System.Globalization.CultureInfo.InvariantCulture) : "(absent)")}");
                }
            }

            c.Expect(changed.Count == 0, "the same iss, sub, aud and auth_time as the original ID token", string.Join("; ", changed));
        },
    });
}
