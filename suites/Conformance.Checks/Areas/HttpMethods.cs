using System.Net;
using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>
/// Which HTTP methods each endpoint must accept or refuse. Credentials and tokens in a GET end up in URLs, logs
/// and Referer headers (RFC 9700 §4.3), so the back-channel endpoints take POST only; the front-channel ones
/// must take both methods the specs name.
/// </summary>
public static class HttpMethods
{
    private const string Area = "http-methods";

    /// <summary>A garbage-token request by GET, authenticated as a confidential client the way POST would be.</summary>
    private static async Task ExpectGetRefusedAsync(CheckContext c, string endpointField, string parameter)
    {
        var endpoint = c.RequireEndpoint(endpointField);
        var client = BackChannel.ConfidentialClient(c);
        var response = await BackChannel.GetAsync(c, endpoint, BackChannel.Basic(client), [new(parameter, BackChannel.GarbageToken())]).ConfigureAwait(false);

        // Any 4xx/405 is a refusal; a 200 means the endpoint processed a credential-bearing GET.
        c.Expect(response.Status != HttpStatusCode.OK, $"GET {endpoint.AbsolutePath} refused (HTTP 400 or 405)", response.ToString());
    }

    public static Check TokenEndpointRefusesGet { get; } = Define.Rule(new()
    {
        // RFC 6749 §3.2 "the client MUST use the HTTP POST method" binds the client; refusing GET is the server's
        // SHOULD (grants and secrets in URLs end up in logs, RFC 9700 §4.3).
        Id = "HTTP-01",
        Anchors = "OAuch: TokenEndpoint/IsGetSupportedTest",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "The token endpoint SHOULD refuse requests made with GET: clients MUST POST token requests, so that grants and client secrets stay out of URLs.",
        Specs = "RFC6749 §3.2; RFC9700 §4.3",
        Applicability = "a token_endpoint and a confidential client",
        Remediation = "Accept only POST with application/x-www-form-urlencoded at the token endpoint.",
        Run = async c =>
        {
            var endpoint = c.RequireEndpoint("token_endpoint");
            var (client, grant) = WorkingGrant(c);
            var response = await BackChannel.GetAsync(c, endpoint, BackChannel.Basic(client), grant).ConfigureAwait(false);

            c.Expect(!response.HasAccessToken && response.Status != HttpStatusCode.OK, "GET refused (HTTP 400 or 405) without tokens", response.ToString());
        },
        Threats = "RFC9700 §4.3; RFC6819 §5.1.1",
    });

    public static Check RevocationEndpointRefusesGet { get; } = Define.Rule(new()
    {
        // RFC 7009 §2.1 says the client makes a POST request: a clause on the client, so the server's tolerance is a SHOULD.
        Id = "HTTP-02",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "The revocation endpoint SHOULD refuse requests made with GET: the client uses POST.",
        Specs = "RFC7009 §2.1",
        Applicability = "a revocation_endpoint and a confidential client",
        Remediation = "Accept only POST at the revocation endpoint.",
        Run = c => ExpectGetRefusedAsync(c, "revocation_endpoint", "token"),
        Threats = "RFC9700 §4.3",
    });

    public static Check IntrospectionEndpointRefusesGet { get; } = Define.Rule(new()
    {
        // RFC 7662 §2.1 says the protected resource calls it with POST: a clause on the caller, so a SHOULD for the server.
        Id = "HTTP-03",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "The introspection endpoint SHOULD refuse requests made with GET: the protected resource uses POST.",
        Specs = "RFC7662 §2.1",
        Applicability = "an introspection_endpoint and a confidential client",
        Remediation = "Accept only POST at the introspection endpoint.",
        Run = c => ExpectGetRefusedAsync(c, "introspection_endpoint", "token"),
        Threats = "RFC9700 §4.3",
    });

    public static Check UserInfoAcceptsPost { get; } = Define.Rule(new()
    {
        Id = "HTTP-04",
        Anchors = "OIDF: oidcc-userinfo-post-header",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The userinfo endpoint MUST support POST as well as GET.",
        Specs = "OIDC-Core §5.3.1",
        Applicability = "a userinfo_endpoint and a client that gets a user's access token",
        Remediation = "Serve userinfo for POST with the bearer token in the Authorization header.",
        Run = async c =>
        {
            var endpoint = c.RequireEndpoint("userinfo_endpoint");
            var (_, _, tokens) = await BackChannel.UserTokensAsync(c, "openid profile").ConfigureAwait(false);

            var response = await BackChannel.PostFormAsync(c, endpoint, [], authorization: "Bearer " + tokens.AccessToken).ConfigureAwait(false);

            c.Expect(response.Status == HttpStatusCode.OK && response.String("sub") is not null, "HTTP 200 with the user's claims", response.ToString());
        },
    });

