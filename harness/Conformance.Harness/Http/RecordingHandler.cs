using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Conformance.Harness.Http;

/// <summary>
/// Sits under every request the harness makes and writes it down as redacted evidence. Bodies are buffered
/// so the recording sees exactly the bytes that went over the wire; this is the one place a response body is
/// read from the server, so the cap on its size is enforced here for every caller (RestSharp, the form driver,
/// raw probes): a body over <c>maxBody</c> bytes is recorded cut and refused with
/// <see cref="ResponseTooLargeException"/>, never buffered whole.
/// </summary>
internal sealed class RecordingHandler(EvidenceRecorder recorder, Redactor redactor, long maxBody = HarnessHttp.DefaultMaxBodyMegabytes * HarnessHttp.Megabyte) : DelegatingHandler
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

        // Before anything is written down, and before the server can echo it back.
        redactor.LearnRequest(request, requestBody);
        var requestHeaders = Headers(request.Headers, request.Content?.Headers);
        var redactedRequestBody = redactor.Body(request.Content?.Headers.ContentType?.MediaType, Truncate(requestBody));
        var url = redactor.Url(request.RequestUri);
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            BoundedBody body;
            try
            {
                body = await BoundedBody.ReadAsync(response.Content, maxBody, ExpectsBody(request, response), MaxBody, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                response.Dispose();
                throw;
            }

            var contentHeaders = response.Content.Headers;
            var type = contentHeaders.ContentType?.MediaType;
            var responseHeaders = Headers(response.Headers, contentHeaders);
            if (body.Over)
            {
                // Evidence of what came back, cut and marked as cut; the connection is dropped, the rest never read.
                var prefix = await body.PrefixAsync(contentHeaders, MaxBody, cancellationToken).ConfigureAwait(false);
                var tooLarge = new ResponseTooLargeException(url, maxBody, body.Count, body.Declared);
                response.Dispose();
                recorder.Record(new HttpExchange(
                    sequence, started, clock.Elapsed, request.Method.Method, url, requestHeaders, redactedRequestBody,
                    (int)response.StatusCode, responseHeaders,
                    redactor.Body(type, prefix) + $"\n[... cut: {tooLarge.Message}]", tooLarge.Message));
                throw tooLarge;
            }

            response.Content = body.ToContent(contentHeaders);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            redactor.LearnResponse(type, text, response.Headers.Location);
            recorder.Record(new HttpExchange(
                sequence, started, clock.Elapsed, request.Method.Method, url, requestHeaders, redactedRequestBody,
                (int)response.StatusCode, responseHeaders, redactor.Body(type, Truncate(text)), null));
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            var reason = TransportFailure.Reason(e, clock.Elapsed)!;
            recorder.Record(new HttpExchange(
                sequence, started, clock.Elapsed, request.Method.Method, url, requestHeaders, redactedRequestBody,
                null, [], null, reason));
            throw;
        }
    }

    /// <summary>HEAD, 204 and 304 carry no body whatever their Content-Length says (RFC 9110 §9.3.2, §15.3.5, §15.4.5).</summary>
    private static bool ExpectsBody(HttpRequestMessage request, HttpResponseMessage response) =>
        request.Method != HttpMethod.Head && response.StatusCode is not (HttpStatusCode.NoContent or HttpStatusCode.NotModified);

    private List<KeyValuePair<string, string>> Headers(HttpHeaders headers, HttpHeaders? contentHeaders) =>
        headers.Concat(contentHeaders ?? (IEnumerable<KeyValuePair<string, IEnumerable<string>>>)[])
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, redactor.Header(h.Key, v))))
            .ToList();

    private static string? Truncate(string? body) =>
        body is { Length: > MaxBody } ? body[..MaxBody] + $"\n[... {body.Length - MaxBody} more characters not recorded]" : body;
}
