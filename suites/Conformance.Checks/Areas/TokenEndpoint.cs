using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>Token endpoint hygiene beyond one grant: request parameters, caching, replays (RFC 6749 §3.2, §4.1, §5).</summary>
public static partial class TokenEndpoint
{
    private const string Area = "token-endpoint";
    private const string AnyConfidential = "a confidential client of the profile with a grant the token endpoint honours (client_credentials, else the web client's code flow)";

    public static Check DuplicateParameterRefused { get; } = Define.Rule(new()
    {
        Id = "TOK-01",
        Anchors = "OAuch: TokenEndpoint/SameParameterTwiceDisallowedTest",
        Area = Area,
        // RFC 6749 §3.2 "Request and response parameters MUST NOT be included more than once" binds the sender of a
        // request, the client; §5.2 names invalid_request as the answer to a repeated parameter but obliges no server
        // to look for one. A server that takes one of two identical values breaks no MUST of its own: a warning.
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "The token endpoint SHOULD refuse a request that repeats a parameter (invalid_request), even when both values are the same.",
        Specs = "RFC6749 §3.2; RFC6749 §5.2",
        Applicability = AnyConfidential,
        Remediation = "Reject token requests in which any parameter occurs more than once with invalid_request instead of picking one of the values.",
        Run = async c =>
        {
            var (client, form) = await BackChannel.LiveGrantAsync(c).ConfigureAwait(false);
            var token = c.RequireEndpoint("token_endpoint");
            // grant_type is in every grant's form; the second copy is identical, so only the repetition is wrong.
            form.Add(form.First(p => p.Key == "grant_type"));

            var response = await BackChannel.PostFormAsync(c, token, form, BackChannel.Basic(client), oneTime: true).ConfigureAwait(false);

            c.Expect(!response.HasAccessToken, "no tokens (HTTP 400, error 'invalid_request'): grant_type appears twice", response.ToString());
        },
        Threats = "RFC6819 §5.2.3.7",
    });

    public static Check UnknownParameterIgnored { get; } = Define.Rule(new()
    {
        Id = "TOK-02",
        Anchors = "OAuch: TokenEndpoint/UnrecognizedParameterAllowedTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The token endpoint MUST ignore request parameters it does not recognise: an honest grant with one more, unknown parameter still gets tokens.",
        Specs = "RFC6749 §3.2",
        Applicability = AnyConfidential,
        Remediation = "Skip parameters the token endpoint does not know instead of refusing the request (extensions add parameters all the time).",
        Run = async c =>
        {
            var (client, form) = await BackChannel.LiveGrantAsync(c).ConfigureAwait(false);
            var token = c.RequireEndpoint("token_endpoint");
            form.Add(new(UnknownParameter, "conformance-" + Conformance.Harness.Protocol.Random.Token(6)));

            var response = await BackChannel.PostFormAsync(c, token, form, BackChannel.Basic(client), oneTime: true).ConfigureAwait(false);

            if (!response.HasAccessToken)
            {
                // The same grant without the parameter must work, or the refusal says nothing about the parameter.
                var (_, honest) = await BackChannel.LiveGrantAsync(c).ConfigureAwait(false);
                var control = await BackChannel.PostFormAsync(c, token, honest, BackChannel.Basic(client), oneTime: true).ConfigureAwait(false);
                c.Precondition(control.HasAccessToken, $"the same grant without '{UnknownParameter}' got no tokens either: {control}");
            }

            c.Expect(response.HasAccessToken, $"HTTP 200 with tokens: '{UnknownParameter}' is ignored", response.ToString());
        },
    });

