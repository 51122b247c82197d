using System.Net;
using Conformance.Harness.Checks;
using Conformance.Harness.Jose;
using Conformance.Harness.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Checks.Areas;

/// <summary>The JOSE layer of the tokens the server issues: header parameters, algorithms and keys (RFC 7515, RFC 8725, RFC 9068).</summary>
public static class Jose
{
    private const string Area = "jose";
    private const string JwtAccessTokens = "a confidential web client using the code flow, at a server whose access tokens are JWS (not opaque, not encrypted)";

    /// <summary>Header parameters that name or carry a key: a token that brings its own key invites the receiver to trust it.</summary>
    private static readonly string[] KeyReferences = ["jku", "x5u", "jwk", "x5c"];

    /// <summary>How the JWS verifier words an algorithm, key or signature failure.</summary>
    private static readonly string[] SignatureFailures = ["not a compact JWS", "alg ", "kid ", "no signing key", "the signature"];

    public static Check IdTokenNoKeyReferences { get; } = Define.Rule(new()
    {
        Id = "JOSE-01",
        Anchors = "OAuch: IdTokens/KeyReferencesTest",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "ID tokens SHOULD NOT use the jku, x5u, jwk or x5c header parameters: keys are communicated by discovery (jwks_uri), not by the token.",
        Specs = "OIDC-Core §10.1; RFC8725 §3.10",
        Applicability = "a redirecting client (web or native) using the authorization code grant with the openid scope",
        Remediation = "Leave key references out of the ID token header; name the signing key by kid only, published at jwks_uri.",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var tokens = await Steps.RedeemAsync(c, client, authorization).ConfigureAwait(false);
            var idToken = BackChannel.Jwt(tokens.IdToken);
            c.Precondition(idToken is not null, "the token response to a request with the openid scope carried no ID token in compact JWS form");

            var found = References(idToken!);

            c.Expect(found.Count == 0, "no jku, x5u, jwk or x5c in the ID token header", $"header parameters [{string.Join(", ", found)}]");
        },
        Threats = "RFC8725 §2.1",
    });

    public static Check AccessTokenNoKeyReferences { get; } = Define.Rule(new()
    {
        Id = "JOSE-02",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "JWT access tokens SHOULD NOT carry the jku, x5u, jwk or x5c header parameters: resource servers take the keys from the authorization server's metadata.",
        Specs = "RFC8725 §3.10; RFC9068 §4; OIDC-Core §10.1",
        Applicability = JwtAccessTokens,
        Remediation = "Name the signing key of access tokens by kid only, published at jwks_uri.",
        Run = async c =>
        {
            var (_, accessToken) = await JwtAccessTokenAsync(c).ConfigureAwait(false);

            var found = References(accessToken);

            c.Expect(found.Count == 0, "no jku, x5u, jwk or x5c in the access token header", $"header parameters [{string.Join(", ", found)}]");
        },
        Threats = "RFC8725 §2.1",
    });

    public static Check UserInfoRefusesUnsignedAccessToken { get; } = Define.Rule(new()
    {
        Id = "JOSE-03",
        Anchors = "OAuch: Jwt/AcceptsNoneSignatureTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The userinfo endpoint, as a resource server, MUST reject a JWT access token whose alg is none: the server's own token, re-sent unsigned, gets HTTP 401.",
        Specs = "RFC9068 §4; RFC8725 §3.1; RFC6750 §3.1",
        Applicability = JwtAccessTokens + ", with a userinfo_endpoint",
        Remediation = "Validate access tokens only with the expected asymmetric algorithms and keys; never accept alg none.",
        Run = async c =>
        {
            c.RequireEndpoint("userinfo_endpoint");
            var (oauth, accessToken) = await JwtAccessTokenAsync(c).ConfigureAwait(false);
            var honest = await oauth.UserInfoAsync(accessToken.EncodedToken, c.Cancellation).ConfigureAwait(false);
            c.Precondition(honest.Status == HttpStatusCode.OK, $"the honest userinfo request failed: {honest}");
            var unsigned = Tamper.AlgNone(accessToken.EncodedToken, accessToken.Typ ?? "JWT");
            c.Target.Http.Redactor.AddArtefact(unsigned);

            var response = await oauth.UserInfoAsync(unsigned, c.Cancellation).ConfigureAwait(false);

            c.Expect(response.Status == HttpStatusCode.Unauthorized, "HTTP 401 (invalid_token) for the access token re-sent with alg none", response.ToString());
        },
        Threats = "RFC8725 §2.1; RFC6819 §4.6.7",
    });

    public static Check AccessTokenKeyResolves { get; } = Define.Rule(new()
    {
        Id = "JOSE-04",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A JWT access token MUST be signed with an asymmetric algorithm (never none) by a key of the server's jwks_uri, named by its kid, with which its signature verifies.",
        Specs = "RFC9068 §2.1; RFC9068 §4; RFC7515 §4.1.4",
        Applicability = JwtAccessTokens,
        Remediation = "Sign access tokens with the private key whose public half is published at jwks_uri, under the kid placed in the header.",
        Run = async c =>
        {
            var (oauth, accessToken) = await JwtAccessTokenAsync(c).ConfigureAwait(false);

            var validation = await new AccessTokenValidator().ValidateAsync(accessToken.EncodedToken, c.Server,
                AccessTokenExpectations.For(c.Server, oauth.Client.ClientId) with { ClockSkew = c.Profile.Options.ClockSkew }, c.Cancellation).ConfigureAwait(false);

            c.Note(validation.ToString());
            var failures = validation.Failures.Where(f => SignatureFailures.Any(p => f.StartsWith(p, StringComparison.Ordinal))).ToList();
            c.Expect(validation.SignatureVerified && failures.Count == 0, $"kid '{accessToken.Kid}' in {c.Server.Jwks.JwksUri} and a signature that verifies with it",
                failures.Count > 0 ? string.Join("; ", failures) : "the signature was not verified");
        },
        Threats = "RFC8725 §2.1; RFC6819 §4.6.7",
    });

    private static List<string> References(JsonWebToken token) =>
        KeyReferences.Where(name => token.TryGetHeaderValue<object>(name, out _)).ToList();

    /// <summary>The web client's access token from the code flow, required to be a JWS (an opaque or encrypted one makes the rule not applicable).</summary>
    private static async Task<(OAuthClient OAuth, JsonWebToken AccessToken)> JwtAccessTokenAsync(CheckContext c)
    {
        var (client, _, tokens) = await BackChannel.UserTokensAsync(c).ConfigureAwait(false);
        c.Precondition(tokens.AccessToken is not null, $"the honest code redemption returned no access token: {tokens}");
        var jwt = BackChannel.Jwt(tokens.AccessToken);
        c.Require(jwt is not null, $"the access tokens of server '{c.Server.Name}' are not JWS (opaque, or encrypted): there is no header to judge");
        return (c.OAuth(client), jwt!);
    }
}
