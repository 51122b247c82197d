using System.Net;
using Conformance.Harness.Http;
using Microsoft.IdentityModel.Tokens;
using RestSharp;

namespace Conformance.Harness.Jose;

/// <summary>
/// The signing keys of one authorization server. An unknown kid refetches the set once (OIDC Core §10.1.1:
/// keys roll over by publishing new ones), but never more, so a forged kid cannot make us hammer the server.
/// </summary>
public sealed class JwksCache
{
    private readonly Func<CancellationToken, Task<JsonWebKeySet>> fetch;
    private readonly SemaphoreSlim gate = new(1, 1);
    private JsonWebKeySet? keys;
    private int fetches;

    public JwksCache(HarnessHttp http, Uri jwksUri)
        : this(jwksUri, ct => FetchAsync(http, jwksUri, ct))
    {
    }

    /// <summary>For tests: the set comes from <paramref name="fetch"/>, called once at first use and once per refetch.</summary>
    internal JwksCache(Uri jwksUri, Func<CancellationToken, Task<JsonWebKeySet>> fetch)
    {
        JwksUri = jwksUri;
        this.fetch = fetch;
    }

    public Uri JwksUri { get; }

    /// <summary>How many times the set was fetched: the first load plus every refetch for an unknown kid.</summary>
    public int Fetches => Volatile.Read(ref fetches);

    public async Task<JsonWebKeySet> GetAsync(CancellationToken ct = default) =>
        keys ?? await RefreshAsync(null, ct).ConfigureAwait(false);

    /// <summary>Keys that may have signed a token with this kid; refetches once if the kid is unknown.</summary>
    public async Task<IReadOnlyList<JsonWebKey>> ResolveAsync(string? kid, CancellationToken ct = default)
    {
        var set = await GetAsync(ct).ConfigureAwait(false);
        if (kid is null || set.Keys.Any(k => k.Kid == kid))
        {
            return Matching(set, kid);
        }

        set = await RefreshAsync(set, ct).ConfigureAwait(false);
        return Matching(set, kid);
    }

    private static List<JsonWebKey> Matching(JsonWebKeySet set, string? kid) =>
        set.Keys.Where(k => kid is null || k.Kid == kid).Where(k => k.Use is null or "sig").ToList();

    private async Task<JsonWebKeySet> RefreshAsync(JsonWebKeySet? seen, CancellationToken ct)
    {
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Another caller may have refreshed while we waited.
            if (keys is not null && !ReferenceEquals(keys, seen))
            {
                return keys;
            }

            Interlocked.Increment(ref fetches);
            keys = await fetch(ct).ConfigureAwait(false);
            return keys;
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task<JsonWebKeySet> FetchAsync(HarnessHttp http, Uri jwksUri, CancellationToken ct)
    {
        var response = await http.Rest.SendOrThrowAsync(new RestRequest(jwksUri), $"JWKS at {jwksUri}", ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new IssuerUnreachableException($"JWKS at {jwksUri}: HTTP {(int)response.StatusCode}, expected 200");
        }

        try
        {
            return new JsonWebKeySet(response.Content);
        }
        catch (ArgumentException e)
        {
            throw new IssuerUnreachableException($"JWKS at {jwksUri}: not a JSON Web Key Set ({e.Message})", e);
        }
    }
}
