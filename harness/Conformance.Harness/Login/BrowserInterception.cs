using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Microsoft.Playwright;

namespace Conformance.Harness.Login;

/// <summary>The DevTools Fetch interception of one flow: the redirect to the client is read here and never followed.</summary>
public sealed partial class BrowserUserAgent
{
    private sealed partial class Flow
    {

        public async Task OnPausedAsync(ICDPSession cdp, JsonElement e)
        {
            var requestId = e.GetProperty("requestId").GetString()!;
            Interlocked.Increment(ref documentTraffic);
            try
            {
                var request = e.GetProperty("request");
                var url = request.GetProperty("url").GetString() ?? "";
                if (request.TryGetProperty("urlFragment", out var fragment) && fragment.GetString() is { Length: > 0 } f)
                {
                    url += f;
                }

                var atResponse = e.TryGetProperty("responseStatusCode", out var statusElement) || e.TryGetProperty("responseErrorReason", out _);
                if (!atResponse)
                {
                    if (Uri.TryCreate(url, UriKind.Absolute, out var target) && AuthorizationResponse.IsRedirectTo(target, stopAt))
                    {
                        var method = request.GetProperty("method").GetString();
                        captured.TrySetResult(string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase)
                            ? new AuthorizationResponse(AuthorizationResponse.ParseForm(PostData(request)), "form_post")
                            : AuthorizationResponse.FromRedirect(target));
                        await cdp.SendAsync("Fetch.failRequest", new Dictionary<string, object> { ["requestId"] = requestId, ["errorReason"] = "Aborted" }).ConfigureAwait(false);
                        return;
                    }

                    started[e.TryGetProperty("networkId", out var n) ? n.GetString() ?? requestId : requestId] = (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
                    await cdp.SendAsync("Fetch.continueRequest", new Dictionary<string, object> { ["requestId"] = requestId }).ConfigureAwait(false);
                    return;
                }

                var status = statusElement.ValueKind == JsonValueKind.Number ? statusElement.GetInt32() : 0;
                var headers = new List<KeyValuePair<string, string>>();
                if (e.TryGetProperty("responseHeaders", out var responseHeaders))
                {
                    foreach (var header in responseHeaders.EnumerateArray())
                    {
                        headers.Add(new(header.GetProperty("name").GetString() ?? "", header.GetProperty("value").GetString() ?? ""));
                    }
                }

                var location = headers.FirstOrDefault(h => h.Key.Equals("Location", StringComparison.OrdinalIgnoreCase)).Value;
                Uri? redirect = null;
                if (status is >= 300 and < 400 && location is not null && Uri.TryCreate(url, UriKind.Absolute, out var baseUri))
                {
                    Uri.TryCreate(baseUri, location, out redirect);
                }

                string? body = null;
                if (status is >= 200 and < 300 && Driver.Recorder is not null && scope is not null)
                {
                    body = await ResponseBodyAsync(cdp, requestId).ConfigureAwait(false);
                }

                Record(e, request, url, status, headers, body);
                if (redirect is not null && AuthorizationResponse.IsRedirectTo(redirect, stopAt))
                {
                    // The redirect to the client: read it here, never follow it.
                    captured.TrySetResult(AuthorizationResponse.FromRedirect(redirect));
                    await cdp.SendAsync("Fetch.failRequest", new Dictionary<string, object> { ["requestId"] = requestId, ["errorReason"] = "Aborted" }).ConfigureAwait(false);
                    return;
                }

                await cdp.SendAsync("Fetch.continueRequest", new Dictionary<string, object> { ["requestId"] = requestId }).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is PlaywrightException or TimeoutException or InvalidOperationException or KeyNotFoundException or FormatException or ObjectDisposedException)
            {
                // The page closed while the request was paused, or the event was malformed: let it go on unchanged.
                try
                {
                    await cdp.SendAsync("Fetch.continueRequest", new Dictionary<string, object> { ["requestId"] = requestId }).ConfigureAwait(false);
                }
                catch (Exception again) when (again is PlaywrightException or TimeoutException or ObjectDisposedException)
                {
                    // Nothing left to continue.
                }
            }
        }

        private BrowserLoginDriver Driver => agent.driver;

        private static string PostData(JsonElement request)
        {
            if (request.TryGetProperty("postDataEntries", out var entries) && entries.ValueKind == JsonValueKind.Array)
            {
                var bytes = new List<byte>();
                foreach (var entry in entries.EnumerateArray())
                {
                    if (entry.TryGetProperty("bytes", out var b) && b.GetString() is { } base64)
                    {
                        bytes.AddRange(Convert.FromBase64String(base64));
                    }
                }

                if (bytes.Count > 0)
                {
                    return Encoding.UTF8.GetString(bytes.ToArray());
                }
            }

            return request.TryGetProperty("postData", out var data) ? data.GetString() ?? "" : "";
        }

        private async Task<string?> ResponseBodyAsync(ICDPSession cdp, string requestId)
        {
            try
            {
                var result = await cdp.SendAsync("Fetch.getResponseBody", new Dictionary<string, object> { ["requestId"] = requestId }).ConfigureAwait(false);
                if (result is not { } r || !r.TryGetProperty("body", out var b))
                {
                    return null;
                }

                var text = b.GetString() ?? "";
                return r.TryGetProperty("base64Encoded", out var encoded) && encoded.GetBoolean()
                    ? Encoding.UTF8.GetString(Convert.FromBase64String(text))
                    : text;
            }
            catch (Exception e) when (IsBrowserError(e))
            {
                return null;
            }
        }

        /// <summary>The page load as evidence of the running check, redacted like the form driver's exchanges.</summary>
        private void Record(JsonElement e, JsonElement request, string url, int status, List<KeyValuePair<string, string>> responseHeaders, string? body)
        {
            var recorder = Driver.Recorder;
            var target = scope;
            while (target is { IsClosed: true })
            {
                target = target.Parent;
            }

            if (recorder is null || target is null)
            {
                return;
            }

            var key = e.TryGetProperty("networkId", out var n) ? n.GetString() ?? "" : "";
            var (startedAt, ticks) = started.TryRemove(key, out var s) ? s : (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
            var requestHeaders = new List<KeyValuePair<string, string>>();
            string? contentType = null;
            if (request.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in h.EnumerateObject())
                {
                    var value = header.Value.GetString() ?? "";
                    contentType = header.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) ? value : contentType;
                    requestHeaders.Add(new(header.Name, Redactor.Header(header.Name, value)));
                }
            }

            var requestBody = request.TryGetProperty("hasPostData", out var has) && has.GetBoolean() ? PostData(request) : null;
            var responseType = responseHeaders.FirstOrDefault(x => x.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
            if (body is { Length: > MaxRecordedBody })
            {
                body = body[..MaxRecordedBody] + $"\n[... {body.Length - MaxRecordedBody} more characters not recorded]";
            }

            target.Add(new HttpExchange(
                recorder.NextSequence(), startedAt, Stopwatch.GetElapsedTime(ticks),
                request.GetProperty("method").GetString() ?? "GET",
                Redactor.Url(url),
                requestHeaders,
                requestBody is null ? null : Redactor.Body(contentType, requestBody),
                status,
                responseHeaders.Select(x => new KeyValuePair<string, string>(x.Key, Redactor.Header(x.Key, x.Value))).ToList(),
                Redactor.Body(responseType, body),
                null));
        }
    }
}
