using Conformance.Harness.Checks;
using Conformance.Harness.Jose;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks;

/// <summary>
/// Steps of private_key_jwt client authentication (RFC 7523 §2.2, OIDC Core §9) at the token endpoint: the keyed
/// client, the grant it uses (client credentials with one of its scopes), and a request with a chosen assertion.
/// </summary>
internal static class Assertions
{
    public const string Applicability = "a server that lists private_key_jwt in token_endpoint_auth_methods_supported and offers client_credentials, and an 'assertion' client (privateKey) with a scope there";

    /// <summary>The keyed client and its scope at this server, or not applicable with what is missing.</summary>
    public static (ClientProfile Client, string Scope) Require(CheckContext c)
    {
        c.Require(c.Server.Metadata.TokenEndpointAuthMethodsSupported.Contains("private_key_jwt"), $"server '{c.Server.Name}' does not list private_key_jwt in token_endpoint_auth_methods_supported");
        Steps.RequireGrant(c, "client_credentials");
        var client = c.Client("assertion");
        c.Precondition(client.PrivateKey is { } key && ClientAssertion.KeyProblem(key.Reveal()) is null,
            $"the assertion client's privateKey ({client.PrivateKey}) is {(client.PrivateKey is { } k ? ClientAssertion.KeyProblem(k.Reveal()) : "missing")}");
        var scope = BackChannel.ServiceScope(c.Server, client);
        c.Require(scope is not null, $"none of the assertion client's scopes ({string.Join(", ", client.Scopes)}) belongs to server '{c.Server.Name}'");
        return (client, scope!);
    }

    /// <summary>The honest claims: iss = sub = client_id, aud = the token endpoint, five minutes, a fresh jti.</summary>
    public static ClientAssertionClaims Honest(CheckContext c, ClientProfile client) =>
        ClientAssertionClaims.For(client.ClientId, c.Server.Metadata.TokenEndpoint ?? throw new NotApplicableException($"server '{c.Server.Name}' publishes no token_endpoint"));

    /// <summary>The client credentials grant authenticated by exactly this assertion (and client_id).</summary>
    public static Task<TokenResponse> GrantAsync(CheckContext c, ClientProfile client, string scope, string assertion) =>
        c.OAuth(client).TokenAsync(
            [new("grant_type", "client_credentials"), new("scope", scope), new("client_assertion_type", ClientAssertion.JwtBearerType), new("client_assertion", assertion)],
            ClientAuthentication.None, c.Cancellation);

    /// <summary>Signed with the client's own key.</summary>
    public static string Signed(ClientProfile client, ClientAssertionClaims claims) =>
        ClientAssertion.Sign(claims, (client.PrivateKey ?? throw new NotApplicableException($"the '{client.Role}' client has no privateKey")).Reveal());

    /// <summary>The honest grant works, or the check is inconclusive (nothing about the rule could be learned).</summary>
    public static async Task RequireHonestAsync(CheckContext c, ClientProfile client, string scope)
    {
        var honest = await GrantAsync(c, client, scope, Signed(client, Honest(c, client))).ConfigureAwait(false);
        Steps.RequireGranted(c, "client_credentials", honest);
    }

    /// <summary>RFC 7523 §3.2: a rejected assertion is answered invalid_client; the refusal is the rule, the code is noted.</summary>
    public static void ExpectRefused(CheckContext c, TokenResponse tokens) =>
        Steps.ExpectRefused(c, tokens, "no tokens (HTTP 401 or 400, error 'invalid_client')", "invalid_client");
}
