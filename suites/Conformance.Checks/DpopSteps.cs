using System.Net;
using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks;

/// <summary>
/// The honest DPoP steps (RFC 9449) the dpop area builds on: a token request with a proof, and userinfo with a bound
/// token and its proof. Each asserts its own success as a precondition.
/// </summary>
internal static class DpopSteps
{
    public const string Advertised = "a server listing ES256 in dpop_signing_alg_values_supported (the harness's proofs are ES256)";

    /// <summary>Not applicable unless the server advertises DPoP with ES256 (RFC 9449 §5.1).</summary>
    public static void RequireDpop(CheckContext c) =>
        c.Require(c.Server.Metadata.Lists("dpop_signing_alg_values_supported", "ES256"),
            $"server '{c.Server.Name}' does not list ES256 in dpop_signing_alg_values_supported (no DPoP, or not with ES256 keys)");

    public static Uri TokenEndpoint(CheckContext c) =>
        c.Server.Metadata.TokenEndpoint ?? throw new NotApplicableException($"server '{c.Server.Name}' publishes no token_endpoint");

    /// <summary>An honest proof per attempt (a fresh jti each time), altered by <paramref name="change"/>.</summary>
    public static Func<string?, string> Proofs(DpopKey key, string htm, Uri htu, string? accessToken = null, Func<DpopProofClaims, DpopProofClaims>? change = null) =>
        nonce =>
        {
            var claims = new DpopProofClaims { Htm = htm, Htu = htu, AccessToken = accessToken, Nonce = nonce };
            return key.Proof(change?.Invoke(claims) ?? claims);
        };

    /// <summary>A grant the token endpoint honours (client credentials, else the web client's code), sent with proofs.</summary>
    public static async Task<TokenResponse> GrantWithProofAsync(CheckContext c, Func<string?, string> proofs)
    {
        var (client, form) = await BackChannel.LiveGrantAsync(c).ConfigureAwait(false);
        return await c.OAuth(client).DpopTokenAsync(form, proofs, ct: c.Cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// The rule of a proof check at the token endpoint: an honest proof gets tokens, then a proof changed by
    /// <paramref name="bad"/> (for a fresh grant) gets none. The error code is noted, not judged.
    /// </summary>
    public static async Task ExpectProofRefusedAsync(CheckContext c, Func<DpopKey, Uri, Func<string?, string>> bad)
    {
        RequireDpop(c);
        var endpoint = TokenEndpoint(c);
        using var key = new DpopKey();
        var honest = await GrantWithProofAsync(c, Proofs(key, "POST", endpoint)).ConfigureAwait(false);
        c.Precondition(honest.IsSuccess, $"the token request with an honest DPoP proof failed: {Steps.Describe(honest)}");

        var answer = await GrantWithProofAsync(c, bad(key, endpoint)).ConfigureAwait(false);

        ExpectRefused(c, answer);
    }

    public static void ExpectRefused(CheckContext c, TokenResponse answer)
    {
        c.Expect(!answer.IsSuccess, "no tokens (HTTP 400, error 'invalid_dpop_proof')", Steps.Describe(answer));
        if (answer.Error != "invalid_dpop_proof")
        {
            c.Note($"refused with {Steps.Describe(answer)} rather than 'invalid_dpop_proof' (RFC 9449 §5)");
        }
    }

    /// <summary>User tokens of <paramref name="role"/> from the code flow, bound to <paramref name="key"/> (RFC 9449 §5).</summary>
    public static async Task<(ClientProfile Client, TokenResponse Tokens)> BoundUserTokensAsync(CheckContext c, DpopKey key, string role = "web", string scope = "openid")
    {
        RequireDpop(c);
        var client = c.Client(role);
        var authorization = await Steps.CodeAsync(c, client, scope).ConfigureAwait(false);
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"),
            new("code", authorization.Code),
            new("redirect_uri", authorization.Request.RedirectUri.OriginalString),
        };
        if (authorization.Verifier is not null)
        {
            form.Add(new("code_verifier", authorization.Verifier.Value));
        }

        var tokens = await c.OAuth(client).DpopTokenAsync(form, Proofs(key, "POST", TokenEndpoint(c)), ct: c.Cancellation).ConfigureAwait(false);
        c.Precondition(tokens.IsSuccess, $"the code redemption with an honest DPoP proof failed: {Steps.Describe(tokens)}");
        if (!string.Equals(tokens.TokenType, "DPoP", StringComparison.OrdinalIgnoreCase))
        {
            c.Note($"the token response's token_type is '{tokens.TokenType}', not 'DPoP' (RFC 9449 §5)");
        }

        return (client, tokens);
    }

    /// <summary>
    /// The rule of a userinfo check: a bound token with an honest proof is answered, then the same token with the
    /// request <paramref name="bad"/> makes is not (RFC 9449 §7).
    /// </summary>
    public static async Task ExpectUserInfoRefusedAsync(CheckContext c, string expected, Func<OAuthClient, Uri, string, DpopKey, Task<UserInfoResponse>> bad)
    {
        var endpoint = c.RequireEndpoint("userinfo_endpoint");
        using var key = new DpopKey();
        var (client, tokens) = await BoundUserTokensAsync(c, key).ConfigureAwait(false);
        var oauth = c.OAuth(client);
        var honest = await oauth.DpopUserInfoAsync(tokens.AccessToken!, "DPoP", Proofs(key, "GET", endpoint, tokens.AccessToken), c.Cancellation).ConfigureAwait(false);
        c.Precondition(honest.Status == HttpStatusCode.OK, $"userinfo with the bound token and an honest DPoP proof failed: {honest}");

        var answer = await bad(oauth, endpoint, tokens.AccessToken!, key).ConfigureAwait(false);

        c.Expect(answer.Status != HttpStatusCode.OK, expected, answer.Status == HttpStatusCode.OK ? "HTTP 200 with the user's claims" : answer.ToString());
    }
}
