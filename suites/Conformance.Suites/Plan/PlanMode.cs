using Conformance.Harness.Browser;
using Conformance.Harness.Http;
using Conformance.Harness.Target;
using Conformance.Suites.Run;

// The planner's tests run it on its own, without the suites' set-up (which would start an issuer or connect).
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Conformance.Plan.Tests")]

namespace Conformance.Suites.Plan;

/// <summary>
/// Plan mode (run parameter <c>plan</c>, CONFORMANCE_PLAN): reads the profile, says what a run would do to the target,
/// and sends nothing. It is called before anything in <see cref="TargetRun"/> that could connect: the browser
/// install, the embedded issuer, discovery, the preflight.
/// </summary>
internal static class PlanMode
{
    /// <summary>Writes the plan to the console (summary) and plan.txt (every case); returns the run's redactor and the file.</summary>
    public static (Redactor Redactor, string File) Write(TextWriter console, string artifactsDirectory)
    {
        var configured = RunParameters.TargetProfile;
        TargetProfile profile;
        string source;
        if (configured is not null)
        {
            var path = RunParameters.ResolvePath(configured);
            profile = TargetProfileLoader.LoadFile(path);
            source = path;
        }
        else
        {
            // Not started: its port and seed secrets are chosen at start, and a plan needs neither.
            profile = TargetProfileLoader.LoadFile(TargetRun.ReferenceProfilePath, name => Environment.GetEnvironmentVariable(name) ?? "seed-secret-of-the-embedded-issuer",
                new Dictionary<string, string> { ["embedded"] = "http://127.0.0.1" });
            source = $"{TargetRun.ReferenceProfilePath} (the embedded reference issuer; not started in plan mode, its port is chosen when a run starts it)";
        }

        var redactor = Redactor.ForProfile(profile);
        var report = Build(profile, source, RequestProfile.Committed(), DriversHere(profile));
        Directory.CreateDirectory(artifactsDirectory);
        var file = Path.Combine(artifactsDirectory, "plan.txt");
        File.WriteAllText(file, redactor.Text(report.Full()));
        foreach (var line in redactor.Text(report.Summary()).ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'))
        {
            console.WriteLine("[plan] " + line);
        }

        console.WriteLine($"[plan] every check and flow case: {file}");
        return (redactor, file);
    }

    public static PlanReport Build(TargetProfile profile, string source, RequestProfile measured, IReadOnlyDictionary<string, string?> drivers) =>
        new(new PlanInput(profile, measured, FlowInventory.All, Conformance.Checks.Catalogue.All.Select(c => c.Definition).ToList(), drivers), source);

    /// <summary>
    /// Which login drivers could run here, learned without starting anything: the browser driver needs a Chromium,
    /// looked for on disk only (a plan neither installs nor starts one).
    /// </summary>
    public static IReadOnlyDictionary<string, string?> DriversHere(TargetProfile profile) =>
        profile.Login.Drivers.ToDictionary(d => d, d => d switch
        {
            "form" or "okta-authn" => null,
            "browser" => BrowserLocator.Default.Locate() is { Found: false } none ? none.Reason + $" (a run would try to install one: {none.Command})" : null,
            _ => $"the '{d}' login driver is not available in this build",
        });
}
