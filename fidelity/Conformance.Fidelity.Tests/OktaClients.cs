using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conformance.Fidelity.Tests;

/// <summary>
/// Okta's client software on this machine: fidelity/node_modules as pinned by fidelity/package-lock.json, and the
/// node that runs the JavaScript programs. Missing packages fail every test with the script to run, never a pass or
/// a silent skip; the fixture runs that script itself once when npm is there.
/// </summary>
internal static class OktaClients
{
    public const string InstallScript = "scripts/install-okta-clients.sh";
    private const string StampFile = "node_modules/.conformance-lock.sha256";

    /// <summary>The fidelity/ folder (package.json, package-lock.json, js/), found upwards from the test binaries.</summary>
    public static string Folder { get; } = FindFolder();

    public static string Repository => Path.GetDirectoryName(Folder)!;

    public static string Module(string relative) => Path.Combine(Folder, "node_modules", relative);

    public static string Program(string name) => Path.Combine(Folder, "js", name);

    /// <summary>Installs when needed and possible; otherwise fails (or ignores, under CONFORMANCE_INSTALL=never) with what to run.</summary>
    public static void EnsureInstalled()
    {
        if (IsCurrent()) return;
        var why = File.Exists(Path.Combine(Folder, StampFile)) ? "fidelity/node_modules was installed from another package-lock.json"
            : Directory.Exists(Path.Combine(Folder, "node_modules")) ? $"fidelity/node_modules was not installed by {InstallScript}"
            : "fidelity/node_modules is missing";
        if (string.Equals(Environment.GetEnvironmentVariable("CONFORMANCE_INSTALL"), "never", StringComparison.OrdinalIgnoreCase))
            Assert.Ignore($"Okta's client packages are not installed ({why}) and CONFORMANCE_INSTALL=never: run `bash {InstallScript}`.");

        if (Run("npm", ["--version"], Folder, null, TimeSpan.FromSeconds(30)).ExitCode != 0)
            Assert.Fail($"Okta's client packages are not installed ({why}) and npm is not available: install Node.js 20+ with npm, then run `bash {InstallScript}`.");

        TestContext.Progress.WriteLine($"[fidelity] {why}: running {InstallScript} (npm ci), once...");
        var clock = Stopwatch.StartNew();
        var result = Run("bash", [Path.Combine(Repository, InstallScript)], Repository, null, TimeSpan.FromMinutes(10));
        if (result.ExitCode != 0 || !IsCurrent())
            Assert.Fail($"`bash {InstallScript}` failed (exit {result.ExitCode}); run it yourself to see why. Last output: {Tail(result.StdErr + result.StdOut)}");
        TestContext.Progress.WriteLine($"[fidelity] installed in {clock.Elapsed.TotalSeconds:0} s");
    }

    private static bool IsCurrent()
    {
        var stamp = Path.Combine(Folder, StampFile);
        if (!File.Exists(stamp)) return false;
        var want = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Folder, "package-lock.json"))));
        return File.ReadAllText(stamp).Trim() == want;
    }

    /// <summary>Runs a program of fidelity/js with node: JSON in on stdin, one JSON line out.</summary>
    public static JsonObject RunNode(string program, object input, TimeSpan? timeout = null)
    {
        var result = Run("node", [Program(program)], Folder, JsonSerializer.Serialize(input), timeout ?? TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0)
            Assert.Fail($"node {program} failed (exit {result.ExitCode}): {Tail(result.StdErr + result.StdOut)}");
        var line = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
                   ?? throw new AssertionException($"node {program} printed nothing; stderr: {Tail(result.StdErr)}");
        return JsonNode.Parse(line)?.AsObject() ?? throw new AssertionException($"node {program} printed no JSON object: {line}");
    }

    public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

    public static ProcessResult Run(string file, IEnumerable<string> arguments, string directory, string? stdin, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new ProcessResult(-1, "", $"{file} could not start: {e.Message}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (stdin is not null) process.StandardInput.Write(stdin);
            process.StandardInput.Close();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return new ProcessResult(-1, stdout.IsCompleted ? stdout.Result : "", $"{file} timed out after {timeout.TotalSeconds:0} s");
            }
            process.WaitForExit();
            return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    private static string Tail(string text) => text.Length <= 2000 ? text.Trim() : "…" + text[^2000..].Trim();

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "package-lock.json")) && Directory.Exists(Path.Combine(dir.FullName, "Conformance.Fidelity.Tests")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No fidelity/ folder (package-lock.json beside Conformance.Fidelity.Tests) above {AppContext.BaseDirectory}.");
    }
}
