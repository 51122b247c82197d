namespace Conformance.Suites.Run;

/// <summary>
/// What the run was asked to do, from the runsettings' TestRunParameters or, for CI, the environment
/// (CONFORMANCE_TARGET, CONFORMANCE_FAULTS, CONFORMANCE_VARIANTS, CONFORMANCE_BASELINE...). The environment wins so a matrix job can reuse one runsettings.
/// </summary>
internal static class RunParameters
{
    /// <summary>Path of a target profile; empty means the embedded reference issuer.</summary>
    public static string? TargetProfile => Get("target", "CONFORMANCE_TARGET");

    /// <summary>
    /// The profile used with the embedded reference issuer in place of fixtures/profiles/reference.json (its
    /// {{embedded}} placeholder and REFERENCE_* secrets are supplied the same way), e.g.
    /// fixtures/profiles/reference-okta-paced.json; null for reference.json. Ignored when a target is configured.
    /// </summary>
    public static string? ReferenceProfile => Get("reference-profile", "CONFORMANCE_REFERENCE_PROFILE") is { } path ? ResolvePath(path) : null;

    /// <summary>"okta": the embedded issuer enforces Okta's documented rate limits (ReferenceIssuerOptions.OktaRateLimits); off otherwise.</summary>
    public static bool ReferenceRateLimits => Get("reference-rate-limits", "CONFORMANCE_REFERENCE_RATE_LIMITS") is { } value && value.Equals("okta", StringComparison.OrdinalIgnoreCase);

    /// <summary>Fault profiles switched on in the embedded issuer, comma separated.</summary>
    public static IReadOnlySet<string> Faults =>
        (Get("faults", "CONFORMANCE_FAULTS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();

    /// <summary>Allowed variants switched on in the embedded issuer (spec-permitted behaviour, not faults), comma separated.</summary>
    public static IReadOnlySet<string> Variants =>
        (Get("variants", "CONFORMANCE_VARIANTS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();

    /// <summary>Known deviations signed off with a reason and an expiry (reports/waivers.json shows the format); null for none.</summary>
    public static string? WaiversFile => Get("waivers", "CONFORMANCE_WAIVERS") is { } path ? ResolvePath(path) : null;

    /// <summary>An earlier run's results.json (or a folder of them) to compare with: new failures and lost coverage fail the gate; null for none.</summary>
    public static string? Baseline => Get("baseline", "CONFORMANCE_BASELINE") is { } path ? ResolvePath(path) : null;

    /// <summary>A previous run's reports folder (or its allure-results or allure-report) whose Allure history the new report continues; null for none.</summary>
    public static string? AllureHistory => Get("allure-history", "CONFORMANCE_ALLURE_HISTORY") is { } path ? ResolvePath(path) : null;

    /// <summary>
    /// standard (default on a workstation): HTML, PDF, the allure-results files and the gate; all (default when the
    /// CI variable is set, as CI services set it): the same and the rendered Allure report, which takes Node and most
    /// of the reports' time; html: HTML and the gate; none: results.json only.
    /// </summary>
    public static string Reports => Get("reports", "CONFORMANCE_REPORTS") ?? (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")) ? "standard" : "all");

    /// <summary>
    /// Every user logs in with every driver on every server before any check (default on). "off" skips it, for a
    /// filtered run of a few tests; a nightly run should keep it, so a broken login stops the run in seconds.
    /// </summary>
    public static bool Preflight => !string.Equals(Get("preflight", "CONFORMANCE_PREFLIGHT"), "off", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Plan mode ("true" or "1"): print what a run would do to the target and send nothing (no discovery, no login,
    /// no preflight); the plan goes to the console and plan.txt, and no test runs.
    /// </summary>
    public static bool Plan => Get("plan", "CONFORMANCE_PLAN") is "1" or "true" or "True" or "TRUE";

    /// <summary>"1": a run against the conformant embedded issuer rewrites the committed Plan/request-profile.txt from what each check and flow sent.</summary>
    public static bool WriteRequestProfile => Get("write-request-profile", "CONFORMANCE_WRITE_REQUEST_PROFILE") == "1";

    /// <summary>Where evidence files go.</summary>
    public static string ArtifactsDirectory =>
        Path.GetFullPath(Get("artifacts", "CONFORMANCE_ARTIFACTS") ?? Path.Combine(Directory.GetCurrentDirectory(), "conformance-artifacts"));

    private static string? Get(string parameter, string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            value = TestContext.Parameters.Get(parameter);
        }

        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>A relative path (a file, or a folder such as a baseline's) is tried from the working directory, then from each parent of the test assembly (the repository root).</summary>
    public static string ResolvePath(string path)
    {
        if (Path.IsPathRooted(path) || File.Exists(path) || Directory.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, path);
            if (File.Exists(candidate) || Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(path);
    }
}
