using System.Globalization;
using System.Text;
using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Jose;
using Conformance.Harness.Results;
using static Conformance.Reports.Html.Markup;

namespace Conformance.Reports.Html;

/// <summary>
/// The security review: one self-contained HTML file (inline CSS and SVG, PNG screenshots as data URIs, a
/// Content-Security-Policy that forbids any fetch), readable on screen and printable to PDF. It answers, in
/// order: what was tested and when; is it green; where are the failures; which threats are covered; and, per
/// check, the rule, the verdict and the evidence.
/// </summary>
public sealed partial class SecurityReview(ReportData data, GateVerdict gate, IReadOnlyList<Waiver> waivers, Attachments attachments)
{
    public string Title { get; init; } = "OAuth 2.0 / OpenID Connect conformance: security review";

    private readonly EvidenceHtml evidence = new(attachments);

    private static readonly Outcome[] Order = [Outcome.Fail, Outcome.Warning, Outcome.Inconclusive, Outcome.Pass, Outcome.NotApplicable];

    public string Render()
    {
        var html = new StringBuilder(256 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            // No fetch of any kind: the file must open offline, and nothing in it may call out.
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"generator\" content=\"Conformance.Reports\">\n")
            .Append("<title>").Append(H(Title + ": " + string.Join(", ", data.Targets.Select(t => t.Name)))).Append("</title>\n<style>")
            .Append(ReviewStyle.Css).Append("</style>\n</head>\n<body>\n");

        Cover(html);
        Contents(html);
        TargetSection(html);
        SummarySection(html);
        AreaSection(html);
        ThreatSection(html);
        FindingsSection(html);
        CatalogueSection(html);
        FlowSection(html);
        GateSection(html);
        About(html);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private void Cover(StringBuilder html)
    {
        var when = data.Runs.Count == 0 ? "no run" : $"{Time(data.StartedAt)} to {Time(data.FinishedAt)} ({Duration(data.FinishedAt - data.StartedAt)})";
        var faults = data.Targets.SelectMany(t => t.Faults).Distinct().ToList();
        html.Append("<header class=\"cover\">\n<p class=\"kicker\">").Append(H(Title)).Append("</p>\n<h1>")
            .Append("<span class=\"pre\">").Append(data.MultiTarget ? "Targets" : "Target").Append("</span> ")
            .Append(H(string.Join(" · ", data.Targets.Select(t => t.Name)))).Append("</h1>\n");
        GateBanner(html);
        html.Append("<dl class=\"facts\">")
            .Append("<dt>When</dt><dd>").Append(H(when)).Append("</dd>")
            .Append("<dt>Servers</dt><dd>").Append(data.Targets.Sum(t => t.Servers.Count)).Append(" authorization servers, ")
            .Append(data.Targets.Sum(t => t.Clients.Count)).Append(" clients</dd>")
            .Append("<dt>Checks</dt><dd>").Append(data.Checks.Select(c => c.Result.Id).Distinct().Count()).Append(" checks, ")
            .Append(data.Checks.Count).Append(" verdicts").Append(data.Flows.Count == 0 ? "" : $", {data.Flows.Count} end-to-end flows").Append("</dd>")
            .Append("<dt>Harness</dt><dd>").Append(H(string.Join(", ", data.HarnessVersions))).Append("</dd>")
            .Append("<dt>Runs</dt><dd>").Append(H(string.Join(", ", data.Runs.Select(r => r.RunId)))).Append("</dd>");
        if (faults.Count > 0)
        {
            html.Append("<dt>Faults</dt><dd class=\"fault\">fault profiles switched on: <b>").Append(H(string.Join(", ", faults)))
                .Append("</b>. This run tested a deliberately broken reference issuer.</dd>");
        }

        html.Append("</dl>\n</header>\n");
    }

    private void GateBanner(StringBuilder html)
    {
        html.Append("<div class=\"gate ").Append(gate.Passed ? "gate-pass" : "gate-fail").Append("\"><strong>Gate ")
            .Append(gate.Passed ? "passed" : "failed").Append("</strong>");
        // "2 coverage lost", not "2 coverage losts".
        var reasons = gate.Problems.GroupBy(p => p.Label).Select(g => $"{g.Count()} {g.Key}{(g.Count() == 1 || g.Key.EndsWith(" lost", StringComparison.Ordinal) ? "" : "s")}").ToList();
        var extra = new List<string>(reasons);
        if (gate.Waived.Count > 0)
        {
            extra.Add($"{gate.Waived.Count} waived");
        }

        extra.Add($"{gate.Counts.Warning} SHOULD warning{(gate.Counts.Warning == 1 ? "" : "s")}");
        html.Append("<span>").Append(H(string.Join(" · ", extra))).Append("</span> <a href=\"#gate\">why</a></div>\n");
    }

    private static void Contents(StringBuilder html) =>
        html.Append("<nav class=\"toc\"><b>Contents</b> <a href=\"#target\">Target and run</a> <a href=\"#summary\">Verdicts by server</a> ")
            .Append("<a href=\"#areas\">Results by area</a> <a href=\"#threats\">Threat coverage</a> <a href=\"#findings\">Findings</a> ")
            .Append("<a href=\"#catalogue\">All checks</a> <a href=\"#flows\">Flows</a> <a href=\"#gate\">Gate and waivers</a> <a href=\"#about\">Reading this report</a></nav>\n");

    private void TargetSection(StringBuilder html)
    {
        html.Append("<section id=\"target\">\n<h2>Target and run</h2>\n");
        foreach (var target in data.Targets)
        {
            if (data.MultiTarget)
            {
                html.Append("<h3>").Append(H(target.Name)).Append("</h3>\n");
            }

            html.Append("<table class=\"grid\"><thead><tr><th>Server</th><th>Issuer</th><th>Audience</th><th>Status</th></tr></thead><tbody>\n");
            foreach (var server in target.Servers)
            {
                html.Append("<tr><td><b>").Append(H(server.Name)).Append("</b></td><td class=\"mono\">").Append(H(server.Issuer))
                    .Append("</td><td class=\"mono\">").Append(H(server.Audience ?? "–")).Append("</td><td>")
                    .Append(server.Unavailable is null ? "reachable" : "<span class=\"badge inc\">unavailable</span> " + H(server.Unavailable)).Append("</td></tr>\n");
            }

            html.Append("</tbody></table>\n<div class=\"stack\"><div><h4>Clients</h4><table class=\"grid small clients\"><thead><tr><th>Role</th><th>Client id</th><th>Type</th></tr></thead><tbody>");
            foreach (var client in target.Clients)
            {
                html.Append("<tr><td>").Append(H(client.Role)).Append("</td><td class=\"mono\">").Append(H(client.ClientId)).Append("</td><td>")
                    .Append(client.Confidential ? "confidential" : "public").Append("</td></tr>");
            }

            html.Append("</tbody></table></div><div><h4>Runs</h4><table class=\"grid small\"><thead><tr><th>Run</th><th>Started</th><th>Took</th><th>Harness</th><th>Login drivers</th><th>Faults</th></tr></thead><tbody>");
            foreach (var run in target.Runs)
            {
                html.Append("<tr><td class=\"mono\">").Append(H(run.RunId)).Append("</td><td>").Append(H(Time(run.StartedAt))).Append("</td><td>")
                    .Append(H(run.FinishedAt > run.StartedAt ? Duration(run.FinishedAt - run.StartedAt) : "–")).Append("</td><td>").Append(H(run.HarnessVersion)).Append("</td><td>")
                    .Append(H(string.Join(", ", run.Target.LoginDrivers))).Append("</td><td>")
                    .Append(run.Target.Faults.Count == 0 ? "none" : "<span class=\"fault\">" + H(string.Join(", ", run.Target.Faults)) + "</span>").Append("</td></tr>");
            }

            html.Append("</tbody></table></div></div>\n");
        }

        if (data.Notes.Count > 0)
        {
            html.Append("<h4>Merge notes</h4><ul class=\"notes\">");
            foreach (var note in data.Notes)
            {
                html.Append("<li>").Append(H(note)).Append("</li>");
            }

            html.Append("</ul>\n");
        }

        html.Append("</section>\n");
    }

    private void SummarySection(StringBuilder html)
    {
        html.Append("<section id=\"summary\">\n<h2>Verdicts by authorization server</h2>\n")
            .Append("<p class=\"lead\">A MUST check that is broken <b>fails</b>; a SHOULD check that is broken <b>warns</b>. <b>Not applicable</b>: the target does not offer the feature. ")
            .Append("<b>Inconclusive</b>: a precondition failed or the server could not be reached, so nothing was learned.</p>\n")
            .Append("<table class=\"grid verdicts\"><thead><tr><th>Authorization server</th><th class=\"n\">MUST failures</th><th class=\"n\">of which waived</th><th class=\"n\">SHOULD warnings</th><th class=\"n\">Passed</th><th class=\"n\">Not applicable</th><th class=\"n\">Inconclusive</th></tr></thead><tbody>\n");
        var waivedSet = gate.Waived.Where(w => w.Outcome == Outcome.Fail).Select(w => (w.Check, w.Where)).ToHashSet();
        foreach (var group in data.Checks.GroupBy(c => (c.Target, c.Result.Server)).OrderBy(g => g.Key.Target, StringComparer.Ordinal).ThenBy(g => ServerIndex(g.First())))
        {
            int Of(Outcome o) => group.Count(c => c.Result.Outcome == o);
            var label = data.ServerLabel(group.Key.Target, group.Key.Server);
            var waived = group.Count(c => c.Result.Outcome == Outcome.Fail && waivedSet.Contains((c.Result.Id, label)));
            html.Append("<tr><td><b>").Append(H(label)).Append("</b></td>")
                .Append(Cell(Of(Outcome.Fail), "fail")).Append(Cell(waived, "waived")).Append(Cell(Of(Outcome.Warning), "warn"))
                .Append(Cell(Of(Outcome.Pass), "pass")).Append(Cell(Of(Outcome.NotApplicable), "na")).Append(Cell(Of(Outcome.Inconclusive), "inc")).Append("</tr>\n");
        }

        var c = gate.Counts;
        html.Append("</tbody><tfoot><tr><td>All</td>").Append(Cell(c.Fail, "fail")).Append(Cell(c.Waived, "waived")).Append(Cell(c.Warning, "warn"))
            .Append(Cell(c.Pass, "pass")).Append(Cell(c.NotApplicable, "na")).Append(Cell(c.Inconclusive, "inc")).Append("</tr></tfoot></table>\n</section>\n");

        static string Cell(int n, string css) => n == 0 ? "<td class=\"n zero\">0</td>" : $"<td class=\"n\"><span class=\"count {css}\">{n}</span></td>";
    }

    private void AreaSection(StringBuilder html)
    {
        html.Append("<section id=\"areas\">\n<h2>Results by area</h2>\n<p class=\"lead\">Every verdict (one per check and server) by the area of the rule.</p>\n");
        var rows = data.Checks.GroupBy(c => c.Result.Area).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Label: g.Key, Counts: Order.Select(o => g.Count(c => c.Result.Outcome == o)).ToArray()))
            .ToList();
        if (data.Flows.Count > 0)
        {
            rows.Add(("end-to-end flows", Order.Select(o => data.Flows.Count(f => f.Result.Outcome == o)).ToArray()));
        }

