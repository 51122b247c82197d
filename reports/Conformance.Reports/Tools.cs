using System.Diagnostics;
using System.Text;

namespace Conformance.Reports;

/// <summary>Runs an external tool (Chromium, node, npm) with a deadline, capturing its output.</summary>
internal static class Tools
{
    public sealed record Result(int ExitCode, string Output, bool TimedOut);

    public static Result Run(string file, IEnumerable<string> arguments, string? workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No telemetry or update checks from the tools a report run starts.
        start.Environment["npm_config_update_notifier"] = "false";
        start.Environment["npm_config_fund"] = "false";
        start.Environment["npm_config_audit"] = "false";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended between the deadline and the kill.
            }

            process.WaitForExit();
            return new Result(-1, Text(output), TimedOut: true);
        }

        process.WaitForExit();
        return new Result(process.ExitCode, Text(output), TimedOut: false);
    }

    /// <summary>The full path of an executable on PATH, or null.</summary>
    public static string? Which(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            if (OperatingSystem.IsWindows() && File.Exists(candidate + ".exe"))
            {
                return candidate + ".exe";
            }

            if (OperatingSystem.IsWindows() && File.Exists(candidate + ".cmd"))
            {
                return candidate + ".cmd";
            }
        }

        return null;
    }

    /// <summary>The last lines of a tool's output, for an error message.</summary>
    public static string Tail(string output, int lines = 8) =>
        string.Join(Environment.NewLine, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines).Select(l => "    " + l.TrimEnd()));

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
