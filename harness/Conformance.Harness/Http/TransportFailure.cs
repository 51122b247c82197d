using System.Net.Sockets;

namespace Conformance.Harness.Http;

/// <summary>
/// The one mapping from an exchange that got no answer to the harness's verdict on it: a refused connection, a
/// DNS, TLS or socket failure, or a timeout becomes an <see cref="IssuerUnreachableException"/> (inconclusive,
/// not failed) whose sentence names what was asked and why nothing came back. RestSharp endpoints, the form and
/// okta-authn drivers, the browser driver and the evidence recording all word it here, so a cause reads the same
/// wherever it is met.
/// </summary>
public static class TransportFailure
{
    /// <summary>What a timeout reads as when the caller does not know how long it waited.</summary>
    public const string NoResponse = "no response before the timeout";

    /// <summary>
    /// True for what <see cref="Unreachable(string, Exception, TimeSpan?)"/> maps: a failure of the network exchange,
    /// or a timeout, but never the caller's own cancellation (that goes up unchanged).
    /// </summary>
    public static bool Is(Exception e, CancellationToken ct) =>
        e is HttpRequestException || (e is OperationCanceledException or TimeoutException && !ct.IsCancellationRequested);

    /// <summary>The cause in words; null when <paramref name="e"/> is no transport failure.</summary>
    /// <param name="waited">How long the exchange was given, when the caller knows; the sentence then says so.</param>
    public static string? Reason(Exception? e, TimeSpan? waited = null) => e switch
    {
        HttpRequestException http => Describe(http),
        OperationCanceledException or TimeoutException => waited is { } w ? $"no response within {w.TotalSeconds:0.#} s" : NoResponse,
        _ => null,
    };

    /// <summary>
    /// The exception for a failed exchange described by <paramref name="what"/> ("GET url", "token endpoint of 'x'").
    /// One of the harness's own (a 429 given up on, a body over the cap) already names its endpoint and is kept.
    /// </summary>
    public static IssuerUnreachableException Unreachable(string what, Exception e, TimeSpan? waited = null) =>
        e as IssuerUnreachableException ?? Unreachable(what, Reason(e, waited) ?? e.Message, e);

    /// <summary>The exception for a failure whose cause was read elsewhere (a browser's net::ERR_ code).</summary>
    public static IssuerUnreachableException Unreachable(string what, string reason, Exception? inner) => new($"{what}: {reason}", inner);

    /// <summary>Turns socket-level failures into a sentence that names the cause.</summary>
    public static string Describe(HttpRequestException e) => e.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused (nothing listens on that port)",
        SocketException { SocketErrorCode: SocketError.HostNotFound } => "host name not found",
        SocketException s => $"network error: {s.SocketErrorCode}",
        System.Security.Authentication.AuthenticationException => "TLS handshake failed: " + e.InnerException.Message,
        TimeoutException => "connect timed out",
        _ => e.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => "could not connect: " + e.Message,
            HttpRequestError.NameResolutionError => "host name not found",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            _ => e.Message,
        },
    };
}
