using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using Conformance.ReferenceIssuer;

namespace Conformance.Checks.Tests;

/// <summary>The whole catalogue against one embedded reference issuer started with the given fault profiles and allowed variants.</summary>
internal static class CatalogueRun
{
    /// <param name="secrets">Seed secrets replaced by name (<see cref="Conformance.ReferenceIssuer.SeedSecrets"/>).</param>
    public static async Task<IReadOnlyList<CheckResult>> RunAsync(IReadOnlySet<string> faults, IReadOnlySet<string> variants, CancellationToken ct, IReadOnlyDictionary<string, string>? secrets = null)
    {
        await using var issuer = await EmbeddedIssuer.StartAsync(faults, variants, secrets).ConfigureAwait(false);
        var (target, http) = await ConnectAsync(issuer, issuer.Environment, ct, slow: true).ConfigureAwait(false);
        using var owned = http;
        // Slow checks let minutes pass on the issuer's clock instead of waiting them out (the checks run last, alone).
        target.Wait = (span, _) =>
        {
            issuer.Advance(span);
            return Task.CompletedTask;
        };
        var profile = target.Profile;
        var runner = new CheckRunner(target, new FormLoginDriver(http, profile.Login));
        return await runner.RunAllAsync(Catalogue.All, profile.Options.MaxConcurrency, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The reference profile against this issuer, discovered; <paramref name="environment"/> supplies its secrets;
    /// <paramref name="slow"/> switches options.slow on, for a caller that moves the issuer's clock.
    /// </summary>
    public static async Task<(ConnectedTarget Target, HarnessHttp Http)> ConnectAsync(EmbeddedIssuer issuer, Func<string, string?> environment, CancellationToken ct = default, bool slow = false)
    {
        var profile = TargetProfileLoader.LoadFile(
            Path.Combine(AppContext.BaseDirectory, "profiles", "reference.json"),
            environment,
            new Dictionary<string, string> { ["embedded"] = issuer.BaseUrlText });
        if (slow)
        {
            profile = profile with { Options = profile.Options with { Slow = true } };
        }
        var http = new HarnessHttp(Redactor.ForProfile(profile), new EvidenceRecorder(), profile.Options.Timeout, profile.Options.MaxConcurrency, profile.Options.Pacing, profile.Options.MaxBodyMegabytes);
        return (await ConnectedTarget.ConnectAsync(profile, http, ct).ConfigureAwait(false), http);
    }
}
