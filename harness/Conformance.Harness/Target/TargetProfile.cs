namespace Conformance.Harness.Target;

/// <summary>What the harness knows about an issuer before it talks to it. Everything else comes from discovery.</summary>
public sealed record TargetProfile(
    string Name,
    IReadOnlyList<ServerProfile> Servers,
    IReadOnlyDictionary<string, ClientProfile> Clients,
    IReadOnlyList<UserProfile> Users,
    LoginProfile Login,
    TargetOptions Options)
{
    /// <summary>Every secret value the profile resolved; the redactor masks each of them wherever it appears.</summary>
    public IEnumerable<Secret> Secrets =>
        AllClients.SelectMany(c => new[] { c.Secret, c.PrivateKey })
            .Concat(Users.SelectMany(u => new[] { u.Password, u.TotpSecret }))
            .OfType<Secret>();

    public ServerProfile Server(string name) =>
        Servers.FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException($"The target profile '{Name}' has no server named '{name}'.");

    public ClientProfile? Client(string role) => Clients.TryGetValue(role, out var c) ? c : null;

    /// <summary>
    /// Every client of each role: the first is <see cref="Clients"/>' own, the others interchangeable with it (a role
    /// given as an array in the profile), so checks can be spread over them (see <see cref="Checks.Lanes"/>).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ClientProfile>> ClientPools { get; init; } = new Dictionary<string, IReadOnlyList<ClientProfile>>();

    /// <summary>The interchangeable clients of a role, the first being <see cref="Client"/>'s; empty when the profile has none.</summary>
    public IReadOnlyList<ClientProfile> ClientsOf(string role) =>
        ClientPools.TryGetValue(role, out var pool) && pool.Count > 0 ? pool : Client(role) is { } c ? [c] : [];

    /// <summary>Every client of the profile, the interchangeable ones included.</summary>
    public IEnumerable<ClientProfile> AllClients => Clients.Keys.SelectMany(ClientsOf);
}

/// <param name="Name">A short name used in test names and reports (org, default, second...).</param>
/// <param name="Issuer">The issuer identifier, compared byte for byte with discovery (OIDC Discovery §4.3).</param>
/// <param name="Audience">The audience its access tokens must carry, when the target says so.</param>
public sealed record ServerProfile(string Name, Uri Issuer, string? Audience, IReadOnlyList<string> Scopes);

/// <param name="Role">web, web2, native, spa, service, password: what the harness uses the client for.</param>
public sealed record ClientProfile(
    string Role,
    string ClientId,
    Secret? Secret,
    Uri? RedirectUri,
    Uri? PostLogoutRedirectUri,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Servers)
{
    /// <summary>The private JWK of a private_key_jwt client (RFC 7523 §2.2), redacted like a secret.</summary>
    public Secret? PrivateKey { get; init; }

    public bool IsConfidential => Secret is not null || PrivateKey is not null;

    /// <summary>A client listed without servers may be used with every server of the target.</summary>
    public bool ServesServer(string serverName) => Servers.Count == 0 || Servers.Contains(serverName);
}

public sealed record UserProfile(string Username, Secret Password, Secret? TotpSecret);

/// <param name="Drivers">form, browser or okta-authn; the user-facing flows run once per driver listed.</param>
/// <param name="Selectors">Per-target overrides for the browser and form drivers (username, password, submit, otp, consent).</param>
public sealed record LoginProfile(IReadOnlyList<string> Drivers, IReadOnlyDictionary<string, string> Selectors)
{
    public static LoginProfile Form { get; } = new(["form"], new Dictionary<string, string>());
}

/// <param name="Invasive">Opt-in for checks that could lock or throttle a real account.</param>
/// <param name="MaxConcurrency">Upper bound of checks run at once against this target.</param>
/// <param name="Timeout">Per HTTP call.</param>
public sealed record TargetOptions(bool Invasive, int MaxConcurrency, TimeSpan Timeout, TimeSpan ClockSkew)
{
    public static TargetOptions Default { get; } = new(false, 4, TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(2));

    /// <summary>
    /// Request rates the run keeps to (options.pacing); none by default, <see cref="OktaPacing"/> for the Okta
    /// shorthand. Responses that say their window is nearly spent slow the run down whatever the rules.
    /// </summary>
    public IReadOnlyList<Http.PaceRule> Pacing { get; init; } = [];

    /// <summary>Opt-in (options.slow) for checks that wait minutes on the target, such as a code outliving 10 minutes.</summary>
    public bool Slow { get; init; }

    /// <summary>
    /// How many MUST checks and offered flows may end inconclusive before the gate fails (options.maxInconclusive;
    /// 0 by default). For a target where some rules cannot be reached on purpose; the report still lists them.
    /// </summary>
    public int MaxInconclusive { get; init; }

    /// <summary>
    /// The largest response body the harness reads (options.maxBodyMegabytes, 1 to 256). A larger one is cut and
    /// makes its check inconclusive ("body over N MB"), so a server that answers with 64 MB of metadata costs a
    /// few MB of memory and one timeout at most, not the run.
    /// </summary>
    public int MaxBodyMegabytes { get; init; } = Http.HarnessHttp.DefaultMaxBodyMegabytes;

    /// <summary>
    /// Okta's documented limits (okta.md §3.2, Okta's rate-limit reference), with headroom: /authorize 60 a minute per
    /// client_id (and IP) is kept at 50 per client; /oauth2/v1/token and /api/v1/authn 4 a second per user are kept
    /// at 3 per user. A request whose user is unknown (a client's own grant outside any check) shares one bucket.
    /// </summary>
    public static IReadOnlyList<Http.PaceRule> OktaPacing { get; } =
    [
        new("*/v1/authorize", 50, TimeSpan.FromMinutes(1), Per: Http.PaceRule.PerClient),
        new("*/v1/token", 3, TimeSpan.FromSeconds(1), Per: Http.PaceRule.PerUser),
        new("/api/v1/authn*", 3, TimeSpan.FromSeconds(1), Per: Http.PaceRule.PerUser),
    ];
}
