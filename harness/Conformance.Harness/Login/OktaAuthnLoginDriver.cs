using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using RestSharp;

namespace Conformance.Harness.Login;

/// <summary>
/// Okta's Classic Authentication API without a browser: POST /api/v1/authn, answer a TOTP factor when asked,
/// then redeem the one-time sessionToken at /authorize with prompt=none in a fresh cookie jar (Okta ignores a
/// sessionToken when a session cookie is already present). The state machine follows the _links the server
/// returns rather than assuming URLs, as Okta asks of clients.
/// </summary>
public sealed class OktaAuthnLoginDriver(HarnessHttp http, LoginProfile login) : ILoginDriver
{
    private const int MaxTransitions = 6;

    public string Name => "okta-authn";

    public IUserAgent NewUserAgent() => new Agent(this, new FormUserAgent(http, login));

    /// <summary>The Authentication API lives at the org's root, whichever authorization server is used.</summary>
    public static Uri AuthnEndpoint(Uri authorizationEndpoint) => new(authorizationEndpoint.GetLeftPart(UriPartial.Authority) + "/api/v1/authn");

    public async Task<string> SessionTokenAsync(Uri authnEndpoint, UserProfile user, CancellationToken ct = default)
    {
        var body = new JsonObject { ["username"] = user.Username, ["password"] = user.Password.Reveal() };
        var transaction = await PostAsync(authnEndpoint, body, ct).ConfigureAwait(false);
        for (var i = 0; i < MaxTransitions; i++)
        {
            var status = transaction.TryGetProperty("status", out var s) ? s.GetString() : null;
            switch (status)
            {
                case "SUCCESS":
                    var token = transaction.TryGetProperty("sessionToken", out var t) ? t.GetString() : null;
                    if (string.IsNullOrEmpty(token))
                    {
                        throw new LoginFailedException("/api/v1/authn answered SUCCESS without a sessionToken");
                    }

                    http.Redactor.AddArtefact(token);
                    return token;
                case "MFA_REQUIRED":
                    var (verify, stateToken) = TotpFactor(transaction, user);
                    var code = await TotpCodes.NextAsync(user, ct).ConfigureAwait(false);
                    http.Redactor.AddArtefact(stateToken);
                    transaction = await PostAsync(verify, new JsonObject { ["stateToken"] = stateToken, ["passCode"] = code }, ct).ConfigureAwait(false);
                    break;
                default:
                    throw new LoginFailedException($"/api/v1/authn for '{user.Username}' ended in status '{status ?? "(none)"}', which this driver does not handle (only SUCCESS and MFA_REQUIRED with a TOTP factor)");
            }
        }

        throw new LoginFailedException($"/api/v1/authn for '{user.Username}' did not reach SUCCESS in {MaxTransitions} steps");
    }

    private static (Uri Verify, string StateToken) TotpFactor(JsonElement transaction, UserProfile user)
    {
        var stateToken = transaction.TryGetProperty("stateToken", out var st) ? st.GetString() : null;
        if (stateToken is null)
        {
            throw new LoginFailedException("MFA_REQUIRED without a stateToken");
        }

        if (user.TotpSecret is null)
        {
            throw new LoginFailedException($"'{user.Username}' must answer a second factor, but has no totpSecret in the profile");
        }

        if (transaction.TryGetProperty("_embedded", out var embedded) && embedded.TryGetProperty("factors", out var factors))
        {
            foreach (var factor in factors.EnumerateArray())
            {
                if (factor.TryGetProperty("factorType", out var type) && type.GetString() == "token:software:totp"
                    && factor.TryGetProperty("_links", out var links) && links.TryGetProperty("verify", out var verify)
                    && verify.TryGetProperty("href", out var href) && Uri.TryCreate(href.GetString(), UriKind.Absolute, out var uri))
                {
                    return (uri, stateToken);
                }
            }
        }

        throw new LoginFailedException($"MFA_REQUIRED for '{user.Username}' offers no token:software:totp factor with a verify link");
    }

    private async Task<JsonElement> PostAsync(Uri endpoint, JsonObject body, CancellationToken ct)
    {
        var request = new RestRequest(endpoint, Method.Post);
        request.AddStringBody(body.ToJsonString(), ContentType.Json);
        request.AddHeader("Accept", "application/json");
        var response = await http.Rest.SendOrThrowAsync(request, $"Authentication API at {endpoint.AbsolutePath}", ct).ConfigureAwait(false);
        var json = JsonBody.Parse(response.Content)
            ?? throw new LoginFailedException($"{endpoint.AbsolutePath} answered HTTP {(int)response.StatusCode} with a body that is not JSON");

        if (response.StatusCode == HttpStatusCode.OK)
        {
            return json;
        }

        var errorCode = json.TryGetProperty("errorCode", out var e) ? e.GetString() : null;
        var summary = json.TryGetProperty("errorSummary", out var m) ? m.GetString() : null;
        throw new LoginFailedException($"{endpoint.AbsolutePath} refused the login: HTTP {(int)response.StatusCode} {errorCode} {summary}".TrimEnd());
    }

    /// <summary>Authenticates through the API, then only follows redirects: a login page here is a failure of the session token.</summary>
    private sealed class Agent(OktaAuthnLoginDriver driver, FormUserAgent redirects) : IUserAgent
    {
        public async Task<AuthorizationResponse> AuthorizeAsync(AuthorizationRequest request, UserProfile user, CancellationToken ct = default)
        {
            var sessionToken = await driver.SessionTokenAsync(AuthnEndpoint(request.Endpoint), user, ct).ConfigureAwait(false);
            var extra = new Dictionary<string, string>(request.Extra) { ["sessionToken"] = sessionToken };
            var withToken = request with { Prompt = request.Prompt ?? "none", Extra = extra };
            var response = await redirects.NavigateAsync(withToken.ToUri(), request.RedirectUri, ct).ConfigureAwait(false);
            if (response.Error == "consent_required" && request.Prompt is null)
            {
                // The session token created the session; a client that requires consent needs one interactive
                // consent page, which a person would see too (OIDC Core §3.1.2.6). No credentials are typed here.
                return await redirects.ConsentAsync(request, ct).ConfigureAwait(false);
            }

            return response;
        }

        public Task<AuthorizationResponse> NavigateAsync(Uri start, Uri stopAt, CancellationToken ct = default) =>
            redirects.NavigateAsync(start, stopAt, ct);

        public Task<AuthorizationResponse> LogoutAsync(Uri start, Uri stopAt, CancellationToken ct = default) =>
            redirects.LogoutAsync(start, stopAt, ct);

        public ValueTask DisposeAsync() => redirects.DisposeAsync();
    }
}
