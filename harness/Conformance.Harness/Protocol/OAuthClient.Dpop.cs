using Conformance.Harness.Http;
using RestSharp;

namespace Conformance.Harness.Protocol;

/// <summary>
/// RFC 9449: token requests and userinfo requests with a DPoP proof. The proof is made per attempt from the nonce
/// the server asked for (null at first): a server answering use_dpop_nonce (§8, §9) gets one retry with its nonce.
/// The refused first attempt consumed nothing, so even a one-time grant may be sent again.
/// </summary>
public sealed partial class OAuthClient
{
    /// <summary>RFC 9449 §5: a grant at the token endpoint with the proof <paramref name="proof"/> makes for a nonce.</summary>
    public async Task<TokenResponse> DpopTokenAsync(IEnumerable<KeyValuePair<string, string>> form, Func<string?, string> proof, ClientAuthentication authentication = ClientAuthentication.Default, CancellationToken ct = default)
    {
        var fields = form.ToList();
        var response = await TokenAsync(fields, authentication, proof(null), ct).ConfigureAwait(false);
        if (response.Error == "use_dpop_nonce" && response.DpopNonce is { } nonce)
        {
            response = await TokenAsync(fields, authentication, proof(nonce), ct).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>
    /// RFC 9449 §7.1: userinfo with "Authorization: {scheme} {token}" and, when <paramref name="proof"/> gives one,
    /// the DPoP header. Scheme "Bearer" without a proof is the downgrade a bound token must not survive.
    /// </summary>
    public async Task<UserInfoResponse> DpopUserInfoAsync(string accessToken, string scheme, Func<string?, string?> proof, CancellationToken ct = default)
    {
        var response = await SendUserInfoAsync(accessToken, scheme, proof(null), ct).ConfigureAwait(false);
        if (response.DpopNonce is { } nonce && response.WwwAuthenticate?.Contains("use_dpop_nonce", StringComparison.Ordinal) == true)
        {
            response = await SendUserInfoAsync(accessToken, scheme, proof(nonce), ct).ConfigureAwait(false);
        }

        return response;
    }

    private async Task<UserInfoResponse> SendUserInfoAsync(string accessToken, string scheme, string? proof, CancellationToken ct)
    {
        var endpoint = Server.Metadata.UserinfoEndpoint ?? throw NotPublished("userinfo_endpoint");
        var request = new RestRequest(endpoint);
        request.AddHeader("Authorization", $"{scheme} {accessToken}");
        if (proof is not null)
        {
            request.AddHeader("DPoP", proof);
        }

        var response = await http.Rest.SendOrThrowAsync(request, $"userinfo endpoint of '{Server.Name}'", ct).ConfigureAwait(false);
        return new UserInfoResponse(response);
    }
}
