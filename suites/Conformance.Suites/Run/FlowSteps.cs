using System.Net;
using Conformance.Harness.Assertions;
using Conformance.Harness.Jose;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Suites.Run;

/// <summary>
/// The honest steps every flow shares, each asserting what the server must do at that step, so a check can
/// take them as given and change the one thing it is about.
/// </summary>
internal static class FlowSteps
{
    /// <summary>The user of the running flow's lane (see <see cref="Harness.Checks.Lanes"/>), else the first without one-time codes.</summary>
    public static UserProfile PasswordUser =>
        Harness.Checks.Lane.Current?.User ?? TargetRun.Target.Profile.Users.FirstOrDefault(u => u.TotpSecret is null) ?? TargetRun.Target.Profile.Users[0];

    /// <summary>Sends the request through the user agent and asserts a successful, state-preserving response.</summary>
    public static async Task<AuthorizationResponse> AuthorizeAsync(IUserAgent agent, AuthorizationRequest request, UserProfile user)
    {
        var response = await agent.AuthorizeAsync(request, user).ConfigureAwait(false);
        response.Error.Should().BeNull("the request is valid, so the server must not answer with an error (RFC 6749 §4.1.2.1); it said: {0}", response.ErrorDescription);
        response.State.Should().Be(request.State, "RFC 6749 §4.1.2 / §4.2.2: state is returned exactly as the client sent it");
        return response;
    }

    /// <summary>RFC 6749 §5.1 for any successful token response.</summary>
    public static void ShouldBeSuccessfulTokenResponse(TokenResponse tokens, string because)
    {
        tokens.Should().BeSuccessful(because);
        tokens.TokenType.Should().BeEquivalentTo("Bearer", "RFC 6749 §5.1 / RFC 6750 §4: token_type is Bearer (case-insensitive)");
        tokens.ExpiresIn.Should().BePositive("RFC 6749 §5.1 recommends expires_in, and a lifetime must be positive");
        tokens.Should().HaveNoStoreCacheControl("RFC 6749 §5.1: the token response MUST carry Cache-Control: no-store");
    }

    public static async Task<TokenValidation> ShouldBeValidIdTokenAsync(string? idToken, AuthorizationServer server, ClientProfile client, string? nonce, IdTokenExpectations? expectations = null)
    {
        idToken.Should().NotBeNullOrEmpty("OIDC Core §3.1.3.3: a request with the openid scope yields an ID token");
        var validation = await IdTokenValidation(idToken!, server, expectations ?? new IdTokenExpectations(client.ClientId, nonce)).ConfigureAwait(false);
        Say.Line(validation.Decoded);
        validation.Should().BeValid("OIDC Core §3.1.3.7: the ID token must verify with the issuing server's keys and name that server, this client and this request");
        return validation;
    }

    public static Task<TokenValidation> IdTokenValidation(string idToken, AuthorizationServer server, ClientProfile client, string? nonce) =>
        IdTokenValidation(idToken, server, new IdTokenExpectations(client.ClientId, nonce));

    public static Task<TokenValidation> IdTokenValidation(string idToken, AuthorizationServer server, IdTokenExpectations expectations) =>
        new IdTokenValidator().ValidateAsync(idToken, server, expectations with { ClockSkew = TargetRun.Target.Profile.Options.ClockSkew });

    /// <summary>OIDC Core §5.3.2: the access token works at userinfo and names the same subject as the ID token.</summary>
    public static async Task ShouldGetUserInfoForAsync(OAuthClient oauth, string accessToken, string? subject)
    {
        if (oauth.Server.Metadata.UserinfoEndpoint is null)
        {
            return;
        }

        var userInfo = await oauth.UserInfoAsync(accessToken).ConfigureAwait(false);
        userInfo.Status.Should().Be(HttpStatusCode.OK, "OIDC Core §5.3.2: a valid access token gets the user's claims; got {0}", userInfo);
        if (subject is not null)
        {
            userInfo.Subject.Should().Be(subject, "OIDC Core §5.3.2: the sub of userinfo MUST equal the sub of the ID token");
        }
    }

    /// <summary>
    /// A resource server's view of the access token: a JWT is validated against the issuing server's keys and
    /// audience; an opaque token through introspection (RFC 7662), the only way to know it is live.
    /// </summary>
    public static async Task ShouldBeLiveAccessTokenAsync(OAuthClient oauth, string accessToken, IReadOnlyCollection<string> scopes)
    {
        var validatedLocally = false;
        if (AccessTokenValidator.IsJwt(accessToken) && oauth.Server.Profile.Audience is not null)
        {
            validatedLocally = true;
            // RFC 9068: a resource server of this server validates the JWT locally: its keys, issuer, audience, client, scopes.
            var jwt = await new AccessTokenValidator().ValidateAsync(accessToken, oauth.Server,
                AccessTokenExpectations.For(oauth.Server, oauth.Client.ClientId, scopes.Where(s => s != "openid")) with { ClockSkew = TargetRun.Target.Profile.Options.ClockSkew }).ConfigureAwait(false);
            Say.Line(jwt.Decoded);
            jwt.Should().BeValid("RFC 9068 §4: the access token must verify with the issuing server's keys and carry its audience '{0}'", oauth.Server.Profile.Audience);
        }

        if (oauth.Server.Metadata.IntrospectionEndpoint is not null && oauth.Client.IsConfidential)
        {
            var introspection = await oauth.IntrospectAsync(accessToken, "access_token").ConfigureAwait(false);
            if (validatedLocally && introspection.Active is null)
            {
                // RFC 7662 does not oblige a server to introspect every token type: declining its own JWT access
                // token (e.g. 400 unsupported_token_type) is no violation once the token was validated locally.
                Say.Line($"note: introspection declined the JWT access token ({introspection}); it was validated locally (RFC 9068 §4)");
                return;
            }

            introspection.Active.Should().BeTrue("RFC 7662 §2.2: a token just issued to this client is active; got {0}", introspection);
            if (introspection.String("client_id") is { } clientId)
            {
                clientId.Should().Be(oauth.Client.ClientId, "RFC 7662 §2.2: client_id names the client the token was issued to");
            }

            if (introspection.String("scope") is { } scope)
            {
                scope.Split(' ').Should().Contain(scopes, "RFC 7662 §2.2: scope lists what was granted");
            }
        }
    }

    /// <summary>A code flow for a redirecting client, up to a successful token response.</summary>
    public static async Task<CodeFlow> CodeFlowAsync(IUserAgent agent, OAuthClient oauth, string scope, bool pkce, ClientAuthentication authentication = ClientAuthentication.Default)
    {
        var verifier = pkce ? CodeVerifier.New() : null;
        var request = oauth.AuthorizationRequest(scope);
        if (verifier is not null)
        {
            request = request.WithPkce(verifier);
        }

        var authorization = await AuthorizeAsync(agent, request, PasswordUser).ConfigureAwait(false);
        authorization.Code.Should().NotBeNullOrEmpty("RFC 6749 §4.1.2: a successful authorization response carries a code");
        var tokens = await oauth.RedeemCodeAsync(authorization.Code!, request.RedirectUri, verifier, authentication).ConfigureAwait(false);
        ShouldBeSuccessfulTokenResponse(tokens, "RFC 6749 §4.1.3: a fresh code, with the redirect URI and client it was issued for, is exchanged for tokens");
        return new CodeFlow(request, authorization, tokens);
    }
}

internal sealed record CodeFlow(AuthorizationRequest Request, AuthorizationResponse Authorization, TokenResponse Tokens);
