using System.Net;
using RestSharp;

namespace Conformance.Harness.Http;

/// <summary>
/// The one HTTP layer: a single pooled connection handler for the whole run, no automatic redirects
/// (a redirect is evidence, and the redirect URI must never be called), no automatic cookies (each user
/// agent keeps its own jar), a timeout on every call, a cap on every response body, and every exchange
/// recorded and redacted.
/// </summary>
public sealed class HarnessHttp : IDisposable
{
    private readonly SocketsHttpHandler sockets;
    private readonly ConcurrencyLimitHandler limiter;
    private readonly RateLimitHandler rateLimit;
    private readonly TimeoutHandler timeoutHandler;

    public const int Megabyte = 1024 * 1024;

    /// <summary>The body cap when the profile sets none (options.maxBodyMegabytes): far above any real metadata, token or login page.</summary>
    public const int DefaultMaxBodyMegabytes = 4;

    /// <param name="pacing">The target's pace rules (see <see cref="RequestPacer"/>); none for a local issuer.</param>
    /// <param name="maxBodyMegabytes">The largest response body read; a larger one makes the call throw <see cref="ResponseTooLargeException"/>.</param>
    public HarnessHttp(Redactor redactor, EvidenceRecorder recorder, TimeSpan timeout, int maxInFlight = 8, IReadOnlyList<PaceRule>? pacing = null, int maxBodyMegabytes = DefaultMaxBodyMegabytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBodyMegabytes, 1);
        Redactor = redactor;
        Recorder = recorder;
        Timeout = timeout;
        MaxBodyBytes = (long)maxBodyMegabytes * Megabyte;
        sockets = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = timeout < TimeSpan.FromSeconds(10) ? timeout : TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxConnectionsPerServer = 16,
        };
        var recording = new RecordingHandler(recorder, redactor, MaxBodyBytes) { InnerHandler = sockets };
        // Above the recording, so reading the body (capped there) counts against the same per-call timeout.
        timeoutHandler = new TimeoutHandler(timeout) { InnerHandler = recording };
        limiter = new ConcurrencyLimitHandler(maxInFlight) { InnerHandler = timeoutHandler };
        // Outside the in-flight slots, so a paced request does not hold one; inside the 429 handler, so retries are paced too.
        Pacer = new RequestPacer(pacing ?? []) { InnerHandler = limiter };
        // Outermost, so a request waiting out a 429 does not hold one of the in-flight slots.
        rateLimit = new RateLimitHandler() { InnerHandler = Pacer };
        // The timeout is the TimeoutHandler's, on the exchange itself: waits for pacing and 429s are not a dead server.
        Client = new HttpClient(rateLimit, disposeHandler: false)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd($"Conformance/{typeof(HarnessHttp).Assembly.GetName().Version?.ToString(3)}");
        Rest = new RestClient(Client, new RestClientOptions { Timeout = null, ThrowOnAnyError = false, FollowRedirects = false }, disposeHttpClient: false);
    }

    public Redactor Redactor { get; }

    public EvidenceRecorder Recorder { get; }

    public TimeSpan Timeout { get; }

    /// <summary>The cap on a response body, in bytes; a body of exactly this size is still read whole.</summary>
    public long MaxBodyBytes { get; }

    /// <summary>Holds requests back to stay inside the target's rate limits; <see cref="RequestPacer.Waited"/> says what it cost.</summary>
    public RequestPacer Pacer { get; }

    /// <summary>For browser-like navigation (the form login driver) where requests are built by hand.</summary>
    public HttpClient Client { get; }

    /// <summary>For protocol endpoints (token, introspection, revocation, userinfo, discovery).</summary>
    public RestClient Rest { get; }

    /// <summary>Turns socket-level failures into a sentence that names the cause (kept here for the suites that call it).</summary>
    public static string Describe(HttpRequestException e) => TransportFailure.Describe(e);

    public void Dispose()
    {
        Rest.Dispose();
        Client.Dispose();
        rateLimit.Dispose();
        Pacer.Dispose();
        limiter.Dispose();
        timeoutHandler.Dispose();
        sockets.Dispose();
    }
}
