using System.Diagnostics;
using System.Text;

namespace Conformance.Harness.Browser;

/// <summary>One command of an install: what it is called in the progress line, and what runs.</summary>
public sealed record InstallStep(string File, IReadOnlyList<string> Arguments, TimeSpan Timeout)
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The command as the progress line names it: programs and files by their name, not their whole path.</summary>
    public override string ToString() =>
        string.Join(' ', Arguments.Select(a => System.IO.Path.IsPathRooted(a) ? System.IO.Path.GetFileName(a) : a).Prepend(System.IO.Path.GetFileName(File)));
}

/// <summary>How the browser gets installed on this machine: its steps, and a line saying what is installed and how.</summary>
public sealed record InstallPlan(string Description, IReadOnlyList<InstallStep> Steps);

/// <summary>What a step did: exit code 0 is success; a timed-out step was killed with its process tree.</summary>
public sealed record StepResult(int ExitCode, string Output, bool TimedOut);

/// <summary>
/// The run's first-run set-up: when no browser is found and <c>CONFORMANCE_INSTALL</c> is not <c>never</c>,
/// installs one (Debian's package where the machine lets us, else Playwright's installer), once, with a progress
/// line, and looks again. Whatever happens it says so in one message, so a run without a browser logs it once,
/// not once per browser flow.
/// </summary>
public sealed class BrowserSetup(BrowserLocator locator, Func<InstallPlan?> plan, Func<InstallStep, Task<StepResult>> run, Action<string> log)
{
    public const string InstallVariable = "CONFORMANCE_INSTALL";

    /// <summary>Finds the browser, installing one first when none is found and installing is allowed.</summary>
    public async Task<BrowserLocation> EnsureAsync()
    {
        var location = locator.Locate();
        if (location.Found || location.ExplicitMissing)
        {
            // A wrong CONFORMANCE_CHROMIUM is the user's setting to fix; installing another browser would hide it.
            if (location.ExplicitMissing)
            {
                log(location.Message);
            }

            return location;
        }

        if (string.Equals(locator.Environment.Variable(InstallVariable)?.Trim(), "never", StringComparison.OrdinalIgnoreCase))
        {
            log($"{location.Message} ({InstallVariable}=never: nothing was installed)");
            return location;
        }

        if (plan() is not { } install)
        {
            log($"{location.Message} (this machine allows no automatic install: not root, no password-less sudo, no Playwright installer)");
            return location;
        }

        log($"no Chrome or Chromium found; installing {install.Description}, once (set {InstallVariable}=never to opt out)...");
        var clock = Stopwatch.StartNew();
        string? failed = null;
        foreach (var step in install.Steps)
        {
            var result = await run(step).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                failed = (result.TimedOut ? $"'{step}' did not finish within {step.Timeout.TotalSeconds:0} s" : $"'{step}' failed (exit {result.ExitCode})")
                    + (LastLine(result.Output) is { Length: > 0 } last ? ": " + last : "");
                break;
            }
        }

        var after = locator.Locate();
        if (after.Found)
        {
            log($"installed in {clock.Elapsed.TotalSeconds:0} s: {after.Path} ({after.SourceName})");
            return after;
        }

        var why = failed ?? "it finished, but no browser is where the locator looks";
        var reason = $"{location.Reason}; the automatic install failed";
        log($"the install failed after {clock.Elapsed.TotalSeconds:0} s: {why}. {location.Message}");
        return location with { Reason = reason, Message = $"{location.Message} (the automatic install failed: {why})" };
    }

    /// <summary>
    /// The install this machine permits: on Debian as root or with password-less sudo, apt-get (and poppler-utils for
    /// the PDF's secret scan); elsewhere Playwright's installer, when its command is known. Null when neither can run.
    /// </summary>
    /// <param name="playwrightInstaller">The command that runs Playwright's installer; null when there is none.</param>
    /// <param name="administrator">The prefix that runs a command as root ([] as root, ["sudo", "-n"]), or null.</param>
    /// <param name="onPath">Whether a program is on PATH.</param>
    public static InstallPlan? PlanFor(BrowserEnvironment environment, InstallStep? playwrightInstaller, Func<string[]?> administrator, Func<string, bool> onPath)
    {
        if (environment.IsDebian && onPath("apt-get") && administrator() is { } asRoot)
        {
            string[] packages = onPath("pdftotext") ? ["chromium"] : ["chromium", "poppler-utils"];
            var apt = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            InstallStep Apt(string[] arguments, TimeSpan timeout) =>
                asRoot.Length == 0 ? new InstallStep("apt-get", arguments, timeout) { Environment = apt } : new InstallStep(asRoot[0], [.. asRoot[1..], "apt-get", .. arguments], timeout) { Environment = apt };
            var who = asRoot.Length == 0 ? "as root" : "with sudo";
            return new InstallPlan($"Debian's {string.Join(" and ", packages)} with apt-get ({who})",
                [Apt(["update", "-q"], TimeSpan.FromMinutes(3)), Apt(["install", "-y", "-q", .. packages], TimeSpan.FromMinutes(6))]);
        }

        if (playwrightInstaller is null)
        {
            return null;
        }

        // Ubuntu's chromium package is a snap wrapper that fails in containers; Playwright's build needs system
        // libraries there, which its installer adds with --with-deps when it may use apt-get.
        if (environment.IsUbuntu && administrator() is not null)
        {
            playwrightInstaller = playwrightInstaller with { Arguments = [.. playwrightInstaller.Arguments, "--with-deps"] };
        }

        return new InstallPlan("Playwright's Chromium with its installer", [playwrightInstaller]);
    }

    /// <summary>Runs a step with its timeout, output captured (never shown unless it fails), killed with its children when late.</summary>
    public static async Task<StepResult> RunAsync(InstallStep step)
    {
        var start = new ProcessStartInfo(step.File) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in step.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in step.Environment)
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new StepResult(-1, e.Message, TimedOut: false);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(step.Timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended between the deadline and the kill.
            }

            return new StepResult(-1, Text(output), TimedOut: true);
        }

        return new StepResult(process.ExitCode, Text(output), TimedOut: false);
    }

    /// <summary>The root prefix on this machine: [] as root, ["sudo", "-n"] with password-less sudo, else null. Never prompts.</summary>
    public static string[]? Administrator()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        if (Environment.UserName == "root")
        {
            return [];
        }

        var sudo = RunAsync(new InstallStep("sudo", ["-n", "true"], TimeSpan.FromSeconds(10))).GetAwaiter().GetResult();
        return sudo.ExitCode == 0 ? ["sudo", "-n"] : null;
    }

    /// <summary>Whether a program is on PATH (with .exe on Windows).</summary>
    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)) || (OperatingSystem.IsWindows() && File.Exists(Path.Combine(directory, program + ".exe"))));

    /// <summary>
    /// The line that says what went wrong: installers print pages of progress and retries, then the error and a stack.
    /// Playwright's summary ("Failed to download ...") first, else the last error line, else the last line.
    /// </summary>
    internal static string LastLine(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("at ", StringComparison.Ordinal) && !l.StartsWith('|')).ToList();
        var line = lines.FirstOrDefault(l => l.Contains("Failed to download", StringComparison.Ordinal))
            ?? lines.LastOrDefault(l => l.StartsWith("Error", StringComparison.OrdinalIgnoreCase) || l.StartsWith("E:", StringComparison.Ordinal))
            ?? lines.LastOrDefault() ?? "";
        line = line.EndsWith(", caused by", StringComparison.Ordinal) ? line[..^", caused by".Length] : line;
        return line.Length > 300 ? line[..300] + "..." : line;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
