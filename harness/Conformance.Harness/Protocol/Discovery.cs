using System.Net;
using System.Text.Json;
using Conformance.Harness.Http;
using RestSharp;

namespace Conformance.Harness.Protocol;

public static class Discovery
{
    /// <summary>OpenID Connect Discovery 1.0 §4: the configuration lives at issuer + "/.well-known/openid-configuration".</summary>
    public static Uri OpenIdConfigurationUri(Uri issuer) =>
        new(issuer.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/.well-known/openid-configuration");

    /// <summary>Fetches and parses the metadata. Throws <see cref="IssuerUnreachableException"/> when nothing usable came back.</summary>
    public static async Task<ProviderMetadata> FetchAsync(HarnessHttp http, Uri issuer, CancellationToken ct = default)
    {
        var uri = OpenIdConfigurationUri(issuer);
        var response = await http.Rest.SendOrThrowAsync(new RestRequest(uri), $"discovery at {uri}", ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new IssuerUnreachableException($"discovery at {uri}: HTTP {(int)response.StatusCode}, expected 200 with the provider metadata");
        }

        return JsonBody.Parse(response.Content) switch
        {
            null => throw new IssuerUnreachableException($"discovery at {uri}: the body is not JSON ({response.ContentType ?? "no content type"})"),
            { ValueKind: not JsonValueKind.Object } => throw new IssuerUnreachableException($"discovery at {uri}: the body is JSON but not an object"),
            { } json => new ProviderMetadata(json, uri),
        };
    }
}
