using Conformance.Harness.Http;
using Conformance.Harness.Jose;
using Conformance.Harness.Target;

namespace Conformance.Harness.Protocol;

/// <summary>
/// A target profile after discovery. A server whose discovery failed stays in the list, marked unavailable
/// with the reason, so its checks come out inconclusive while the other servers are still tested.
/// </summary>
public sealed class ConnectedTarget
{
    // Internal, not private: unit tests build a target from servers they describe, without discovery.
    internal ConnectedTarget(TargetProfile profile, HarnessHttp http, IReadOnlyList<AuthorizationServer> servers)
    {
        Profile = profile;
        Http = http;
        Servers = servers;
    }

    public TargetProfile Profile { get; }

    public HarnessHttp Http { get; }

    public IReadOnlyList<AuthorizationServer> Servers { get; }

    /// <summary>
    /// How a check lets time pass on the target: a real delay, unless the caller owns the target's clock (the
    /// detection matrix and the suites' embedded run advance the embedded issuer's clock instead of waiting).
    /// </summary>
    public Func<TimeSpan, CancellationToken, Task> Wait { get; set; } = Task.Delay;

    public AuthorizationServer Server(string name) =>
        Servers.FirstOrDefault(s => s.Name == name) ?? throw new KeyNotFoundException($"no server named '{name}' in target '{Profile.Name}'");

    public static async Task<ConnectedTarget> ConnectAsync(TargetProfile profile, HarnessHttp http, CancellationToken ct = default)
    {
        var servers = await Task.WhenAll(profile.Servers.Select(async s =>
        {
            using var scope = http.Recorder.BeginScope($"discovery {s.Name}");
            try
            {
                var metadata = await Discovery.FetchAsync(http, s.Issuer, ct).ConfigureAwait(false);
                return AuthorizationServer.Discovered(s, metadata, metadata.JwksUri is { } jwks ? new JwksCache(http, jwks) : null);
            }
            catch (IssuerUnreachableException e)
            {
                return AuthorizationServer.Failed(s, e.Message);
            }
        })).ConfigureAwait(false);
        return new ConnectedTarget(profile, http, servers);
    }
}
