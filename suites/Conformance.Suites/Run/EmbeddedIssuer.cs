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
    public static async Task<EmbeddedIssuer> StartAsync(IReadOnlySet<string> faults, IReadOnlySet<string>? variants = null) =>
        new(await ReferenceIssuerHost.StartAsync(new ReferenceIssuerOptions { Port = 0, Faults = faults, Variants = variants ?? new HashSet<string>() }).ConfigureAwait(false));

    /// <summary>REFERENCE_SECRET_WEB_APP for client web-app, REFERENCE_PASSWORD_ALICE and REFERENCE_TOTP_BOB for users.</summary>
    public string? Environment(string name)
    {
        foreach (var client in host.Seed.Clients)
        {
            if (name == "REFERENCE_SECRET_" + Upper(client.ClientId))
            {
                return client.ClientSecret;
            }
        }

        foreach (var user in host.Seed.Users)
        {
            var local = Upper(user.Username.Split('@')[0]);
            if (name == "REFERENCE_PASSWORD_" + local)
            {
                return user.Password;
            }

            if (name == "REFERENCE_TOTP_" + local)
            {
                return user.TotpSecret;
            }
        }

        return System.Environment.GetEnvironmentVariable(name);
    }

    public string BaseUrlText => host.BaseUrl.GetLeftPart(UriPartial.Authority);

    public ValueTask DisposeAsync() => host.DisposeAsync();

    private static string Upper(string s) => s.ToUpperInvariant().Replace('-', '_').Replace('.', '_');
}
