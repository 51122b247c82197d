using System.Diagnostics;
using System.Text.Json;
using Conformance.Harness.Browser;
using Conformance.ReferenceIssuer;
using Microsoft.Playwright;

namespace Conformance.Fidelity.Tests;

/// <summary>
/// One conformant reference issuer on a free loopback port for the whole assembly, Okta's client packages checked
/// (installed once if need be), and one headless Chromium started on first use (the jwt-verifier tests need none).
/// </summary>
[SetUpFixture]
public sealed class Fidelity
{
    /// <summary>The browser application's client: a public SPA with refresh tokens, on a trusted loopback origin.</summary>
    public const string SpaClientId = "spa-loopback-app";

    private static readonly SemaphoreSlim BrowserGate = new(1, 1);
    private static IPlaywright? playwright;
    private static IBrowser? browser;

    public static ReferenceIssuerHost Issuer { get; private set; } = null!;

    public static string Base => Issuer.BaseUrl.GetLeftPart(UriPartial.Authority);

    public static string IssuerOf(string server) => server == "org" ? Base : $"{Base}/oauth2/{server}";

    public static SeedClient Spa => Issuer.Seed.Client(SpaClientId);

    /// <summary>The app's own origin (a free loopback port), where the issuer sends the browser back.</summary>
    internal static SpaServer SpaApp { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        OktaClients.EnsureInstalled();
        var clock = Stopwatch.StartNew();
        SpaApp = SpaServer.Start();
        seedFile = Path.Combine(Path.GetTempPath(), $"fidelity-seed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(seedFile, JsonSerializer.Serialize(SeedOn(Seed.Load(null), SpaApp.Origin), SeedJson));
        Issuer = await ReferenceIssuerHost.StartAsync(new ReferenceIssuerOptions { Port = 0, SeedPath = seedFile });
        SpaApp.Page = SpaServer.PageFor(Base, new(SpaClientId, Spa.RedirectUris[0], Spa.PostLogoutRedirectUris[0]));
        TestContext.Progress.WriteLine($"[fidelity] reference issuer at {Base}, the SPA at {SpaApp.Origin}, in {clock.ElapsedMilliseconds} ms");
    }

    private static string? seedFile;
    private static readonly JsonSerializerOptions SeedJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The reference issuer's own seed, with the SPA client's origin (its redirect URIs and its Trusted Origin) moved to
    /// the port this run's app server got: nothing else differs from the issuer the suites test.
    /// </summary>
    private static Seed SeedOn(Seed seed, string origin)
    {
        var client = seed.Client(SpaClientId);
        var seeded = new Uri(client.RedirectUris[0]).GetLeftPart(UriPartial.Authority);
        string Move(string uri) => uri.StartsWith(seeded, StringComparison.Ordinal) ? origin + uri[seeded.Length..] : uri;
        return seed with
        {
            Clients = [.. seed.Clients.Select(c => c.ClientId != SpaClientId ? c : c with
            {
                RedirectUris = [.. c.RedirectUris.Select(Move)],
                PostLogoutRedirectUris = [.. c.PostLogoutRedirectUris.Select(Move)],
            })],
            TrustedOrigins = [.. seed.TrustedOrigins.Select(o => o with { Origin = Move(o.Origin) })],
        };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (browser is not null) await browser.DisposeAsync();
        playwright?.Dispose();
        if (Issuer is not null) await Issuer.DisposeAsync();
        SpaApp?.Dispose();
        if (seedFile is not null) File.Delete(seedFile);
    }

    /// <summary>The shared headless Chromium; a missing browser fails the test with where to get one.</summary>
    public static async Task<IBrowser> BrowserAsync()
    {
        await BrowserGate.WaitAsync();
        try
        {
            if (browser is { IsConnected: true }) return browser;
            var location = BrowserLocator.Default.Locate();
            if (location.Path is not { } path)
            {
                var message = $"AuthJS runs in a browser and none was found: {location.Message}";
                if (string.Equals(Environment.GetEnvironmentVariable("CONFORMANCE_INSTALL"), "never", StringComparison.OrdinalIgnoreCase))
                    Assert.Ignore(message);
                Assert.Fail(message);
                throw new InvalidOperationException(message); // not reached: Assert.Fail throws
            }
            // Never download a browser from here: which one to use is BrowserLocator's decision, said aloud.
            Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
            var clock = Stopwatch.StartNew();
            playwright ??= await Playwright.CreateAsync();
            browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                ChromiumSandbox = false,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
                Timeout = 30_000,
            });
            TestContext.Progress.WriteLine($"[fidelity] Chromium {browser.Version} ({path}) in {clock.ElapsedMilliseconds} ms");
            return browser;
        }
        finally
        {
            BrowserGate.Release();
        }
    }
}