    public static Check PublicClientMustSendClientId { get; } = Define.Rule(new()
    {
        Id = "TOK-03",
        Anchors = "OAuch: TokenEndpoint/IsClientIdRequiredTest",
        Area = Area,
        // RFC 6749 §4.1.3: client_id is REQUIRED of a client that does not authenticate, and the server MUST ensure
        // the code was issued to the client_id in the request: without one there is nothing to compare.
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The token endpoint MUST refuse a code redeemed by a client that neither authenticates nor sends client_id: it cannot ensure the code was issued to that client.",
        Specs = "RFC6749 §4.1.3",
        Applicability = "a public native client using the authorization code grant with PKCE",
        Remediation = "Require client_id on every token request of a public client and compare it with the client the code was issued to.",
        Run = async c =>
        {
            var client = c.Client("native");
            c.Require(!client.IsConfidential, "the 'native' client of the profile has a secret");
            var token = c.RequireEndpoint("token_endpoint");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "authorization_code"),
                new("code", authorization.Code),
                new("redirect_uri", authorization.Request.RedirectUri.OriginalString),
                new("code_verifier", authorization.Verifier!.Value),
            };

            var response = await BackChannel.PostFormAsync(c, token, form, oneTime: true).ConfigureAwait(false);

            c.Expect(!response.HasAccessToken, "no tokens (HTTP 400 invalid_request or 401 invalid_client): the request names no client", response.ToString());
        },
        Threats = "RFC6819 §5.2.4.4; RFC6819 §4.4.1.1",
    });

    public static Check RefreshResponseNoStore { get; } = Define.Rule(new()
    {
        Id = "TOK-04",
        Anchors = "OAuch: TokenEndpoint/HasCacheControlHeaderTest (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "A token response to the refresh_token grant MUST carry 'Cache-Control: no-store' like every other token response (CODE-08 covers the code grant).",
        Specs = "RFC6749 §5.1; RFC6749 §6",
        Applicability = "a confidential web client that gets a refresh token from the code flow (offline_access)",
        Remediation = "Send 'Cache-Control: no-store' (and 'Pragma: no-cache') on every token endpoint response, whatever the grant.",
        Run = async c =>
        {
            var (client, tokens) = await Steps.RefreshableAsync(c).ConfigureAwait(false);

            var refreshed = await c.OAuth(client).RefreshAsync(tokens.RefreshToken!, ct: c.Cancellation).ConfigureAwait(false);

            c.Precondition(refreshed.IsSuccess, $"the honest refresh failed: {refreshed}");
            ExpectNoStore(c, refreshed);
        },
        Threats = "RFC6819 §4.6.6",
    });

    public static Check ClientCredentialsResponseNoStore { get; } = Define.Rule(new()
    {
        Id = "TOK-05",
        Anchors = "OAuch: TokenEndpoint/HasCacheControlHeaderTest (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "A token response to the client_credentials grant MUST carry 'Cache-Control: no-store' like every other token response.",
        Specs = "RFC6749 §5.1; RFC6749 §4.4.3",
        Applicability = "a service client that may use client_credentials at this server, with a scope of its profile the server knows",
        Remediation = "Send 'Cache-Control: no-store' (and 'Pragma: no-cache') on every token endpoint response, whatever the grant.",
        Run = async c =>
        {
            var (_, tokens) = await Steps.ClientCredentialsAsync(c).ConfigureAwait(false);

            ExpectNoStore(c, tokens);
        },
        Threats = "RFC6819 §4.6.6",
    });

    public static Check CodeReplayRevokesRefreshToken { get; } = Define.Rule(new()
    {
        Id = "TOK-06",
        Anchors = "OAuch: TokenEndpoint/RefreshTokenValidAfterMultiExchangeTest",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "When an authorization code is redeemed a second time, the authorization server SHOULD revoke the refresh token issued from that code as well (CODE-02 covers the access token).",
        Specs = "RFC6749 §4.1.2; RFC6749 §10.5",
        Applicability = "a confidential web client that gets a refresh token from the code flow (offline_access)",
        Remediation = "On a replayed code, revoke every token issued from it, refresh tokens included: the first redemption may have been the attacker's.",
        Run = async c =>
        {
            var client = c.Client("web");
            const string scope = "openid offline_access";
            var authorization = await Steps.CodeAsync(c, client, scope, pkce: !client.IsConfidential).ConfigureAwait(false);
            var tokens = await Steps.RedeemAsync(c, client, authorization).ConfigureAwait(false);
            c.Require(tokens.RefreshToken is not null, Offering.NoRefreshToken(c.Server, client.ClientId, $"the code flow with scope '{scope}'"));
            var oauth = c.OAuth(client);

            var replay = await oauth.RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, authorization.Verifier, ct: c.Cancellation).ConfigureAwait(false);
            c.Require(!replay.IsSuccess, $"the server honours a replayed code (CODE-01), so it never detects the replay this rule reacts to: {Steps.Describe(replay)}");
            var refreshed = await oauth.RefreshAsync(tokens.RefreshToken!, ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(!refreshed.IsSuccess, "the refresh token of the first redemption is refused after the replay (invalid_grant)", $"after the replay, the refresh: {Steps.Describe(refreshed)}");
        },
        Threats = "RFC6819 §4.4.1.1; RFC6819 §5.2.1.1; RFC9700 §4.5",
    });

    /// <summary>A parameter name no specification defines, for TOK-02.</summary>
    private const string UnknownParameter = "conformance_probe";

    /// <summary>RFC 6749 §5.1: the Cache-Control header of a successful token response must include no-store.</summary>
    private static void ExpectNoStore(CheckContext c, TokenResponse tokens)
    {
        if (tokens.Pragma is null || !tokens.Pragma.Contains("no-cache", StringComparison.OrdinalIgnoreCase))
        {
            c.Note($"Pragma: {tokens.Pragma ?? "(none)"} (RFC 6749 §5.1 also asks for 'Pragma: no-cache')");
        }

        c.Expect(tokens.CacheControl is { } cc && cc.Split(',').Any(d => d.Trim().Equals("no-store", StringComparison.OrdinalIgnoreCase)),
            "Cache-Control: no-store", $"Cache-Control: {tokens.CacheControl ?? "(none)"}");
    }
}
