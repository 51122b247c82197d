using Conformance.ReferenceIssuer;

namespace Conformance.Suites.Run;

/// <summary>
/// Starts the reference issuer in-process on a free loopback port and supplies the REFERENCE_* secrets of
/// fixtures/profiles/reference.json from its seed, so a new user needs no environment set up.
/// </summary>
internal sealed class EmbeddedIssuer : IAsyncDisposable
{
    private readonly ReferenceIssuerHost host;

    private EmbeddedIssuer(ReferenceIssuerHost host) => this.host = host;

    public Uri BaseUrl => host.BaseUrl;

    /// <summary>Fault profiles break one rule each; allowed variants switch to other behaviour the specifications permit.</summary>
    /// <param name="secrets">Seed secrets replaced by name (REFERENCE_PASSWORD_ALICE...), e.g. from the environment.</param>
    public static async Task<EmbeddedIssuer> StartAsync(IReadOnlySet<string> faults, IReadOnlySet<string>? variants = null, IReadOnlyDictionary<string, string>? secrets = null) =>
        new(await ReferenceIssuerHost.StartAsync(new ReferenceIssuerOptions
        {
            Port = 0,
            Faults = faults,
            Variants = variants ?? new HashSet<string>(),
            Secrets = secrets ?? new Dictionary<string, string>(),
        }).ConfigureAwait(false));

    /// <summary>
    /// The REFERENCE_* variables of the environment that name a seed secret: set, they replace the seed's value, so a
    /// run can use other secrets (scripts/echo-secrets.sh uses hostile ones) and the profile reads the same values.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SecretsFromEnvironment() =>
        System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(name => SecretPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) && System.Environment.GetEnvironmentVariable(name) is { Length: > 0 })
            .ToDictionary(name => name, name => System.Environment.GetEnvironmentVariable(name)!, StringComparer.Ordinal);

    private static readonly string[] SecretPrefixes = ["REFERENCE_SECRET_", "REFERENCE_PASSWORD_", "REFERENCE_TOTP_"];

    /// <summary>REFERENCE_SECRET_WEB_APP for client web-app, REFERENCE_PASSWORD_ALICE and REFERENCE_TOTP_BOB for users.</summary>
    public string? Environment(string name) => SeedSecrets.Find(host.Seed, name) ?? System.Environment.GetEnvironmentVariable(name);

    public string BaseUrlText => host.BaseUrl.GetLeftPart(UriPartial.Authority);

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
