namespace Conformance.Harness.Http;

/// <summary>
/// Caps the requests in flight against the target. Okta counts concurrent requests per org (35 on the free
/// plan) and answers 429 beyond it; the profile's maxConcurrency keeps a run well inside that.
/// </summary>
internal sealed class ConcurrencyLimitHandler(int maxInFlight) : DelegatingHandler
{
    private readonly SemaphoreSlim slots = new(maxInFlight, maxInFlight);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            slots.Dispose();
        }

        base.Dispose(disposing);
    }
}
