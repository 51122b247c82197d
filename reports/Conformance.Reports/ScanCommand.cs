using Conformance.Harness.Target;

namespace Conformance.Reports;

/// <summary>
/// <c>scan --path P [--path …] (--profile FILE | --secret-env NAME …)</c>: the secret scan over everything a run
/// left, including what the run itself cannot read because it is written after it ends: the TRX and JUnit files
/// of the test logger and the console log CI keeps. Each finding names the file, the secret (by its reference,
/// env:NAME, never its value) and the encoding it was found in. Exit 0: nothing found; 1: findings; 2: bad input.
/// </summary>
internal static class ScanCommand
{
    public const string Usage = """
          Conformance.Reports scan   --path <file|dir> [--path ...] [--profile <profile.json>] [--secret-env NAME ...] [--no-jwts]
                                  (every secret of the profile, and each client's HTTP Basic credential, in every
                                  encoding, in every file under the paths: TRX, JUnit, console logs, artifacts)
        """;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var paths = new List<string>();
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        var clients = new List<BasicCredential>();
        var jwts = true;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new Program.UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--path": paths.Add(Value()); break;
                case "--no-jwts": jwts = false; break;
                case "--secret-env":
                    var name = Value();
                    if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
                    {
                        secrets[$"env:{name}"] = value;
                    }
                    else
                    {
                        error.WriteLine($"warning: --secret-env {name}: the variable is not set; nothing to scan for");
                    }

                    break;
                case "--profile":
                    var file = Value();
                    TargetProfile profile;
                    try
                    {
                        // {{embedded}} is the reference issuer's run-time URL; any URL will do, only the secrets matter here.
                        profile = TargetProfileLoader.LoadFile(file, variables: new Dictionary<string, string> { ["embedded"] = "http://127.0.0.1" });
                    }
                    catch (TargetProfileException e)
                    {
                        error.WriteLine("error: " + e.Message);
                        return GateVerdict.InvalidInputExitCode;
                    }

                    foreach (var (key, secret) in ReportOptions.SecretsOf(profile.Secrets))
                    {
                        secrets[key] = secret;
                    }

                    clients.AddRange(ReportOptions.ClientsOf(profile));
                    break;
                default: throw new Program.UsageException($"unknown option '{args[i]}'");
            }
        }

        if (paths.Count == 0)
        {
            throw new Program.UsageException("scan needs at least one --path");
        }

        if (secrets.Count == 0 && clients.Count == 0 && !jwts)
        {
            throw new Program.UsageException("scan has nothing to look for: give --profile or --secret-env");
        }

        var missing = paths.Where(p => !File.Exists(p) && !Directory.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            error.WriteLine("error: no such file or directory: " + string.Join(", ", missing));
            return GateVerdict.InvalidInputExitCode;
        }

        var report = SecretScan.Scan(paths, secrets, jwts, clients);
        foreach (var note in report.Notes)
        {
            output.WriteLine("note: " + note);
        }

        foreach (var finding in report.Findings.OrderBy(f => f.File, StringComparer.Ordinal))
        {
            output.WriteLine("found: " + finding);
        }

        output.WriteLine($"secret scan: {report.FilesScanned} files, {secrets.Count} secrets, {clients.Count} Basic credentials{(jwts ? ", whole JWTs" : "")}: {report.Findings.Count} findings");
        return report.Findings.Count == 0 ? 0 : 1;
    }
}
