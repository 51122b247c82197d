using System.Globalization;

namespace Conformance.Harness.Http;

/// <summary>
/// The server answered with a body larger than the run's cap (<c>options.maxBodyMegabytes</c>). The harness
/// stopped reading it, so the check learned nothing about its rule: inconclusive, like an unreachable issuer,
/// which is why it derives from <see cref="IssuerUnreachableException"/> and every place that already turns
/// that into an inconclusive verdict (the check runner, the flows, discovery's unavailable server) covers it.
/// </summary>
public sealed class ResponseTooLargeException(string url, long cap, long bytesRead, long? declaredLength)
    : IssuerUnreachableException(Describe(url, cap, bytesRead, declaredLength))
{
    /// <summary>Where the body came from, already redacted.</summary>
    public string Url { get; } = url;

    /// <summary>The cap in bytes; a body of exactly this size is still read whole.</summary>
    public long Cap { get; } = cap;

    /// <summary>How many bytes of the body were read before the harness stopped (at most cap + 1).</summary>
    public long BytesRead { get; } = bytesRead;

    /// <summary>The Content-Length the server declared, when it declared one.</summary>
    public long? DeclaredLength { get; } = declaredLength;

    /// <summary>"4 MB" for the cap in the words the profile option uses (maxBodyMegabytes, in MiB).</summary>
    public static string Megabytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.##", CultureInfo.InvariantCulture) + " MB";

    private static string Describe(string url, long cap, long bytesRead, long? declared) =>
        $"body over {Megabytes(cap)} at {url} " + (declared > cap
            ? $"(Content-Length {declared.Value.ToString(CultureInfo.InvariantCulture)}; not read)"
            : $"(reading stopped after {bytesRead.ToString(CultureInfo.InvariantCulture)} bytes)");
}
