using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Results;

namespace Conformance.Reports.Allure;

/// <summary>
/// Writes the allure-results directory (the format the Allure 2 and Allure 3 readers take): one
/// <c>&lt;uuid&gt;-result.json</c> per verdict, a container per run, <c>&lt;uuid&gt;-attachment.*</c> files,
/// <c>categories.json</c>, <c>environment.properties</c> and <c>executor.json</c>.
/// <para>Mapping (documented in reports/README.md): pass → passed; MUST fail → failed; SHOULD warning → broken
/// (category "SHOULD warnings"); inconclusive → broken (category "Inconclusive"); not applicable → skipped. A waived
/// failure stays failed with statusDetails.known = true (category "Waived deviations"). Labels: parentSuite = target,
/// suite = server, subSuite = area, feature = area, story = check id, severity, tag = level, check id and threats,
/// host = issuer host. Links: every spec and threat reference. One step per HTTP exchange with the exchange as a
/// text attachment.</para>
/// </summary>
public sealed class AllureResults(ReportData data, GateVerdict gate, Attachments attachments)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>No byte order mark: Allure 3's reader JSON.parses the raw bytes and rejects one.</summary>
    internal static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private string directory = "";

    /// <summary>Writes into <paramref name="resultsDirectory"/> (emptied first) and returns how many results were written.</summary>
    public int Write(string resultsDirectory)
    {
        directory = resultsDirectory;
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        var count = 0;
        foreach (var target in data.Targets)
        {
            foreach (var run in target.Runs)
            {
                var children = new List<string>();
                foreach (var check in data.Checks.Where(c => c.Run == run))
                {
                    children.Add(WriteCheck(check));
                }

                foreach (var flow in data.Flows.Where(f => f.Run == run))
                {
                    children.Add(WriteFlow(flow));
                }

                count += children.Count;
                WriteContainer(target, run, children);
            }
        }

        AllureRunFiles.WriteCategories(directory);
        AllureRunFiles.WriteEnvironment(directory, data, gate);
        AllureRunFiles.WriteExecutor(directory, data);
        return count;
    }

    private string WriteCheck(ReportCheck item)
    {
        var r = item.Result;
        var server = r.Server ?? "(target-wide)";
        var uuid = Uuid(item.Run.RunId, "check", item.Target, r.Id, server);
        var fullName = $"conformance.{item.Target}.{server}.{r.Id}";
        var start = Start(item.Run, r.Exchanges);
        var waiver = gate.Waived.FirstOrDefault(w => w.Check == r.Id && w.Where == data.ServerLabel(item.Target, r.Server));
        var issuer = data.Targets.First(t => t.Name == item.Target).Servers.FirstOrDefault(s => s.Name == r.Server)?.Issuer;

        var labels = new JsonArray
        {
            Label("parentSuite", item.Target),
            Label("suite", server),
            Label("subSuite", r.Area),
            Label("epic", "Rule catalogue"),
            Label("feature", r.Area),
            Label("story", r.Id),
            Label("severity", Severity(r.Severity)),
            Label("tag", Words.Level(r.Level)),
            Label("tag", r.Id),
            Label("host", Host(issuer) ?? item.Target),
            Label("framework", "Conformance"),
            Label("language", "C#"),
        };
        foreach (var threat in r.Threats)
        {
            labels.Add(Label("tag", threat.Reference));
        }

        var links = new JsonArray();
        foreach (var spec in r.Specs)
        {
            links.Add(Link(spec.Reference, spec.Url));
        }

        foreach (var threat in r.Threats.Where(t => r.Specs.All(s => s.Reference != t.Reference)))
        {
            links.Add(Link("threat: " + threat.Reference, threat.Url));
        }

        var result = new JsonObject
        {
            ["uuid"] = uuid,
            ["historyId"] = Md5($"{fullName}"),
            ["testCaseId"] = Md5($"conformance.{r.Id}"),
            ["fullName"] = fullName,
            ["name"] = $"{r.Id}: {r.Requirement}",
            ["titlePath"] = new JsonArray(item.Target, server, r.Area),
            ["description"] = Description(r),
            ["status"] = Status(r.Outcome),
            ["statusDetails"] = StatusDetails(r, waiver),
            ["stage"] = "finished",
            ["start"] = start,
            ["stop"] = start + (long)Math.Round(r.DurationMs),
            ["labels"] = labels,
            ["links"] = links,
            ["parameters"] = new JsonArray(Parameter("server", server), Parameter("issuer", issuer ?? "–"), Parameter("level", Words.Level(r.Level))),
            ["steps"] = Steps(r.Exchanges),
            ["attachments"] = TestAttachments(r),
        };
        WriteJson($"{uuid}-result.json", result);
        return uuid;
    }

    private string WriteFlow(ReportFlow item)
    {
        var r = item.Result;
        var uuid = Uuid(item.Run.RunId, "flow", item.Target, r.Name);
        var fullName = $"conformance.{item.Target}.flows.{r.Name}";
        var start = Start(item.Run, r.Exchanges);
        var server = item.Server ?? "flows";
        var labels = new JsonArray
        {
            Label("parentSuite", item.Target),
            Label("suite", server),
            Label("subSuite", "flow: " + item.Area),
            Label("epic", "End-to-end flows"),
            Label("feature", item.Area),
            Label("severity", "critical"),
            Label("host", Host(data.Targets.First(t => t.Name == item.Target).Servers.FirstOrDefault(s => s.Name == item.Server)?.Issuer) ?? item.Target),
            Label("framework", "Conformance"),
            Label("language", "C#"),
        };
        foreach (var category in r.Categories)
        {
            labels.Add(Label("tag", category));
        }

        var message = r.Message ?? (r.Outcome == Outcome.Pass ? "the flow completed" : Words.Outcome(r.Outcome));
        if (r.Expected is not null || r.Observed is not null)
        {
            // As for checks: what the flow expected next to what the server did, under the message.
            message += $"\nexpected: {r.Expected ?? "–"}\nobserved: {r.Observed ?? "–"}";
        }

        var details = new JsonObject { ["message"] = message };
        var waiver = gate.Waived.FirstOrDefault(w => w.Check == r.Name);
        if (waiver is not null)
        {
            details["known"] = true;
            details["message"] = $"[WAIVED until {waiver.Waiver.Expires:yyyy-MM-dd}: {waiver.Waiver.Reason}] " + details["message"]!.GetValue<string>();
        }

        var result = new JsonObject
        {
            ["uuid"] = uuid,
            ["historyId"] = Md5(fullName),
            ["testCaseId"] = Md5(fullName),
            ["fullName"] = fullName,
            ["name"] = r.Id is null ? r.Name : $"{r.Id}: {r.Name}",
            ["titlePath"] = new JsonArray(item.Target, server, "flow: " + item.Area),
            ["status"] = Status(r.Outcome),
            ["statusDetails"] = details,
            ["stage"] = "finished",
            ["start"] = start,
            ["stop"] = start + (long)Math.Round(r.DurationMs),
            ["labels"] = labels,
            // Like a check's: each clause the flow rests on, so a reader goes from a failed flow to the spec.
            ["links"] = new JsonArray(r.Specs.Select(s => (JsonNode)Link(s.Reference, s.Url)).ToArray()),
            ["parameters"] = new JsonArray(r.Categories.Select(c => (JsonNode)Parameter("category", c)).ToArray()),
            ["steps"] = Steps(r.Exchanges),
            ["attachments"] = Screenshots(r.Attachments),
        };
        if (r.Requirement is not null)
        {
            result["description"] = r.Requirement + (r.Specs.Count == 0 ? "" : "\n\n*Specification:* " + string.Join(", ", r.Specs.Select(s => $"[{s.Reference}]({s.Url})")));
        }

        WriteJson($"{uuid}-result.json", result);
        return uuid;
    }

    private void WriteContainer(ReportTarget target, RunFile run, List<string> children)
    {
        var uuid = Uuid(run.RunId, "container", target.Name);
        var start = run.StartedAt.ToUnixTimeMilliseconds();
        var stop = Math.Max(start, run.FinishedAt.ToUnixTimeMilliseconds());
        var unavailable = run.Target.Servers.Where(s => s.Unavailable is not null).ToList();
        var setup = new JsonObject
        {
            ["name"] = $"connect to {target.Name}: discovery of {run.Target.Servers.Count} authorization servers",
            ["status"] = unavailable.Count == 0 ? "passed" : "broken",
            ["statusDetails"] = new JsonObject
            {
                ["message"] = unavailable.Count == 0
                    ? string.Join("; ", run.Target.Servers.Select(s => $"{s.Name}: {s.Issuer}"))
                    : string.Join("; ", unavailable.Select(s => $"{s.Name} unavailable: {s.Unavailable}")),
            },
            ["stage"] = "finished",
            ["start"] = start,
            ["stop"] = start,
            ["steps"] = new JsonArray(),
            ["attachments"] = new JsonArray(),
            ["parameters"] = new JsonArray(
                Parameter("run", run.RunId),
                Parameter("faults", run.Target.Faults.Count == 0 ? "none" : string.Join(", ", run.Target.Faults))),
        };
        var container = new JsonObject
        {
            ["uuid"] = uuid,
            ["name"] = $"{target.Name} run {run.RunId}",
            ["children"] = new JsonArray(children.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray()),
            ["befores"] = new JsonArray(setup),
            ["afters"] = new JsonArray(),
            ["links"] = new JsonArray(),
            ["start"] = start,
            ["stop"] = stop,
        };
        WriteJson($"{uuid}-container.json", container);
    }

    private JsonArray Steps(IReadOnlyList<HttpExchange> exchanges)
    {
        var steps = new JsonArray();
        foreach (var x in exchanges.OrderBy(e => e.Sequence))
        {
            var source = $"{Guid.NewGuid()}-attachment.txt";
            File.WriteAllText(Path.Combine(directory, source), x.ToString(), Utf8);
            var start = x.StartedAt.ToUnixTimeMilliseconds();
            steps.Add(new JsonObject
            {
                ["name"] = x.Status is { } s ? $"{x.Method} {x.Url} → {s}" : $"{x.Method} {x.Url} → no response",
                ["status"] = x.Status is null ? "broken" : "passed",
                ["stage"] = "finished",
                ["start"] = start,
                ["stop"] = start + (long)Math.Round(x.Duration.TotalMilliseconds),
                ["statusDetails"] = x.Failure is null ? new JsonObject() : new JsonObject { ["message"] = x.Failure },
                ["steps"] = new JsonArray(),
                ["parameters"] = new JsonArray(),
                ["attachments"] = new JsonArray(new JsonObject
                {
                    ["name"] = "HTTP exchange (redacted)",
                    ["source"] = source,
                    ["type"] = "text/plain",
                }),
            });
        }

        return steps;
    }

    private JsonArray TestAttachments(RunCheck r)
    {
        var list = Screenshots(r.Attachments);
        if (r.Tokens.Count > 0)
        {
            var source = $"{Guid.NewGuid()}-attachment.json";
            var tokens = new JsonArray(r.Tokens.Select(t => (JsonNode)new JsonObject
            {
                ["label"] = t.Label,
                ["fingerprint"] = t.Fingerprint,
                ["header"] = Parse(t.Header),
                ["claims"] = Parse(t.Claims),
            }).ToArray());
            File.WriteAllText(Path.Combine(directory, source), tokens.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = Json.Encoder }), Utf8);
            list.Add(new JsonObject { ["name"] = "decoded tokens (header and claims)", ["source"] = source, ["type"] = "application/json" });
        }

        return list;
    }

    private JsonArray Screenshots(IReadOnlyList<string> files)
    {
        var list = new JsonArray();
        foreach (var file in files.Where(Attachments.IsPng))
        {
            var (bytes, _) = attachments.ReadPng(file);
            if (bytes is null)
            {
                continue;
            }

            var source = $"{Guid.NewGuid()}-attachment.png";
            File.WriteAllBytes(Path.Combine(directory, source), bytes);
            list.Add(new JsonObject { ["name"] = "screenshot " + Path.GetFileName(file), ["source"] = source, ["type"] = "image/png" });
        }

        return list;
    }

    private static JsonObject StatusDetails(RunCheck r, WaivedResult? waiver)
    {
        var prefix = r.Outcome switch
        {
            Outcome.Fail => "[MUST] ",
            Outcome.Warning => "[SHOULD] ",
            Outcome.Inconclusive => "[INCONCLUSIVE] ",
            Outcome.NotApplicable => "[NOT APPLICABLE] ",
            _ => "",
        };
        if (waiver is not null)
        {
            prefix = $"[WAIVED until {waiver.Waiver.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}: {waiver.Waiver.Reason}] " + prefix;
        }

        var message = new StringBuilder(prefix).Append(r.Outcome == Outcome.Pass ? r.Requirement : r.Message);
        if (r.Expected is not null)
        {
            message.Append("\nexpected: ").Append(r.Expected).Append("\nobserved: ").Append(r.Observed);
        }

        var details = new JsonObject { ["message"] = message.ToString() };
        if (r.Outcome is Outcome.Fail or Outcome.Warning)
        {
            details["trace"] = "remediation: " + r.Remediation + "\nsee: " + string.Join(", ", r.Specs.Select(s => $"{s.Reference} <{s.Url}>"));
        }

        if (r.Expected is not null)
        {
            details["expected"] = r.Expected;
            details["actual"] = r.Observed;
        }

        if (waiver is not null)
        {
            details["known"] = true;
        }

        return details;
    }

    private static string Description(RunCheck r)
    {
        var text = new StringBuilder();
        text.Append("**").Append(Words.Level(r.Level)).Append("** · severity ").Append(Words.Severity(r.Severity)).Append(" · area ").Append(r.Area).Append("\n\n");
        text.Append(r.Requirement).Append("\n\n");
        text.Append("*Applies to:* ").Append(r.Applicability).Append("\n\n");
        text.Append("*Remediation:* ").Append(r.Remediation).Append("\n\n");
        text.Append("*Specification:* ").Append(string.Join(", ", r.Specs.Select(s => $"[{s.Reference}]({s.Url})")));
        if (r.Threats.Count > 0)
        {
            text.Append("\n\n*Threats:* ").Append(string.Join(", ", r.Threats.Select(s => $"[{s.Reference}]({s.Url})")));
        }

        foreach (var note in r.Notes)
        {
            text.Append("\n\n*Note:* ").Append(note);
        }

        return text.ToString();
    }

    private void WriteJson(string name, JsonObject node) =>
        File.WriteAllText(Path.Combine(directory, name), node.ToJsonString(Json), Utf8);

    private static JsonObject Label(string name, string value) => new() { ["name"] = name, ["value"] = value };

    private static JsonObject Link(string name, string url) => new() { ["name"] = name, ["url"] = url, ["type"] = "link" };

    private static JsonObject Parameter(string name, string value) => new() { ["name"] = name, ["value"] = value };

    internal static string Status(Outcome outcome) => outcome switch
    {
        Outcome.Pass => "passed",
        Outcome.Fail => "failed",
        Outcome.NotApplicable => "skipped",
        _ => "broken",
    };

    internal static string Severity(Harness.Checks.Severity severity) => severity switch
    {
        Harness.Checks.Severity.Critical => "blocker",
        Harness.Checks.Severity.High => "critical",
        Harness.Checks.Severity.Medium => "normal",
        Harness.Checks.Severity.Low => "minor",
        _ => "trivial",
    };

    /// <summary>A check has no start time of its own: its first exchange's, else the run's start.</summary>
    private static long Start(RunFile run, IReadOnlyList<HttpExchange> exchanges) =>
        (exchanges.Count > 0 ? exchanges.Min(e => e.StartedAt) : run.StartedAt).ToUnixTimeMilliseconds();

    private static string? Host(string? issuer) => Uri.TryCreate(issuer, UriKind.Absolute, out var uri) ? uri.Authority : null;

    private static JsonNode? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }

    /// <summary>Deterministic per execution: the same run written twice gives the same files.</summary>
    private static string Uuid(params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u001f", parts)));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    private static string Md5(string text) =>
#pragma warning disable CA5351 // Allure's historyId convention is an MD5 of the test's identity, not a security use.
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
}
