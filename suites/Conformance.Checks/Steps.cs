using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks;

/// <summary>An authorization request and what the server sent back to the redirect URI.</summary>
public sealed record Authorization(AuthorizationRequest Request, CodeVerifier? Verifier, AuthorizationResponse Response)
{
    public string Code => Response.Code!;
}

/// <summary>
/// The honest steps checks build on. Each asserts its own success as a precondition: when the honest part of a
/// flow fails, the check is inconclusive, because the rule under test was never reached.
/// </summary>
public static class Steps
{
    /// <summary>Authorization request through the target's login driver; <paramref name="change"/> alters the honest request.</summary>
    public static async Task<Authorization> AuthorizeAsync(
        CheckContext c,
        ClientProfile client,
        string scope = "openid",
        bool pkce = true,
        string responseType = "code",
        Func<AuthorizationRequest, AuthorizationRequest>? change = null,
        IUserAgent? agent = null)
    {
        var oauth = c.OAuth(client);
        var verifier = pkce ? CodeVerifier.New() : null;
        var request = oauth.AuthorizationRequest(scope, responseType);
        if (verifier is not null)
        {
            request = request.WithPkce(verifier);
        }

        request = change?.Invoke(request) ?? request;
        AuthorizationResponse response;
        if (agent is null)
        {
            await using var own = c.LoginDriver.NewUserAgent();
            response = await own.AuthorizeAsync(request, c.User, c.Cancellation).ConfigureAwait(false);
        }
        else
        {
            response = await agent.AuthorizeAsync(request, c.User, c.Cancellation).ConfigureAwait(false);
        }

        return new Authorization(request, verifier, response);
    }

    /// <summary>As <see cref="AuthorizeAsync"/>, requiring a successful response with a code.</summary>
    public static async Task<Authorization> CodeAsync(CheckContext c, ClientProfile client, string scope = "openid", bool pkce = true, IUserAgent? agent = null)
    {
        c.RequireMetadata("response_types_supported", "code");
        var authorization = await AuthorizeAsync(c, client, scope, pkce, agent: agent).ConfigureAwait(false);
        c.Precondition(authorization.Response is { IsError: false, Code: not null },
            $"the honest authorization request for '{client.Role}' got no code: {authorization.Response.Error} {authorization.Response.ErrorDescription}");
        return authorization;
    }

