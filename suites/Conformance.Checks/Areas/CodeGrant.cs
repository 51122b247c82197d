using System.Net;
using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks.Areas;

/// <summary>The authorization code grant at the token endpoint and the token endpoint's own rules (RFC 6749 §2.3, §4.1.3, §5).</summary>
public static class CodeGrant
{
    private const string Area = "code-grant";
    private const string Web = "a confidential web client using the authorization code grant";
    private const string AnyConfidential = "a confidential client of the profile (web, web2, password or service)";

    private static readonly HashSet<string> TokenErrors = new(StringComparer.Ordinal)
    {
        "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope",
    };

    public static Check CodeSingleUse { get; } = Define.Rule(new()
    {
        Id = "CODE-01",
        Anchors = "OAuch: TokenEndpoint/MultipleCodeExchangesTest; OIDF: oidcc-codereuse; OIDF: oidcc-codereuse-30seconds (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST refuse an authorization code that has already been redeemed (with invalid_grant).",
        Specs = "RFC6749 §4.1.2; RFC6749 §10.5; RFC6749 §5.2",
        Applicability = Web,
        Remediation = "Mark a code as used at its first redemption and refuse any later one with invalid_grant.",
        Run = async c =>
        {
            var client = c.Client("web");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            await Steps.RedeemAsync(c, client, authorization).ConfigureAwait(false);

            var replay = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, authorization.Verifier, ct: c.Cancellation).ConfigureAwait(false);

            Steps.ExpectRefused(c, replay, "no tokens for the second redemption (HTTP 400, error 'invalid_grant')", "invalid_grant");
        },
        Threats = "RFC6819 §4.4.1.1; RFC6819 §5.1.5.4; RFC9700 §4.5",
    });

    public static Check CodeReplayRevokesTokens { get; } = Define.Rule(new()
    {
        Id = "CODE-02",
        Anchors = "OAuch: TokenEndpoint/TokenValidAfterMultiExchangeTest; OIDF: oidcc-codereuse-30seconds (partial)",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "When an authorization code is redeemed a second time, the authorization server SHOULD revoke the tokens already issued from that code.",
        Specs = "RFC6749 §4.1.2; RFC6749 §10.5",
        Applicability = Web + ", and an introspection_endpoint or userinfo_endpoint",
        Remediation = "On a replayed code, revoke every token issued from it (the legitimate redemption may have been the attacker's).",
        Run = async c =>
        {
            var client = c.Client("web");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var tokens = await Steps.RedeemAsync(c, client, authorization).ConfigureAwait(false);
            var oauth = c.OAuth(client);
            // Introspection tells a live token; where it declines the token (RFC 7662 leaves the types to the server,
            // e.g. its own JWT access tokens), userinfo does.
            var (before, beforeObserved) = await BackChannel.AccessTokenLiveAsync(c, oauth, tokens.AccessToken!).ConfigureAwait(false);
            c.Precondition(before, $"the access token just issued is not live: {beforeObserved}");

            var replay = await oauth.RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, authorization.Verifier, ct: c.Cancellation).ConfigureAwait(false);
            c.Require(!replay.IsSuccess, $"the server honours a replayed code (CODE-01), so it never detects the replay this rule reacts to: {Steps.Describe(replay)}");
            var (after, observed) = await BackChannel.AccessTokenLiveAsync(c, oauth, tokens.AccessToken!).ConfigureAwait(false);

            c.Expect(!after, "the access token of the first redemption is no longer live after the replay", $"after the replay, {observed}");
        },
        Threats = "RFC6819 §4.4.1.1; RFC6819 §5.2.1.1; RFC9700 §4.5",
    });

    public static Check RedirectUriMismatchRefused { get; } = Define.Rule(new()
    {
        Id = "CODE-03",
        Anchors = "OAuch: TokenEndpoint/RedirectUriCheckedTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The token endpoint MUST refuse a code redeemed with a redirect_uri other than the one of the authorization request, with invalid_grant.",
        Specs = "RFC6749 §4.1.3; RFC6749 §5.2",
        Applicability = Web,
        Remediation = "Store the redirect_uri with the code and compare it byte for byte at redemption.",
        Run = async c =>
        {
            var client = c.Client("web");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var other = new Uri(authorization.Request.RedirectUri.OriginalString.TrimEnd('/') + "/other");

            var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, other, authorization.Verifier, ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(!tokens.IsSuccess && tokens.Error == "invalid_grant", $"HTTP 400, error 'invalid_grant' for redirect_uri {other}", Steps.Describe(tokens));
        },
        Threats = "RFC6819 §4.4.1.7; RFC6819 §5.2.4.5; RFC9700 §4.1",
    });

    public static Check RedirectUriOmittedRefused { get; } = Define.Rule(new()
    {
        Id = "CODE-04",
        Anchors = "OAuch: TokenEndpoint/RedirectUriCheckedTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The token endpoint MUST refuse a code redeemed without redirect_uri when the authorization request carried one.",
        Specs = "RFC6749 §4.1.3",
        Applicability = Web,
        Remediation = "When the authorization request carried a redirect_uri, require the identical value at redemption.",
        Run = async c =>
        {
            var client = c.Client("web");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var form = new List<KeyValuePair<string, string>> { new("grant_type", "authorization_code"), new("code", authorization.Code) };
            if (authorization.Verifier is not null)
            {
                form.Add(new("code_verifier", authorization.Verifier.Value));
            }

            var tokens = await c.OAuth(client).TokenAsync(form, ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(!tokens.IsSuccess && tokens.Error is "invalid_request" or "invalid_grant", "HTTP 400, error 'invalid_request' or 'invalid_grant'", Steps.Describe(tokens));
        },
        Threats = "RFC6819 §5.2.4.5; RFC9700 §4.1",
    });

    public static Check CodeBoundToClient { get; } = Define.Rule(new()
    {
        Id = "CODE-05",
        Anchors = "OAuch: TokenEndpoint/IsCodeBoundToClientTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST refuse an authorization code presented by a client other than the one it was issued to, even when that client authenticates correctly.",
        Specs = "RFC6749 §4.1.3; RFC6749 §5.2",
        Applicability = "two confidential web clients (web and web2) of the same server",
        Remediation = "Bind the code to the client_id of the authorization request and compare it with the authenticated client at redemption.",
        Run = async c =>
        {
            var web = c.Client("web");
            var web2 = c.Client("web2");
            var authorization = await Steps.CodeAsync(c, web).ConfigureAwait(false);

            var tokens = await c.OAuth(web2).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, authorization.Verifier, ct: c.Cancellation).ConfigureAwait(false);

            Steps.ExpectRefused(c, tokens, $"no tokens for '{web.ClientId}''s code presented by '{web2.ClientId}' (HTTP 400, error 'invalid_grant')", "invalid_grant");
        },
        Threats = "RFC6819 §5.2.4.4; RFC6819 §4.4.1.1",
    });

    public static Check WrongSecretRefused { get; } = Define.Rule(new()
    {
        Id = "CODE-06",
        Anchors = "OAuch: TokenEndpoint/IsBasicAuthenticationSupportedTest; OAuch: TokenEndpoint/IsClientAuthenticationRequiredTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST refuse a confidential client presenting a wrong client secret (client_secret_basic) with HTTP 401 and invalid_client.",
        Specs = "RFC6749 §3.2.1; RFC6749 §5.2",
        Applicability = AnyConfidential,
        Remediation = "Verify the client secret on every token request; answer 401 invalid_client when it does not match.",
        Run = async c =>
        {
            var (client, form) = await BackChannel.LiveGrantAsync(c).ConfigureAwait(false);

            var tokens = await c.OAuth(BackChannel.WithWrongSecret(client)).TokenAsync(form, ClientAuthentication.ClientSecretBasic, c.Cancellation).ConfigureAwait(false);

            c.Expect(tokens.Status == HttpStatusCode.Unauthorized && tokens.Error == "invalid_client", "HTTP 401, error 'invalid_client'", Steps.Describe(tokens));
        },
        Threats = "RFC6819 §4.3.5; RFC6819 §5.2.3.7",
    });

    public static Check InvalidClientChallenges { get; } = Define.Rule(new()
    {
        Id = "CODE-07",
        Anchors = "OAuch: TokenEndpoint/IsBasicAuthenticationSupportedTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "When client_secret_basic authentication fails, the token endpoint MUST answer HTTP 401 with a WWW-Authenticate header for the Basic scheme.",
        Specs = "RFC6749 §5.2; RFC7617 §2",
        Applicability = "a token endpoint that accepts client_secret_basic (probed with an unknown client_id)",
        Remediation = "Answer a failed HTTP Basic client authentication with 401 and 'WWW-Authenticate: Basic ...'.",
        Run = async c =>
        {
            var token = c.RequireEndpoint("token_endpoint");
            c.Require(c.Server.Metadata.TokenEndpointAuthMethodsSupported.Contains("client_secret_basic"), $"server '{c.Server.Name}' does not list client_secret_basic in token_endpoint_auth_methods_supported");
            // An unknown client: its Basic credentials fail whether or not the server verifies secrets (that is CODE-06).
            var unknown = new ClientProfile("unknown", "conformance-unknown-" + Conformance.Harness.Protocol.Random.Token(9), null, null, null, [], []);
            var form = new List<KeyValuePair<string, string>> { new("grant_type", "authorization_code"), new("code", BackChannel.GarbageToken()), new("redirect_uri", "https://client.invalid/callback") };

            var response = await BackChannel.PostFormAsync(c, token, form, BackChannel.Basic(unknown, "wrong-" + Conformance.Harness.Protocol.Random.Token(12))).ConfigureAwait(false);

            var challenge = response.Header("WWW-Authenticate");
            c.Expect(response.Status == HttpStatusCode.Unauthorized && challenge is not null && challenge.TrimStart().StartsWith("Basic", StringComparison.OrdinalIgnoreCase),
                "HTTP 401 with 'WWW-Authenticate: Basic ...'", $"{response}, WWW-Authenticate: {challenge ?? "(none)"}");
        },
    });

    public static Check NoStore { get; } = Define.Rule(new()
    {
        Id = "CODE-08",
        Anchors = "OAuch: TokenEndpoint/HasCacheControlHeaderTest; OAuch: TokenEndpoint/HasPragmaHeaderTest (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "Token responses MUST carry 'Cache-Control: no-store'.",
        Specs = "RFC6749 §5.1",
        Applicability = Web,
        Remediation = "Send 'Cache-Control: no-store' (and 'Pragma: no-cache') on every token endpoint response.",
        Run = async c =>
        {
            var (_, _, tokens) = await BackChannel.UserTokensAsync(c).ConfigureAwait(false);

            if (tokens.Pragma is null || !tokens.Pragma.Contains("no-cache", StringComparison.OrdinalIgnoreCase))
            {
                c.Note($"Pragma: {tokens.Pragma ?? "(none)"} (RFC 6749 §5.1 also asks for 'Pragma: no-cache')");
            }

            c.Expect(tokens.CacheControl is { } cc && cc.Split(',').Any(d => d.Trim().Equals("no-store", StringComparison.OrdinalIgnoreCase)),
                "Cache-Control: no-store", $"Cache-Control: {tokens.CacheControl ?? "(none)"}");
        },
        Threats = "RFC6819 §4.6.6",
    });

    public static Check SuccessfulResponseShape { get; } = Define.Rule(new()
    {
        Id = "CODE-09",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "A successful token response MUST be application/json with access_token and token_type (expires_in is RECOMMENDED).",
        Specs = "RFC6749 §5.1; RFC6750 §4",
        Applicability = Web,
        Remediation = "Return access_token, token_type (e.g. Bearer) and expires_in in a JSON object served as application/json.",
        Run = async c =>
        {
            var (_, _, tokens) = await BackChannel.UserTokensAsync(c).ConfigureAwait(false);

            var missing = new List<string>();
            if (tokens.ContentType is null || !tokens.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            {
                missing.Add($"Content-Type is {tokens.ContentType ?? "(none)"}");
            }

            if (string.IsNullOrEmpty(tokens.AccessToken))
            {
                missing.Add("no access_token");
            }

            if (string.IsNullOrEmpty(tokens.TokenType))
            {
                missing.Add("no token_type");
            }

            if (tokens.ExpiresIn is null)
            {
                c.Note("no expires_in (RECOMMENDED by RFC 6749 §5.1)");
            }

            c.Expect(missing.Count == 0, "application/json with access_token and token_type", missing.Count == 0 ? Steps.Describe(tokens) : string.Join("; ", missing));
        },
        Threats = "RFC6819 §5.1.5.3",
    });

    public static Check ErrorResponseShape { get; } = Define.Rule(new()
    {
        Id = "CODE-10",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "A token error response MUST be HTTP 400 (401 for invalid_client), application/json, with an error code of RFC 6749 §5.2 and an error_description limited to %x20-21 / %x23-5B / %x5D-7E.",
        Specs = "RFC6749 §5.2",
        Applicability = AnyConfidential,
        Remediation = "Answer token errors with 400 and a JSON object {error, error_description} using only the registered error codes and printable ASCII without '\"' or '\\'.",
        Run = async c =>
        {
            var client = BackChannel.ConfidentialClient(c);
            var form = new List<KeyValuePair<string, string>> { new("grant_type", "authorization_code"), new("code", BackChannel.GarbageToken()), new("redirect_uri", (client.RedirectUri ?? new Uri("https://client.invalid/callback")).OriginalString) };

            var tokens = await c.OAuth(client).TokenAsync(form, ct: c.Cancellation).ConfigureAwait(false);

            var problems = new List<string>();
            if (tokens.IsSuccess)
            {
                problems.Add("tokens were issued for a code nobody issued");
            }

            var statusOk = tokens.Error == "invalid_client"
                ? tokens.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized
                : tokens.Status == HttpStatusCode.BadRequest;
            if (!statusOk)
            {
                problems.Add($"HTTP {(int)tokens.Status}, expected 400" + (tokens.Error == "invalid_client" ? " or 401" : ""));
            }

            if (tokens.ContentType is null || !tokens.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"Content-Type {tokens.ContentType ?? "(none)"}");
            }

            if (tokens.Error is null || !TokenErrors.Contains(tokens.Error))
            {
                problems.Add($"error '{tokens.Error ?? "(none)"}' is not one of {string.Join(", ", TokenErrors)}");
            }

            if (tokens.ErrorDescription is { } description && description.Any(ch => ch is < (char)0x20 or > (char)0x7E or '"' or '\\'))
            {
                problems.Add("error_description has characters outside %x20-21 / %x23-5B / %x5D-7E");
            }

            c.Expect(problems.Count == 0, "HTTP 400, application/json, error 'invalid_grant' (or another RFC 6749 §5.2 code)", $"{Steps.Describe(tokens)}: {string.Join("; ", problems)}");
        },
    });

    public static Check UnknownGrantType { get; } = Define.Rule(new()
    {
        Id = "CODE-11",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The token endpoint MUST answer a grant_type it does not support with unsupported_grant_type.",
        Specs = "RFC6749 §5.2",
        Applicability = AnyConfidential,
        Remediation = "Answer an unknown grant_type with HTTP 400 and error 'unsupported_grant_type'.",
        Run = async c =>
        {
            var client = BackChannel.ConfidentialClient(c);
            const string grant = "urn:example:conformance:no-such-grant";
            c.Require(!c.Server.Metadata.GrantTypesSupported.Contains(grant), "the server advertises the made-up grant type");

            var tokens = await c.OAuth(client).TokenAsync([new("grant_type", grant)], ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(!tokens.IsSuccess && tokens.Error == "unsupported_grant_type", "HTTP 400, error 'unsupported_grant_type'", Steps.Describe(tokens));
        },
    });

    public static Check GrantNotAllowedForClient { get; } = Define.Rule(new()
    {
        Id = "CODE-12",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The token endpoint MUST refuse a grant type the client is not authorized to use with unauthorized_client.",
        Specs = "RFC6749 §5.2; RFC6749 §4.3.2",
        Applicability = "a server that supports the password grant, and a web client (distinct from the password client) meant for the code flow",
        Remediation = "Check each client's allowed grant types at the token endpoint; answer unauthorized_client for any other grant.",
        Run = async c =>
        {
            Steps.RequireGrant(c, "password");
            var web = c.Client("web");
            c.Require(c.Profile.Client("password")?.ClientId != web.ClientId, "the web client is also the profile's password client");

            var tokens = await c.OAuth(web).PasswordAsync(c.User, "openid", ct: c.Cancellation).ConfigureAwait(false);

            // A server that does not list the grant and refuses it outright has no per-client rule to test.
            c.Require(!(tokens.Error == "unsupported_grant_type" && !Offering.Lists(c.Server, "password")), $"server '{c.Server.Name}' does not offer the password grant: {tokens}");

            c.Expect(!tokens.IsSuccess && tokens.Error == "unauthorized_client", $"HTTP 400, error 'unauthorized_client' for the password grant by '{web.ClientId}'", Steps.Describe(tokens));
        },
        Threats = "RFC6819 §4.4.3; RFC9700 §2.4",
    });

    public static Check SecretInQueryIgnored { get; } = Define.Rule(new()
    {
        // RFC 6749 §2.3.1's "MUST NOT be included in the request URI" binds the client: a server that tolerates it
        // breaks no MUST of its own, so this is a SHOULD-level finding (RFC 9700 §4.3 on credentials in URLs).
        Id = "CODE-13",
        Anchors = "OAuch: TokenEndpoint/IsAuthInUriAllowedTest",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.High,
        Requirement = "The token endpoint SHOULD NOT accept client credentials sent in the request URI (clients MUST NOT send them there).",
        Specs = "RFC6749 §2.3.1; RFC6749 §3.2",
        Applicability = AnyConfidential,
        Remediation = "Read client_id and client_secret only from the Authorization header or the request body, never from the query string.",
        Run = async c =>
        {
            var (client, form) = await BackChannel.LiveGrantAsync(c).ConfigureAwait(false);
            var token = c.RequireEndpoint("token_endpoint");

            var response = await BackChannel.PostFormAsync(c, token, form, query: [new("client_id", client.ClientId), new("client_secret", client.Secret!.Reveal())], oneTime: true).ConfigureAwait(false);

            c.Expect(!response.HasAccessToken, "no tokens (HTTP 401 invalid_client or 400 invalid_request): credentials in the query string do not authenticate", response.ToString());
        },
        Threats = "RFC6819 §4.3.3",
    });

    public static Check TwoAuthenticationMethodsRefused { get; } = Define.Rule(new()
    {
        // RFC 6749 §2.3 "The client MUST NOT use more than one authentication method in each request" binds the
        // client: a server that tolerates it breaks no MUST of its own.
        Id = "CODE-14",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "The token endpoint SHOULD refuse a request that uses more than one client authentication method (HTTP Basic and client_secret in the body).",
        Specs = "RFC6749 §2.3",
        Applicability = AnyConfidential,
        Remediation = "Refuse with invalid_request any token request that carries credentials both in the Authorization header and in the body.",
        Run = async c =>
        {
            var (client, form) = await BackChannel.LiveGrantAsync(c).ConfigureAwait(false);
            var token = c.RequireEndpoint("token_endpoint");
            form.Add(new("client_id", client.ClientId));
            form.Add(new("client_secret", client.Secret!.Reveal()));

            var response = await BackChannel.PostFormAsync(c, token, form, BackChannel.Basic(client), oneTime: true).ConfigureAwait(false);

            c.Expect(!response.HasAccessToken, "no tokens (HTTP 400 invalid_request): two authentication methods in one request", response.ToString());
        },
        Threats = "RFC6819 §5.2.3.7",
    });
}
