using System.Net;
using System.Text;
using Conformance.Harness.Http;
using Conformance.Harness.Jose;
using Conformance.Harness.Target;
using RestSharp;

namespace Conformance.Harness.Protocol;

/// <summary>RFC 6749 §2.3.1 client_secret_basic, client_secret_post, or a public client (none).</summary>
public enum ClientAuthentication
{
    /// <summary>client_secret_basic for a confidential client, none for a public one.</summary>
    Default,
    ClientSecretBasic,
    ClientSecretPost,
    None,

    /// <summary>RFC 7523 §2.2 / OIDC Core §9: a JWT signed with the client's private key (the profile's privateKey).</summary>
    PrivateKeyJwt,
}

/// <summary>One client of the target talking to one of its authorization servers' back-channel endpoints.</summary>
public sealed partial class OAuthClient(HarnessHttp http, AuthorizationServer server, ClientProfile client)
{
    public AuthorizationServer Server { get; } = server;

    public ClientProfile Client { get; } = client;

    public AuthorizationRequest AuthorizationRequest(string scope = "openid", string responseType = "code") => new()
    {
        Endpoint = Server.Metadata.AuthorizationEndpoint
            ?? throw NotPublished("authorization_endpoint"),
        ClientId = Client.ClientId,
        RedirectUri = Client.RedirectUri ?? throw new InvalidOperationException($"client '{Client.Role}' has no redirectUri in the profile"),
        Scope = scope,
        ResponseType = responseType,
        // OIDC Core §11: a request for offline_access MUST use prompt=consent; without it a server may ignore
        // offline_access and issue no refresh token.
        Prompt = scope.Split(' ').Contains("offline_access") ? "consent" : null,
    };