    /// <summary>Redeems a code honestly (same client, redirect URI and verifier) and requires tokens.</summary>
    public static async Task<TokenResponse> RedeemAsync(CheckContext c, ClientProfile client, Authorization authorization)
    {
        var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, authorization.Verifier, ct: c.Cancellation).ConfigureAwait(false);
        c.Precondition(tokens.IsSuccess, $"the honest code redemption failed: {tokens}");
        return tokens;
    }

    /// <summary>
    /// Tokens for a client that may refresh: the web client through the code flow with offline_access (and
    /// prompt=consent, OIDC Core §11). Not applicable when the server issues no refresh token: that is its policy.
    /// </summary>
    public static async Task<(ClientProfile Client, TokenResponse Tokens)> RefreshableAsync(CheckContext c, string role = "web", string scope = "openid offline_access")
    {
        var client = c.Client(role);
        var authorization = await CodeAsync(c, client, scope, pkce: !client.IsConfidential).ConfigureAwait(false);
        var tokens = await RedeemAsync(c, client, authorization).ConfigureAwait(false);
        c.Require(tokens.RefreshToken is not null, Offering.NoRefreshToken(c.Server, client.ClientId, $"the code flow with scope '{scope}'"));
        return (client, tokens);
    }

    /// <summary>Tokens from the password grant when offered; the cheapest way to a live token for back-channel checks.</summary>
    public static async Task<(ClientProfile Client, TokenResponse Tokens)> PasswordAsync(CheckContext c, string scope = "openid offline_access")
    {
        RequireGrant(c, "password");
        var client = c.Client("password");
        var tokens = await c.OAuth(client).PasswordAsync(c.User, scope, ct: c.Cancellation).ConfigureAwait(false);
        RequireGranted(c, "password", tokens);
        return (client, tokens);
    }

    /// <summary>Tokens from the client credentials grant for the service client and one of its scopes this server knows.</summary>
    public static async Task<(ClientProfile Client, TokenResponse Tokens)> ClientCredentialsAsync(CheckContext c)
    {
        RequireGrant(c, "client_credentials");
        var client = c.Client("service");
        var scope = BackChannel.ServiceScope(c.Server, client);
        c.Require(scope is not null, $"none of the service client's scopes ({string.Join(", ", client.Scopes)}) belongs to server '{c.Server.Name}'");
        var tokens = await c.OAuth(client).ClientCredentialsAsync(scope!, ct: c.Cancellation).ConfigureAwait(false);
        RequireGranted(c, "client_credentials", tokens);
        return (client, tokens);
    }

    /// <summary>
    /// A live access token of a confidential client from whichever grant the target offers: client credentials,
    /// then the password grant, then the web client's code flow. For checks about access tokens as such.
    /// </summary>
    public static async Task<(ClientProfile Client, TokenResponse Tokens)> AnyAccessTokenAsync(CheckContext c)
    {
        var reasons = new List<string>();
        // User tokens first: userinfo can tell whether they are live where introspection cannot.
        foreach (var step in new Func<Task<(ClientProfile, TokenResponse)>>[] { () => PasswordAsync(c, "openid"), () => WebCodeTokensAsync(c), () => ClientCredentialsAsync(c) })
        {
            try
            {
                return await step().ConfigureAwait(false);
            }
            catch (NotApplicableException e)
            {
                reasons.Add(e.Message);
            }
        }

        throw new NotApplicableException("no grant gives a confidential client an access token here: " + string.Join("; ", reasons));
    }

    /// <summary>The confidential web client's tokens from the code flow.</summary>
    private static async Task<(ClientProfile Client, TokenResponse Tokens)> WebCodeTokensAsync(CheckContext c)
    {
        var web = c.Client("web");
        c.Require(web.IsConfidential, "the 'web' client of the profile has no secret");
        var authorization = await CodeAsync(c, web).ConfigureAwait(false);
        return (web, await RedeemAsync(c, web, authorization).ConfigureAwait(false));
    }

    /// <summary>Not applicable unless the server may offer the grant (listed, or declared by a profile client).</summary>
    public static void RequireGrant(CheckContext c, string grant)
    {
        if (Offering.NotOffered(c.Server, c.Profile, grant) is { } reason)
        {
            throw new NotApplicableException(reason);
        }
    }

    /// <summary>The honest grant worked; a refusal of an unlisted grant is not applicable, any other failure inconclusive.</summary>
    public static void RequireGranted(CheckContext c, string grant, TokenResponse tokens)
    {
        if (Offering.RefusedAsNotOffered(c.Server, grant, tokens) is { } reason)
        {
            throw new NotApplicableException(reason);
        }

        c.Precondition(tokens.IsSuccess, $"the honest {grant} grant failed: {tokens}");
    }

    /// <summary>
    /// The security rule of a check is the refusal: no tokens. Which error code came back is noted, and judged
    /// once, by CODE-10 (RFC 6749 §5.2's error format), so one non-standard error code is not counted in every
    /// check that happens to see it.
    /// </summary>
    public static void ExpectRefused(CheckContext c, TokenResponse tokens, string expected, params string[] codes)
    {
        c.Expect(!tokens.IsSuccess, expected, Describe(tokens));
        if (!codes.Contains(tokens.Error))
        {
            c.Note($"refused with {Describe(tokens)} rather than {string.Join(" or ", codes.Select(x => $"'{x}'"))} (RFC 6749 §5.2's error codes are CODE-10's rule)");
        }
    }

    /// <summary>"HTTP 400, error 'invalid_grant'" or "HTTP 200 with tokens", for the observed side of a verdict.</summary>
    public static string Describe(TokenResponse tokens) => tokens.ToString();

    public static string Describe(AuthorizationResponse response) => response.IsError
        ? $"error '{response.Error}'" + (response.ErrorDescription is null ? "" : $" ({response.ErrorDescription})")
        : "a successful response" + (response.Code is null ? "" : " with a code") + (response.IdToken is null ? "" : " with an ID token");
}
