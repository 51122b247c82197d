namespace Conformance.Harness.Http;

/// <summary>
/// The per-call timeout, on the network exchange alone (headers and body). It sits below the pacer, the
/// in-flight limit and the 429 handler, so time spent waiting to stay inside the target's rate limits never
/// turns into a false "no response" (HttpClient's own timeout would count those waits too). The body is read
/// under this deadline by the RecordingHandler below it, which buffers every response as evidence, up to the
/// body cap: a huge body ends at the cap or at this deadline, whichever comes first.
/// </summary>
internal sealed class TimeoutHandler(TimeSpan timeout) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await base.SendAsync(request, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The shape HttpClient gives its own timeouts, which the callers already understand.
            throw new TaskCanceledException(
                $"no response from {request.Method} {request.RequestUri?.GetLeftPart(UriPartial.Path)} within {timeout.TotalSeconds:0.#} s",
                new TimeoutException(e.Message, e));
        }
    }
}