        html.Append(Chart.StackedBars(rows, Order.Select(o => (Words.Outcome(o), Words.Css(o))).ToList())).Append("\n</section>\n");
    }

    private void ThreatSection(StringBuilder html)
    {
        html.Append("<section id=\"threats\">\n<h2>Threat coverage</h2>\n")
            .Append("<p class=\"lead\">The threats of RFC 6819 (OAuth 2.0 threat model) and RFC 9700 (OAuth 2.0 security best current practice) that the checks of this run test. ")
            .Append("<b>Violated</b>: a MUST check against it failed. <b>Weakened</b>: a SHOULD check warned. <b>Mitigated</b>: every check that ran passed. <b>Not tested</b>: its checks were not applicable or inconclusive.</p>\n");
        var threats = data.Checks
            .SelectMany(c => c.Result.Threats.Select(t => (Threat: t, Check: c)))
            .GroupBy(x => x.Threat.Reference)
            .OrderBy(g => g.Key, Threats.Order)
            .ToList();
        if (threats.Count == 0)
        {
            html.Append("<p>No check of this run names a threat.</p>\n</section>\n");
            return;
        }

        var statuses = threats.Select(g => Status(g.Select(x => x.Check.Result.Outcome).ToList())).ToList();
        html.Append("<p class=\"threat-summary\">").Append(threats.Count).Append(" threats tested: ");
        foreach (var (status, css) in new[] { ("violated", "fail"), ("weakened", "warn"), ("mitigated", "pass"), ("not tested", "na") })
        {
            html.Append("<span class=\"count ").Append(css).Append("\">").Append(statuses.Count(s => s.Label == status)).Append(' ').Append(status).Append("</span> ");
        }

        html.Append("</p>\n<table class=\"grid threats\"><thead><tr><th>Threat</th><th>Status</th><th>Checks</th><th>Verdicts</th></tr></thead><tbody>\n");
        for (var i = 0; i < threats.Count; i++)
        {
            var group = threats[i];
            var first = group.First().Threat;
            var title = Threats.Title(first.Reference);
            html.Append("<tr><td>").Append(Link(first.Url, first.Reference)).Append(title is null ? "" : "<br><span class=\"muted\">" + H(title) + "</span>")
                .Append("</td><td><span class=\"badge ").Append(statuses[i].Css).Append("\">").Append(statuses[i].Label).Append("</span></td><td>");
            foreach (var check in group.GroupBy(x => x.Check.Result.Id).Select(g => g.Key))
            {
                var worst = group.Where(x => x.Check.Result.Id == check).Select(x => x.Check.Result.Outcome).MaxBy(ReportData.Rank);
                html.Append("<a class=\"chip ").Append(Words.Css(worst)).Append("\" href=\"#").Append(Id("check", check)).Append("\">").Append(H(check)).Append("</a> ");
            }

            html.Append("</td><td class=\"tally\">");
            foreach (var outcome in Order)
            {
                var n = group.Count(x => x.Check.Result.Outcome == outcome);
                if (n > 0)
                {
                    html.Append("<span class=\"count ").Append(Words.Css(outcome)).Append("\">").Append(n).Append(' ').Append(Words.Outcome(outcome)).Append("</span> ");
                }
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</tbody></table>\n</section>\n");

        static (string Label, string Css) Status(List<Outcome> outcomes) =>
            outcomes.Contains(Outcome.Fail) ? ("violated", "fail")
            : outcomes.Contains(Outcome.Warning) ? ("weakened", "warn")
            : outcomes.Contains(Outcome.Pass) ? ("mitigated", "pass")
            : ("not tested", "na");
    }

    private void FindingsSection(StringBuilder html)
    {
        html.Append("<section id=\"findings\">\n<h2>Findings</h2>\n");
        var groups = data.Checks.GroupBy(c => (c.Target, c.Result.Id)).Select(g => g.ToList())
            .Where(g => g.Any(c => c.Result.Outcome is Outcome.Fail or Outcome.Warning or Outcome.Inconclusive))
            .ToList();
        var sections = new[]
        {
            (Outcome.Fail, "MUST failures", "Each broken MUST requirement, with what the server answered. Unless waived, each one fails the gate."),
            (Outcome.Warning, "SHOULD warnings", "Recommendations the server does not follow. They do not fail the gate."),
            (Outcome.Inconclusive, "Inconclusive", "Checks that could not reach the rule they test: nothing was learned about it."),
        };
        if (groups.Count == 0)
        {
            html.Append("<p class=\"lead\">No failure, no warning and nothing inconclusive.</p>\n");
        }

        foreach (var (outcome, heading, lead) in sections)
        {
            var inSection = groups.Where(g => g.Select(c => c.Result.Outcome).MaxBy(ReportData.Rank) == outcome)
                .OrderBy(g => g[0].Result.Severity).ThenBy(g => g[0].Result.Id, StringComparer.Ordinal).ToList();
            if (inSection.Count == 0)
            {
                continue;
            }

            html.Append("<h3 class=\"findings-head ").Append(Words.Css(outcome)).Append("\">").Append(H(heading)).Append(" <span class=\"muted\">(")
                .Append(inSection.Count).Append(inSection.Count == 1 ? " check" : " checks").Append(")</span></h3>\n<p class=\"lead\">").Append(H(lead)).Append("</p>\n");
            foreach (var group in inSection)
            {
                Finding(html, group);
            }
        }

        html.Append("</section>\n");
    }

    private void Finding(StringBuilder html, List<ReportCheck> group)
    {
        var first = group[0];
        var check = first.Result;
        var worst = group.Select(c => c.Result.Outcome).MaxBy(ReportData.Rank);
        html.Append("<article class=\"finding ").Append(Words.Css(worst)).Append("\" id=\"").Append(Id("finding", first.Target, check.Id)).Append("\">\n");
        Heading(html, first, worst, "h4");
        html.Append("<p class=\"req\">").Append(H(check.Requirement)).Append("</p>\n");
        References(html, check);
        if (worst == Outcome.Fail || worst == Outcome.Warning)
        {
            html.Append("<p class=\"remedy\"><b>Remediation.</b> ").Append(H(check.Remediation)).Append("</p>\n");
        }

        // The first server's evidence is open; the others (often the same exchange on another server) are folded,
        // which keeps the PDF to the point. Everything is in the HTML.
        var open = true;
        foreach (var item in group.OrderByDescending(c => ReportData.Rank(c.Result.Outcome)).ThenBy(c => ServerIndex(c)))
        {
            Verdict(html, item, open && item.Result.Outcome != Outcome.Pass);
            open = false;
        }

        html.Append("</article>\n");
    }

    private void Heading(StringBuilder html, ReportCheck first, Outcome outcome, string tag)
    {
        var check = first.Result;
        html.Append('<').Append(tag).Append(" class=\"check-head\"><span class=\"badge ").Append(Words.Css(outcome)).Append("\">").Append(H(Words.Outcome(outcome)))
            .Append("</span> <span class=\"cid\">").Append(H(check.Id)).Append("</span>")
            .Append(data.MultiTarget ? " <span class=\"muted\">on " + H(first.Target) + "</span>" : "")
            .Append(" <span class=\"level ").Append(check.Level == RequirementLevel.Must ? "must" : "should").Append("\">").Append(Words.Level(check.Level))
            .Append("</span> <span class=\"sev sev-").Append(Words.Severity(check.Severity)).Append("\">").Append(Words.Severity(check.Severity))
            .Append("</span> <span class=\"area\">").Append(H(check.Area)).Append("</span></").Append(tag).Append(">\n");
    }

    private static void References(StringBuilder html, RunCheck check)
    {
        html.Append("<p class=\"refs\"><b>Specification</b> ");
        html.Append(string.Join(", ", check.Specs.Select(s => Link(s.Url, s.Reference))));
        if (check.Threats.Count > 0)
        {
            html.Append(" &nbsp; <b>Threats</b> ").Append(string.Join(", ", check.Threats.Select(s => Link(s.Url, s.Reference))));
        }

        html.Append(" &nbsp; <b>Applies to</b> ").Append(H(check.Applicability)).Append("</p>\n");
    }

    /// <summary>One server's verdict: message, expected versus observed, notes, waiver, and the evidence.</summary>
    private void Verdict(StringBuilder html, ReportCheck item, bool openEvidence)
    {
        var r = item.Result;
        var where = data.ServerLabel(item.Target, r.Server);
        var waiver = gate.Waived.FirstOrDefault(w => w.Check == r.Id && w.Where == where);
        html.Append("<div class=\"verdict ").Append(Words.Css(r.Outcome)).Append("\">\n<div class=\"verdict-head\"><span class=\"badge ").Append(Words.Css(r.Outcome)).Append("\">")
            .Append(H(Words.Outcome(r.Outcome))).Append("</span> <b>").Append(H(where)).Append("</b> <span class=\"muted\">").Append(H(Duration(TimeSpan.FromMilliseconds(r.DurationMs))))
            .Append("</span></div>\n");
        if (waiver is not null)
        {
            html.Append("<p class=\"waived\"><b>Waived</b> until ").Append(H(waiver.Waiver.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))
                .Append(": ").Append(H(waiver.Waiver.Reason)).Append("</p>\n");
        }

        if (r.Expected is not null || r.Observed is not null)
        {
            html.Append("<div class=\"eo\"><div class=\"expected\"><span>Expected</span>").Append(H(r.Expected ?? "–"))
                .Append("</div><div class=\"observed\"><span>Observed</span>").Append(H(r.Observed ?? "–")).Append("</div></div>\n");
        }
        else if (r.Outcome != Outcome.Pass)
        {
            html.Append("<p class=\"message\">").Append(H(r.Message)).Append("</p>\n");
        }

        if (r.Notes.Count > 0)
        {
            html.Append("<ul class=\"notes\">");
            foreach (var note in r.Notes)
            {
                html.Append("<li>").Append(H(note)).Append("</li>");
            }

            html.Append("</ul>\n");
        }

        evidence.Write(html, r.Exchanges, r.Tokens, r.Attachments, openEvidence);
        html.Append("</div>\n");
    }

    /// <summary>Servers in the order the target lists them (org, default, second), target-wide checks last.</summary>
    private int ServerIndex(ReportCheck check) => ServerIndex(check.Target, check.Result.Server);

    private int ServerIndex(string target, string? server)
    {
        if (server is null)
        {
            return int.MaxValue;
        }

        var servers = data.Targets.FirstOrDefault(t => t.Name == target)?.Servers ?? [];
        var index = servers.ToList().FindIndex(s => s.Name == server);
        return index < 0 ? int.MaxValue - 1 : index;
    }
}