    public static Check LogoutAcceptsPost { get; } = Define.Rule(new()
    {
        Id = "HTTP-05",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The end-session endpoint MUST support POST (form serialization) as well as GET.",
        Specs = "OIDC-RPLogout §2",
        Applicability = "an end_session_endpoint and a redirecting client with a postLogoutRedirectUri",
        Remediation = "Accept the logout request as a form POST with the same parameters as GET.",
        Run = async c =>
        {
            var endpoint = c.RequireEndpoint("end_session_endpoint");
            var client = c.Client("web");
            c.Require(client.PostLogoutRedirectUri is not null, "the web client has no postLogoutRedirectUri in the profile");
            var authorization = await Steps.CodeAsync(c, client, pkce: false).ConfigureAwait(false);
            var tokens = await Steps.RedeemAsync(c, client, authorization).ConfigureAwait(false);
            c.Precondition(tokens.IdToken is not null, "the code flow returned no ID token to use as id_token_hint");
            var state = Harness.Protocol.Random.Token();

            List<KeyValuePair<string, string>> parameters =
            [
                new("id_token_hint", tokens.IdToken!),
                new("client_id", client.ClientId),
                new("post_logout_redirect_uri", client.PostLogoutRedirectUri!.OriginalString),
                new("state", state),
            ];
            var response = await BackChannel.PostFormAsync(c, endpoint, parameters).ConfigureAwait(false);

            if (RedirectsTo(response, client.PostLogoutRedirectUri!))
            {
                return;
            }

            // RP-Initiated Logout §2: the OP SHOULD ask the user before logging out, so a page may answer instead of a
            // redirect. POST is supported when it is answered as the same request sent as GET is (no cookies either way).
            var get = await BackChannel.GetAsync(c, endpoint, query: parameters).ConfigureAwait(false);
            var alike = response.Status == HttpStatusCode.OK && get.Status == HttpStatusCode.OK && !RedirectsTo(get, client.PostLogoutRedirectUri!);
            if (alike)
            {
                c.Note($"the OP answers the logout request with a page (it asks the user, RP-Initiated Logout §2), to GET and POST alike: {response}");
            }

            c.Expect(alike, $"a redirect to {client.PostLogoutRedirectUri}, or the same page the GET request gets", $"POST: {response}; GET: {get}");
        },
    });

    private static bool RedirectsTo(RawResponse response, Uri target) =>
        (int)response.Status is >= 300 and < 400 && response.Header("Location") is { } location
        && Uri.TryCreate(location, UriKind.Absolute, out var to) && AuthorizationResponse.IsRedirectTo(to, target);

    public static Check TokenEndpointRefusesJson { get; } = Define.Rule(new()
    {
        // RFC 6749 §3.2/§4.4.2 tell the client to send application/x-www-form-urlencoded: a SHOULD for the server.
        Id = "HTTP-06",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "The token endpoint SHOULD refuse a token request whose parameters are not sent as application/x-www-form-urlencoded (here: a JSON body).",
        Specs = "RFC6749 §3.2; RFC6749 §4.4.2",
        Applicability = "a token_endpoint and a service or password client",
        Remediation = "Read token request parameters only from an application/x-www-form-urlencoded body.",
        Run = async c =>
        {
            var endpoint = c.RequireEndpoint("token_endpoint");
            var (client, grant) = WorkingGrant(c);
            var json = "{" + string.Join(",", grant.Select(p => $"\"{p.Key}\":{System.Text.Json.JsonSerializer.Serialize(p.Value)}")) + "}";
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Authorization", BackChannel.Basic(client));

            using var response = await RawHttp.SendAsync(c, request).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(c.Cancellation).ConfigureAwait(false);

            c.Expect(response.StatusCode != HttpStatusCode.OK || !body.Contains("access_token", StringComparison.Ordinal),
                "an error (invalid_request), no tokens", $"HTTP {(int)response.StatusCode}" + (body.Contains("access_token", StringComparison.Ordinal) ? " with an access_token" : ""));
        },
    });

    /// <summary>A grant that succeeds when POSTed as a form, so only the change under test decides: client credentials, else the password grant.</summary>
    private static (Harness.Target.ClientProfile Client, List<KeyValuePair<string, string>> Grant) WorkingGrant(CheckContext c)
    {
        var service = c.Profile.Client("service");
        if (service is not null && service.ServesServer(c.Server.Name) && Offering.MayOffer(c.Server, c.Profile, "client_credentials")
            && BackChannel.ServiceScope(c.Server, service) is { } scope)
        {
            return (service, [new("grant_type", "client_credentials"), new("scope", scope)]);
        }

        var password = c.Profile.Client("password");
        c.Require(password is not null && password.ServesServer(c.Server.Name) && Offering.MayOffer(c.Server, c.Profile, "password"),
            $"no service or password client for server '{c.Server.Name}' to send a grant that works by POST");
        return (password!, [new("grant_type", "password"), new("username", c.User.Username), new("password", c.User.Password.Reveal()), new("scope", "openid")]);
    }
}