    /// <summary>RFC 6749 §4.1.3, with RFC 7636 §4.5 when a verifier is given.</summary>
    public Task<TokenResponse> RedeemCodeAsync(string code, Uri redirectUri, CodeVerifier? verifier, ClientAuthentication authentication = ClientAuthentication.Default, CancellationToken ct = default)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"),
            new("code", code),
            new("redirect_uri", redirectUri.OriginalString),
        };
        if (verifier is not null)
        {
            form.Add(new("code_verifier", verifier.Value));
        }

        return TokenAsync(form, authentication, ct);
    }

    /// <summary>RFC 6749 §4.4.</summary>
    public Task<TokenResponse> ClientCredentialsAsync(string scope, ClientAuthentication authentication = ClientAuthentication.Default, CancellationToken ct = default) =>
        TokenAsync([new("grant_type", "client_credentials"), new("scope", scope)], authentication, ct);

    /// <summary>RFC 6749 §4.3.</summary>
    public Task<TokenResponse> PasswordAsync(UserProfile user, string scope, ClientAuthentication authentication = ClientAuthentication.Default, CancellationToken ct = default) =>
        TokenAsync([new("grant_type", "password"), new("username", user.Username), new("password", user.Password.Reveal()), new("scope", scope)], authentication, ct);

    /// <summary>RFC 6749 §6; scope omitted means the originally granted scope.</summary>
    public Task<TokenResponse> RefreshAsync(string refreshToken, string? scope = null, ClientAuthentication authentication = ClientAuthentication.Default, CancellationToken ct = default)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "refresh_token"), new("refresh_token", refreshToken) };
        if (scope is not null)
        {
            form.Add(new("scope", scope));
        }

        return TokenAsync(form, authentication, ct);
    }

    /// <summary>RFC 7662 §2.1, authenticated as this client.</summary>
    public async Task<IntrospectionResponse> IntrospectAsync(string token, string? tokenTypeHint = null, ClientAuthentication authentication = ClientAuthentication.Default, CancellationToken ct = default) =>
        new(await PostTokenAsync(Server.Metadata.IntrospectionEndpoint, "introspection", token, tokenTypeHint, authentication, ct).ConfigureAwait(false));

    /// <summary>RFC 7009 §2.1; the answer is only the status (200 whether or not the token was valid, §2.2).</summary>
    public async Task<HttpStatusCode> RevokeAsync(string token, string? tokenTypeHint = null, ClientAuthentication authentication = ClientAuthentication.Default, CancellationToken ct = default) =>
        (await PostTokenAsync(Server.Metadata.RevocationEndpoint, "revocation", token, tokenTypeHint, authentication, ct).ConfigureAwait(false)).StatusCode;

    /// <summary>
    /// Introspection (RFC 7662 §2.1) and revocation (RFC 7009 §2.1) ask the same request of the client: the token,
    /// an optional token_type_hint, and the client's authentication, posted to the endpoint named <paramref name="name"/>.
    /// </summary>
    private async Task<RestResponse> PostTokenAsync(Uri? endpoint, string name, string token, string? tokenTypeHint, ClientAuthentication authentication, CancellationToken ct)
    {
        var request = new RestRequest(endpoint ?? throw NotPublished($"{name}_endpoint"), Method.Post);
        request.AddParameter("token", token, ParameterType.GetOrPost);
        if (tokenTypeHint is not null)
        {
            request.AddParameter("token_type_hint", tokenTypeHint, ParameterType.GetOrPost);
        }

        Authenticate(request, authentication);
        return await http.Rest.SendOrThrowAsync(request, $"{name} endpoint of '{Server.Name}'", ct).ConfigureAwait(false);
    }

    /// <summary>OIDC RP-Initiated Logout 1.0 §2: the URL a browser is sent to.</summary>
    public Uri LogoutRequest(string idTokenHint, Uri? postLogoutRedirectUri, string? state)
    {
        var endpoint = Server.Metadata.EndSessionEndpoint ?? throw NotPublished("end_session_endpoint");
        var parameters = new List<KeyValuePair<string, string>> { new("id_token_hint", idTokenHint), new("client_id", Client.ClientId) };
        if (postLogoutRedirectUri is not null)
        {
            parameters.Add(new("post_logout_redirect_uri", postLogoutRedirectUri.OriginalString));
        }

        if (state is not null)
        {
            parameters.Add(new("state", state));
        }

        var builder = new UriBuilder(endpoint);
        var query = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        builder.Query = string.IsNullOrEmpty(builder.Query) ? query : builder.Query.TrimStart('?') + "&" + query;
        return builder.Uri;
    }

    /// <summary>Posts a grant to the token endpoint with this client's authentication. One-time grants are never retried here.</summary>
    public Task<TokenResponse> TokenAsync(IEnumerable<KeyValuePair<string, string>> form, ClientAuthentication authentication = ClientAuthentication.Default, CancellationToken ct = default) =>
        TokenAsync(form, authentication, dpopProof: null, ct);

    private async Task<TokenResponse> TokenAsync(IEnumerable<KeyValuePair<string, string>> form, ClientAuthentication authentication, string? dpopProof, CancellationToken ct)
    {
        var endpoint = Server.Metadata.TokenEndpoint ?? throw NotPublished("token_endpoint");
        var request = new RestRequest(endpoint, Method.Post);
        if (dpopProof is not null)
        {
            request.AddHeader("DPoP", dpopProof);
        }

        foreach (var (name, value) in form)
        {
            request.AddParameter(name, value, ParameterType.GetOrPost);
        }

        Authenticate(request, authentication);
        var grant = form.FirstOrDefault(f => f.Key == "grant_type").Value;
        if (grant is "authorization_code" or "refresh_token")
        {
            // A replayed code or rotated refresh token looks like theft to the server (RFC 9700 §4.14.2).
            request.Interceptors = [OneTimeStep.Instance];
        }

        var response = await http.Rest.SendOrThrowAsync(request, $"token endpoint of '{Server.Name}'", ct).ConfigureAwait(false);
        var token = new TokenResponse(response);
        http.Redactor.AddArtefact(token.AccessToken);
        http.Redactor.AddArtefact(token.RefreshToken);
        return token;
    }

    /// <summary>OIDC Core §5.3.1 with the token in the Authorization header (RFC 6750 §2.1).</summary>
    public async Task<UserInfoResponse> UserInfoAsync(string accessToken, CancellationToken ct = default)
    {
        var endpoint = Server.Metadata.UserinfoEndpoint ?? throw NotPublished("userinfo_endpoint");
        var request = new RestRequest(endpoint);
        request.AddHeader("Authorization", "Bearer " + accessToken);
        var response = await http.Rest.SendOrThrowAsync(request, $"userinfo endpoint of '{Server.Name}'", ct).ConfigureAwait(false);
        return new UserInfoResponse(response);
    }

    private void Authenticate(RestRequest request, ClientAuthentication authentication)
    {
        if (authentication == ClientAuthentication.Default)
        {
            authentication = Client.PrivateKey is not null ? ClientAuthentication.PrivateKeyJwt
                : Client.Secret is null ? ClientAuthentication.None : ClientAuthentication.ClientSecretBasic;
        }

        switch (authentication)
        {
            case ClientAuthentication.ClientSecretBasic:
                // RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64; many clients forget.
                var pair = $"{Uri.EscapeDataString(Client.ClientId)}:{Uri.EscapeDataString(RequireSecret().Reveal())}";
                request.AddHeader("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
                break;
            case ClientAuthentication.ClientSecretPost:
                request.AddParameter("client_id", Client.ClientId, ParameterType.GetOrPost);
                request.AddParameter("client_secret", RequireSecret().Reveal(), ParameterType.GetOrPost);
                break;
            case ClientAuthentication.PrivateKeyJwt:
                // client_id too (RFC 7523 §3 leaves it optional): the server then knows the client before the assertion.
                request.AddParameter("client_id", Client.ClientId, ParameterType.GetOrPost);
                foreach (var (name, value) in AssertionParameters(ClientAssertionClaims.For(Client.ClientId, AssertionAudience(request))))
                {
                    request.AddParameter(name, value, ParameterType.GetOrPost);
                }

                break;
            default:
                request.AddParameter("client_id", Client.ClientId, ParameterType.GetOrPost);
                break;
        }
    }

    /// <summary>client_assertion_type and a client_assertion signed with this client's key, for the given claims.</summary>
    public IEnumerable<KeyValuePair<string, string>> AssertionParameters(ClientAssertionClaims claims) =>
    [
        new("client_assertion_type", ClientAssertion.JwtBearerType),
        new("client_assertion", ClientAssertion.Sign(claims, (Client.PrivateKey ?? throw new InvalidOperationException($"client '{Client.Role}' has no privateKey in the profile")).Reveal())),
    ];

    /// <summary>The endpoint the request goes to (OIDC Core §9: aud is the token endpoint's URL; RFC 9126 §2 lets the PAR endpoint name itself too).</summary>
    private Uri AssertionAudience(RestRequest request) =>
        request.Resource is { Length: > 0 } resource && Uri.TryCreate(resource, UriKind.Absolute, out var endpoint) ? endpoint
        : Server.Metadata.TokenEndpoint ?? throw NotPublished("token_endpoint");

    /// <summary>The server's metadata lacks the endpoint: nothing can be learned there, so the check is inconclusive.</summary>
    private IssuerUnreachableException NotPublished(string field) => new($"server '{Server.Name}' publishes no {field}");

    private Secret RequireSecret() =>
        Client.Secret ?? throw new InvalidOperationException($"client '{Client.Role}' has no secret in the profile");

    /// <summary>Marks the request so <see cref="RateLimitHandler"/> never replays it.</summary>
    private sealed class OneTimeStep : RestSharp.Interceptors.Interceptor
    {
        public static readonly OneTimeStep Instance = new();

        public override ValueTask BeforeHttpRequest(HttpRequestMessage requestMessage, CancellationToken cancellationToken)
        {
            requestMessage.Options.Set(RateLimitHandler.OneTime, true);
            return ValueTask.CompletedTask;
        }
    }
}
