using System.Diagnostics;
using System.Net.Http.Headers;

namespace Conformance.Harness.Http;

/// <summary>
/// Sits under every request the harness makes and writes it down as redacted evidence. Bodies are buffered
/// so the recording sees exactly the bytes that went over the wire.
/// </summary>
internal sealed class RecordingHandler(EvidenceRecorder recorder, Redactor redactor) : DelegatingHandler
{
    private const int MaxBody = 64 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sequence = recorder.NextSequence();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        string? requestBody = null;
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            requestBody = await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }

        var requestHeaders = Headers(request.Headers, request.Content?.Headers);
        var redactedRequestBody = redactor.Body(request.Content?.Headers.ContentType?.MediaType, Truncate(requestBody));
        var url = redactor.Url(request.RequestUri);
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            recorder.Record(new HttpExchange(
                sequence, started, clock.Elapsed, request.Method.Method, url, requestHeaders, redactedRequestBody,
                (int)response.StatusCode, Headers(response.Headers, response.Content.Headers),
                redactor.Body(response.Content.Headers.ContentType?.MediaType, Truncate(body)), null));
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            var reason = e is HttpRequestException http ? HarnessHttp.Describe(http) : $"no response within {clock.Elapsed.TotalSeconds:0.#} s";
            recorder.Record(new HttpExchange(
                sequence, started, clock.Elapsed, request.Method.Method, url, requestHeaders, redactedRequestBody,
                null, [], null, reason));
            throw;
        }
    }

    private List<KeyValuePair<string, string>> Headers(HttpHeaders headers, HttpHeaders? contentHeaders) =>
        headers.Concat(contentHeaders ?? (IEnumerable<KeyValuePair<string, IEnumerable<string>>>)[])
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, redactor.Header(h.Key, v))))
            .ToList();

    private static string? Truncate(string? body) =>
        body is { Length: > MaxBody } ? body[..MaxBody] + $"\n[... {body.Length - MaxBody} more characters not recorded]" : body;
}
