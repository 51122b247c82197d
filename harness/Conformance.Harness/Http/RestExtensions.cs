using RestSharp;

namespace Conformance.Harness.Http;

internal static class RestExtensions
{
    /// <summary>Sends and turns transport failures into <see cref="IssuerUnreachableException"/> naming the endpoint.</summary>
    public static async Task<RestResponse> SendOrThrowAsync(this RestClient client, RestRequest request, string what, CancellationToken ct)
    {
        RestResponse response;
        try
        {
            response = await client.ExecuteAsync(request, ct).ConfigureAwait(false);
        }
        catch (RateLimitedException)
        {
            throw;
        }
        catch (HttpRequestException e)
        {
            throw TransportFailure.Unreachable(what, e);
        }

        // RestSharp reports 4xx/5xx as errors; to the harness any HTTP answer is evidence for the check to judge.
        if (response.ResponseStatus is ResponseStatus.Completed || response.StatusCode != 0)
        {
            return response;
        }

        // RestSharp catches what the handlers throw; a 429 given up on or a body over the cap is already
        // the harness's own verdict-shaped exception, naming the endpoint, and goes up unchanged.
        if (response.ErrorException is IssuerUnreachableException refused)
        {
            throw refused;
        }

        var reason = response.ResponseStatus == ResponseStatus.TimedOut
            ? TransportFailure.NoResponse
            : TransportFailure.Reason(response.ErrorException) ?? response.ErrorMessage ?? response.ResponseStatus.ToString();
        ct.ThrowIfCancellationRequested();
        throw TransportFailure.Unreachable(what, reason, response.ErrorException);
    }

    public static string? Header(this RestResponse response, string name) =>
        response.Headers?.Concat(response.ContentHeaders ?? [])
            .FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;
}
