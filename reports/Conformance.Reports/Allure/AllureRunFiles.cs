using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conformance.Reports.Allure;

/// <summary>
/// The allure-results files that describe the whole run rather than one verdict: <c>categories.json</c> (how
/// verdicts are grouped), <c>environment.properties</c> (target, servers, drivers, faults, gate) and
/// <c>executor.json</c> (where the run came from, linked to its CI run on GitHub Actions).
/// </summary>
internal static class AllureRunFiles
{
    public static void WriteCategories(string directory)
    {
        // First match wins (Allure 3); allure2 matches messageRegex against the whole message (DOTALL).
        var categories = new JsonArray
        {
            Category("Waived deviations", "A failure or warning that a current waiver covers (statusDetails.known).", ["failed", "broken"], @"\[WAIVED.*"),
            Category("MUST violations", "A MUST requirement is broken: the gate fails unless waived.", ["failed"], @"\[MUST\].*"),
            Category("SHOULD warnings", "A SHOULD requirement is not followed: reported, the gate stays green.", ["broken"], @"\[SHOULD\].*"),
            Category("Inconclusive", "A precondition failed, or the target was unreachable or rate limited: the rule was not tested.", ["broken"], @"\[INCONCLUSIVE\].*"),
            Category("Not applicable", "The target does not offer what the check is about.", ["skipped"], @".*"),
            Category("Failed flows", "An end-to-end flow did not complete.", ["failed", "broken"], @".*"),
        };
        File.WriteAllText(Path.Combine(directory, "categories.json"), categories.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = AllureResults.Json.Encoder }), AllureResults.Utf8);
    }

    public static void WriteEnvironment(string directory, ReportData data, GateVerdict gate)
    {
        var lines = new List<(string Key, string Value)>();
        foreach (var target in data.Targets)
        {
            var prefix = data.MultiTarget ? target.Name + "." : "";
            lines.Add((prefix + "target", target.Name));
            foreach (var server in target.Servers)
            {
                lines.Add((prefix + "server." + server.Name, server.Issuer + (server.Unavailable is null ? "" : " (unavailable)")));
            }

            lines.Add((prefix + "login.drivers", string.Join(", ", target.LoginDrivers)));
            lines.Add((prefix + "faults", target.Faults.Count == 0 ? "none" : string.Join(", ", target.Faults)));
            lines.Add((prefix + "runs", string.Join(", ", target.Runs.Select(r => r.RunId))));
        }

        lines.Add(("harness.version", string.Join(", ", data.HarnessVersions)));
        lines.Add(("gate", gate.Passed ? "passed" : $"failed ({gate.Problems.Count} reasons)"));
        File.WriteAllText(Path.Combine(directory, "environment.properties"), string.Join("\n", lines.Select(l => Escape(l.Key, key: true) + "=" + Escape(l.Value, key: false))) + "\n", AllureResults.Utf8);
    }

    public static void WriteExecutor(string directory, ReportData data)
    {
        // On GitHub Actions, link the report to its workflow run; elsewhere a plain local executor.
        var server = Environment.GetEnvironmentVariable("GITHUB_SERVER_URL");
        var repository = Environment.GetEnvironmentVariable("GITHUB_REPOSITORY");
        var runId = Environment.GetEnvironmentVariable("GITHUB_RUN_ID");
        var onGitHub = !string.IsNullOrEmpty(server) && !string.IsNullOrEmpty(repository) && !string.IsNullOrEmpty(runId);
        var executor = new JsonObject
        {
            ["name"] = onGitHub ? "GitHub Actions" : "Conformance harness",
            ["type"] = onGitHub ? "github" : "local",
            ["reportName"] = "Conformance: " + string.Join(", ", data.Targets.Select(t => t.Name)),
            ["buildName"] = string.Join(", ", data.Runs.Select(r => r.RunId)),
        };
        if (onGitHub)
        {
            executor["url"] = $"{server}/{repository}";
            executor["buildUrl"] = $"{server}/{repository}/actions/runs/{runId}";
            if (int.TryParse(Environment.GetEnvironmentVariable("GITHUB_RUN_NUMBER"), out var number))
            {
                executor["buildOrder"] = number;
            }
        }

        File.WriteAllText(Path.Combine(directory, "executor.json"), executor.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = AllureResults.Json.Encoder }), AllureResults.Utf8);
    }

    private static JsonObject Category(string name, string description, string[] statuses, string regex) => new()
    {
        ["name"] = name,
        ["description"] = description,
        ["matchedStatuses"] = new JsonArray(statuses.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
        ["messageRegex"] = regex,
    };

    /// <summary>java.util.Properties escaping: backslash, separators in keys, and non-ASCII as \uXXXX.</summary>
    private static string Escape(string text, bool key)
    {
        var result = new StringBuilder();
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': result.Append(@"\\"); break;
                case '\n': result.Append(@"\n"); break;
                case '\r': result.Append(@"\r"); break;
                case '\t': result.Append(@"\t"); break;
                case '=' or ':' or ' ' when key: result.Append('\\').Append(c); break;
                case '#' or '!' when result.Length == 0: result.Append('\\').Append(c); break;
                default:
                    if (c > 0x7E || c < 0x20)
                    {
                        result.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        result.Append(c);
                    }

                    break;
            }
        }

        return result.ToString();
    }
}
