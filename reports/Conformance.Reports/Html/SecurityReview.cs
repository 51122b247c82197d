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
public sealed class SecurityReview(ReportData data, GateVerdict gate, IReadOnlyList<Waiver> waivers, Attachments attachments)
{
    /// <summary>Bodies of findings are shown up to this length; passed checks' bodies are cut shorter.</summary>
    public int FindingBodyLimit { get; init; } = 12_000;

    public int PassBodyLimit { get; init; } = 2_000;

    public string Title { get; init; } = "OAuth 2.0 / OpenID Connect conformance: security review";

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
            .Append(Css).Append("</style>\n</head>\n<body>\n");

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
        var reasons = gate.Problems.GroupBy(p => p.Label).Select(g => $"{g.Count()} {g.Key}{(g.Count() == 1 ? "" : "s")}").ToList();
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

        Evidence(html, r.Exchanges, r.Tokens, r.Attachments, openEvidence);
        html.Append("</div>\n");
    }

    private void Evidence(StringBuilder html, IReadOnlyList<HttpExchange> exchanges, IReadOnlyList<DecodedToken> tokens, IReadOnlyList<string> files, bool open)
    {
        var limit = open ? FindingBodyLimit : PassBodyLimit;
        if (exchanges.Count > 0)
        {
            html.Append("<details class=\"evidence\"").Append(open ? " open" : "").Append("><summary>HTTP exchanges (").Append(exchanges.Count).Append(", redacted)</summary>\n");
            var n = 0;
            foreach (var x in exchanges.OrderBy(e => e.Sequence))
            {
                Exchange(html, x, ++n, limit);
            }

            html.Append("</details>\n");
        }

        if (tokens.Count > 0)
        {
            html.Append("<details class=\"evidence\"").Append(open ? " open" : "").Append("><summary>Decoded tokens (").Append(tokens.Count).Append(", signature and compact form never kept)</summary>\n");
            foreach (var token in tokens)
            {
                html.Append("<div class=\"token\"><div class=\"token-head\"><b>").Append(H(token.Label)).Append("</b> <span class=\"mono muted\">").Append(H(token.Fingerprint)).Append("</span></div>");
                if (token.Header is null && token.Claims is null)
                {
                    html.Append("<p class=\"muted\">not a JWT (opaque token): fingerprint only</p>");
                }
                else
                {
                    html.Append("<div class=\"two\"><div><span class=\"cap\">header</span><pre class=\"json\">").Append(H(Pretty(token.Header)))
                        .Append("</pre></div><div><span class=\"cap\">claims</span><pre class=\"json\">").Append(H(Pretty(token.Claims))).Append("</pre></div></div>");
                }

                html.Append("</div>\n");
            }

            html.Append("</details>\n");
        }

        var screenshots = files.Where(Attachments.IsPng).ToList();
        foreach (var file in screenshots)
        {
            var (bytes, problem) = attachments.ReadPng(file);
            html.Append("<figure class=\"shot\">");
            if (bytes is not null)
            {
                html.Append("<img alt=\"screenshot ").Append(H(Path.GetFileName(file))).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(bytes)).Append("\">");
            }

            html.Append("<figcaption>Screenshot ").Append(H(Path.GetFileName(file))).Append(problem is null ? "" : " (not embedded: " + H(problem) + ")").Append("</figcaption></figure>\n");
        }

        var others = files.Where(f => !Attachments.IsPng(f)).Select(Path.GetFileName).ToList();
        if (others.Count > 0)
        {
            html.Append("<p class=\"files muted\">Evidence files: ").Append(H(string.Join(", ", others))).Append("</p>\n");
        }
    }

    private static void Exchange(StringBuilder html, HttpExchange x, int n, int limit)
    {
        var status = x.Status is { } s ? $"<span class=\"status s{s / 100}\">{s}</span>" : "<span class=\"status s5\">no response</span>";
        html.Append("<div class=\"x\"><div class=\"x-head\"><span class=\"seq\">").Append(n).Append("</span> <span class=\"method\">").Append(H(x.Method))
            .Append("</span> <span class=\"url\">").Append(H(x.Url)).Append("</span> ").Append(status).Append(" <span class=\"muted\">")
            .Append(H(Duration(x.Duration))).Append("</span></div>\n<pre class=\"http req\">");
        foreach (var (name, value) in x.RequestHeaders)
        {
            html.Append("<b>").Append(H(name)).Append(":</b> ").Append(H(value)).Append('\n');
        }

        if (!string.IsNullOrEmpty(x.RequestBody))
        {
            html.Append('\n').Append(H(Truncate(Pretty(x.RequestBody), limit)));
        }

        html.Append("</pre>\n<pre class=\"http res\">");
        if (x.Status is null)
        {
            html.Append(H("no response: " + x.Failure));
        }
        else
        {
            html.Append("<b>HTTP ").Append(x.Status).Append("</b>\n");
            foreach (var (name, value) in x.ResponseHeaders)
            {
                html.Append("<b>").Append(H(name)).Append(":</b> ").Append(H(value)).Append('\n');
            }

            if (!string.IsNullOrEmpty(x.ResponseBody))
            {
                html.Append('\n').Append(H(Truncate(Pretty(x.ResponseBody), limit)));
            }
        }

        html.Append("</pre></div>\n");
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

    private void CatalogueSection(StringBuilder html)
    {
        html.Append("<section id=\"catalogue\">\n<h2>All checks</h2>\n<p class=\"lead\">Every check of the catalogue that ran, with its verdict on each server. ")
            .Append("Evidence of passed checks is folded: open the HTML file to read it.</p>\n");
        var columns = data.Checks.Select(c => (c.Target, c.Result.Server)).Distinct()
            .OrderBy(c => c.Target, StringComparer.Ordinal).ThenBy(c => ServerIndex(c.Target, c.Server)).ToList();
        var checks = data.Checks.GroupBy(c => c.Result.Id).OrderBy(g => g.First().Result.Area, StringComparer.Ordinal).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();

        html.Append("<table class=\"grid matrix\"><thead><tr><th>Check</th><th>Level</th>");
        foreach (var (target, server) in columns)
        {
            html.Append("<th class=\"c\">").Append(H(data.ServerLabel(target, server))).Append("</th>");
        }

        html.Append("</tr></thead><tbody>\n");
        string? area = null;
        foreach (var group in checks)
        {
            var first = group.First().Result;
            if (first.Area != area)
            {
                area = first.Area;
                html.Append("<tr class=\"area-row\"><td colspan=\"").Append(columns.Count + 2).Append("\">").Append(H(area)).Append("</td></tr>\n");
            }

            html.Append("<tr><td><a href=\"#").Append(Id("check", first.Id)).Append("\" class=\"cid\">").Append(H(first.Id)).Append("</a> <span class=\"req-short\">")
                .Append(H(first.Requirement)).Append("</span></td><td>").Append(Words.Level(first.Level)).Append("</td>");
            foreach (var (target, server) in columns)
            {
                var cell = group.FirstOrDefault(c => c.Target == target && c.Result.Server == server);
                html.Append(cell is null
                    ? "<td class=\"c muted\">–</td>"
                    : $"<td class=\"c\"><span class=\"dot {Words.Css(cell.Result.Outcome)}\" title=\"{H(Words.Outcome(cell.Result.Outcome))}\">{H(Short(cell.Result.Outcome))}</span></td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody></table>\n<h3>Check details</h3>\n");
        foreach (var group in checks)
        {
            var items = group.ToList();
            var first = items[0];
            var worst = items.Select(c => c.Result.Outcome).MaxBy(ReportData.Rank);
            html.Append("<article class=\"check\" id=\"").Append(Id("check", first.Result.Id)).Append("\">\n");
            Heading(html, first, worst, "h4");
            html.Append("<p class=\"req\">").Append(H(first.Result.Requirement)).Append("</p>\n");
            References(html, first.Result);
            html.Append("<ul class=\"per-server\">");
            foreach (var item in items.Where(i => i.Result.Outcome is not (Outcome.Pass or Outcome.NotApplicable)).OrderBy(ServerIndex))
            {
                html.Append("<li><span class=\"badge ").Append(Words.Css(item.Result.Outcome)).Append("\">").Append(H(Words.Outcome(item.Result.Outcome))).Append("</span> <b>")
                    .Append(H(data.ServerLabel(item.Target, item.Result.Server))).Append("</b> <a href=\"#").Append(Id("finding", item.Target, item.Result.Id)).Append("\">see the finding</a></li>");
            }

            foreach (var item in items.Where(i => i.Result.Outcome is Outcome.Pass or Outcome.NotApplicable).OrderBy(ServerIndex))
            {
                var r = item.Result;
                html.Append("<li><span class=\"badge ").Append(Words.Css(r.Outcome)).Append("\">").Append(H(Words.Outcome(r.Outcome))).Append("</span> <b>")
                    .Append(H(data.ServerLabel(item.Target, r.Server))).Append("</b>");
                if (r.Outcome == Outcome.NotApplicable)
                {
                    html.Append(" <span class=\"muted\">").Append(H(r.Message)).Append("</span>");
                }

                foreach (var note in r.Notes)
                {
                    html.Append("<span class=\"note\">note: ").Append(H(note)).Append("</span>");
                }

                if (r.Exchanges.Count > 0 || r.Tokens.Count > 0 || r.Attachments.Any(Attachments.IsPng))
                {
                    Evidence(html, r.Exchanges, r.Tokens, r.Attachments.Where(Attachments.IsPng).ToList(), open: false);
                }

                html.Append("</li>");
            }

            html.Append("</ul>\n</article>\n");
        }

        html.Append("</section>\n");

        static string Short(Outcome o) => o switch
        {
            Outcome.Pass => "✓",
            Outcome.Fail => "✗",
            Outcome.Warning => "!",
            Outcome.NotApplicable => "n/a",
            _ => "?",
        };
    }

    private void FlowSection(StringBuilder html)
    {
        html.Append("<section id=\"flows\">\n<h2>End-to-end flows</h2>\n");
        if (data.Flows.Count == 0)
        {
            html.Append("<p class=\"lead\">No flow test is in these results.</p>\n</section>\n");
            return;
        }

        html.Append("<p class=\"lead\">Each OAuth 2.0 / OpenID Connect flow driven end to end, per server and login driver.</p>\n");
        foreach (var flow in data.Flows.OrderByDescending(f => ReportData.Rank(f.Result.Outcome)).ThenBy(f => f.Result.Name, StringComparer.Ordinal))
        {
            var r = flow.Result;
            var bad = r.Outcome is Outcome.Fail or Outcome.Inconclusive or Outcome.Warning;
            html.Append("<div class=\"flow\"><div class=\"verdict-head\"><span class=\"badge ").Append(Words.Css(r.Outcome)).Append("\">").Append(H(Words.Outcome(r.Outcome)))
                .Append("</span> <b>").Append(H(r.Name)).Append("</b>").Append(data.MultiTarget ? " <span class=\"muted\">on " + H(flow.Target) + "</span>" : "")
                .Append(" <span class=\"muted\">").Append(H(string.Join(" ", r.Categories))).Append(" · ").Append(H(Duration(TimeSpan.FromMilliseconds(r.DurationMs)))).Append("</span></div>");
            if (!string.IsNullOrWhiteSpace(r.Message))
            {
                html.Append("<pre class=\"message\">").Append(H(Truncate(r.Message, 4000))).Append("</pre>");
            }

            Evidence(html, r.Exchanges, [], r.Attachments, open: bad);
            html.Append("</div>\n");
        }

        html.Append("</section>\n");
    }

    private void GateSection(StringBuilder html)
    {
        html.Append("<section id=\"gate\">\n<h2>Gate and waivers</h2>\n");
        GateBanner(html);
        if (gate.Problems.Count > 0)
        {
            html.Append("<table class=\"grid\"><thead><tr><th>Why</th><th>What</th><th>Where</th><th>Detail</th></tr></thead><tbody>\n");
            foreach (var p in gate.Problems)
            {
                html.Append("<tr><td><span class=\"badge fail\">").Append(H(p.Label)).Append("</span></td><td class=\"cid\">").Append(H(p.Subject)).Append("</td><td>")
                    .Append(H(p.Where)).Append("</td><td>").Append(H(p.Detail)).Append("</td></tr>\n");
            }

            html.Append("</tbody></table>\n");
        }

        html.Append("<h3>Waivers</h3>\n");
        if (waivers.Count == 0)
        {
            html.Append("<p class=\"lead\">No waivers file was given: every MUST failure counts.</p>\n");
        }
        else
        {
            html.Append("<table class=\"grid\"><thead><tr><th>Check</th><th>Scope</th><th>Reason</th><th>Expires</th><th>State</th></tr></thead><tbody>\n");
            foreach (var w in waivers)
            {
                var problem = gate.Problems.FirstOrDefault(p => p.Kind is GateProblemKind.ExpiredWaiver or GateProblemKind.StaleWaiver && p.Subject == w.Check && p.Where == w.Scope);
                var used = gate.Waived.Where(x => x.Waiver == w).Select(x => x.Where).ToList();
                var unused = gate.Unused.FirstOrDefault(u => u.Waiver == w);
                var state = problem is not null ? $"<span class=\"badge fail\">{H(problem.Label)}</span> {H(problem.Detail)}"
                    : used.Count > 0 ? $"<span class=\"badge waived\">in use</span> covers {H(string.Join(", ", used))}"
                    : $"<span class=\"badge na\">unused</span> {H(unused?.Why ?? "")}";
                html.Append("<tr><td class=\"cid\">").Append(H(w.Check)).Append("</td><td>").Append(H(w.Scope)).Append("</td><td>").Append(H(w.Reason)).Append("</td><td>")
                    .Append(H(w.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).Append("</td><td>").Append(state).Append("</td></tr>\n");
            }

            html.Append("</tbody></table>\n");
        }

        html.Append("</section>\n");
    }

    private static void About(StringBuilder html) =>
        html.Append("<section id=\"about\">\n<h2>Reading this report</h2>\n<dl class=\"about\">")
            .Append("<dt><span class=\"badge pass\">pass</span></dt><dd>The server did what the requirement says.</dd>")
            .Append("<dt><span class=\"badge fail\">fail</span></dt><dd>A MUST requirement was broken. It fails the gate unless a current waiver covers it.</dd>")
            .Append("<dt><span class=\"badge warn\">warning</span></dt><dd>A SHOULD requirement was not followed. Reported; the gate stays green.</dd>")
            .Append("<dt><span class=\"badge na\">not applicable</span></dt><dd>The target does not offer what the check is about (the reason is given).</dd>")
            .Append("<dt><span class=\"badge inc\">inconclusive</span></dt><dd>A step before the rule failed, or the server was unreachable or rate limited: the rule was not tested.</dd>")
            .Append("<dt>Evidence</dt><dd>Every HTTP exchange a check made is shown as recorded, after redaction: passwords, client secrets and one-time codes are masked as <code>***</code>; ")
            .Append("tokens, codes and session tokens are replaced by a fingerprint <code>[sha256:…]</code> so two exchanges can be matched; JWTs are shown decoded (header and claims), never whole. ")
            .Append("Everything the target sent is shown as text; nothing from it is rendered as markup.</dd>")
            .Append("<dt>Gate</dt><dd>Fails on a MUST failure that no current waiver covers, on a failed end-to-end flow, on an expired waiver, and on a stale waiver (its check now passes: remove it).</dd>")
            .Append("</dl>\n<p class=\"muted\">Generated by Conformance.Reports at ").Append(H(Time(DateTimeOffset.UtcNow))).Append(".</p>\n</section>\n");

    private const string Css = """

:root{--fail:#b3261e;--fail-bg:#fdecea;--warn:#a15c00;--warn-bg:#fff4e0;--pass:#1e7b34;--pass-bg:#e8f5e9;--na:#5f6368;--na-bg:#eef0f2;--inc:#5b3fa8;--inc-bg:#efeafb;--waived:#00658f;--waived-bg:#e1f3fb;--ink:#1d232a;--muted:#5f6873;--line:#d9dee4;--paper:#fff;--tint:#f6f8fa}
*{box-sizing:border-box}
html{font:14px/1.5 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","DejaVu Sans",sans-serif;color:var(--ink);background:var(--paper)}
body{max-width:1180px;margin:0 auto;padding:24px 28px 60px}
a{color:#0b57d0;text-decoration:none}a:hover{text-decoration:underline}
h1{font-size:28px;margin:4px 0 14px;line-height:1.2}h1 .pre{font-weight:400;color:var(--muted)}
h2{font-size:20px;margin:36px 0 10px;padding-bottom:6px;border-bottom:2px solid var(--ink)}
h3{font-size:16px;margin:24px 0 8px}
h4{font-size:14px;margin:16px 0 6px}
.kicker{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:var(--muted);margin:0}
.lead{color:var(--muted);margin:4px 0 12px;max-width:62em}
.muted{color:var(--muted)}
.mono,code,pre,.cid,.url{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace}
code{font-size:12px;background:var(--tint);padding:0 3px;border-radius:3px}
.cover{border-bottom:1px solid var(--line);padding-bottom:16px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:14px 0 0}
.facts dt{font-weight:600;color:var(--muted)}.facts dd{margin:0;overflow-wrap:anywhere}
.fault{color:var(--warn)}dd.fault{background:var(--warn-bg);padding:2px 8px;border-radius:4px}
.gate{display:flex;gap:14px;align-items:baseline;flex-wrap:wrap;padding:12px 16px;border-radius:8px;font-size:15px;margin:8px 0}
.gate strong{font-size:18px;text-transform:uppercase;letter-spacing:.03em}
.gate-pass{background:var(--pass-bg);border:1px solid var(--pass);color:var(--pass)}
.gate-fail{background:var(--fail-bg);border:1px solid var(--fail);color:var(--fail)}
.gate span{color:var(--ink)}
.toc{margin:14px 0 0;padding:8px 0;font-size:13px;display:flex;flex-wrap:wrap;gap:4px 14px;border-bottom:1px solid var(--line)}
table.grid{border-collapse:collapse;width:100%;margin:6px 0 12px}
.grid th,.grid td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
.grid thead th{background:var(--tint);font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);border-bottom:1px solid #b9c0c8}
.grid tfoot td{font-weight:600;border-top:2px solid #b9c0c8}
.grid.small{font-size:12.5px}.grid.clients{width:auto;min-width:55%}
.grid .n,.grid .c{text-align:center;white-space:nowrap}
.grid td.mono{font-size:12.5px;overflow-wrap:anywhere}
.zero{color:#b0b6bd}
.two{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.two>div{min-width:0}
.badge{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;padding:1px 7px;border-radius:10px;border:1px solid;white-space:nowrap}
.count{display:inline-block;min-width:24px;padding:0 7px;border-radius:10px;font-weight:700;font-size:12.5px}
.pass{--c:var(--pass);--b:var(--pass-bg)}.fail{--c:var(--fail);--b:var(--fail-bg)}.warn{--c:var(--warn);--b:var(--warn-bg)}.na{--c:var(--na);--b:var(--na-bg)}.inc{--c:var(--inc);--b:var(--inc-bg)}.waived{--c:var(--waived);--b:var(--waived-bg)}
.badge,.count,.chip,.dot{color:var(--c);background:var(--b);border-color:var(--c)}
.chip{display:inline-block;font:600 12px/1.6 "SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;padding:0 6px;border-radius:4px;border:1px solid;margin:1px 0}
.dot{display:inline-block;min-width:30px;font-size:12px;font-weight:700;border-radius:4px;padding:0 4px}
.threat-summary .count{margin-right:4px}
.tally .count{margin:1px 2px 1px 0;font-weight:600}
.matrix td{padding:3px 8px}.matrix .area-row td{background:var(--tint);font-weight:700;text-transform:uppercase;font-size:11.5px;letter-spacing:.05em;color:var(--muted);padding-top:8px}
.req-short{color:var(--muted);font-size:12.5px}
.cid{font-weight:700}
.level{font-size:11px;font-weight:700;padding:1px 6px;border-radius:3px;background:var(--ink);color:#fff}.level.should{background:#6b7280}
.sev{font-size:11px;padding:1px 6px;border-radius:3px;border:1px solid var(--line);color:var(--muted);text-transform:uppercase}
.sev-critical{color:#fff;background:#7f1d1d;border-color:#7f1d1d}.sev-high{color:var(--fail);border-color:var(--fail)}
.area{font-size:12px;color:var(--muted)}.area::before{content:"area: "}
.findings-head{padding:6px 10px;border-radius:6px;background:var(--b);color:var(--c);margin-top:28px}
.finding,.check{border:1px solid var(--line);border-left:5px solid var(--c,var(--line));border-radius:6px;padding:10px 16px 12px;margin:12px 0;background:#fff}
.check{--c:var(--line)}
.check-head{margin:0 0 6px;display:flex;flex-wrap:wrap;gap:6px;align-items:center;font-size:15px}
.req{font-size:14.5px;margin:4px 0 6px;font-weight:500}
.refs{font-size:12.5px;color:var(--muted);margin:4px 0}
.refs b,.see{color:var(--ink)}
.see{font-size:12.5px;margin:2px 0}
.remedy{background:#f2f7ff;border:1px solid #c9dcf7;border-radius:5px;padding:6px 10px;margin:8px 0}
.verdict{border-top:1px dashed var(--line);padding:8px 0 2px;margin-top:8px}
.verdict-head{margin-bottom:6px}
.eo{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin:6px 0}
.eo>div{padding:6px 10px;border-radius:5px;overflow-wrap:anywhere;min-width:0}
.eo span{display:block;font-size:11px;text-transform:uppercase;font-weight:700;letter-spacing:.05em;margin-bottom:2px}
.expected{background:var(--pass-bg)}.expected span{color:var(--pass)}
.observed{background:var(--fail-bg)}.observed span{color:var(--fail)}
.verdict.warn .observed{background:var(--warn-bg)}.verdict.warn .observed span{color:var(--warn)}
.waived{background:var(--waived-bg);color:var(--waived);padding:4px 10px;border-radius:5px;margin:4px 0}
.message{margin:4px 0;white-space:pre-wrap;overflow-wrap:anywhere}
pre.message{font-size:12px;background:var(--tint);padding:6px 8px;border-radius:4px}
ul.notes{margin:4px 0;padding-left:20px;font-size:13px;color:var(--muted)}
details.evidence{margin:6px 0}
details.evidence>summary{cursor:pointer;font-size:12.5px;font-weight:600;color:#0b57d0}
.x{margin:6px 0 10px;border:1px solid var(--line);border-radius:5px;overflow:hidden}
.x-head{background:var(--tint);padding:4px 8px;font-size:12.5px;overflow-wrap:anywhere;border-bottom:1px solid var(--line)}
.seq{display:inline-block;min-width:18px;text-align:center;background:#fff;border:1px solid var(--line);border-radius:9px;font-size:11px}
.method{font-weight:700}.url{font-size:12px}
.status{font-weight:700;padding:0 5px;border-radius:3px}.s2{color:var(--pass);background:var(--pass-bg)}.s3{color:#00658f;background:#e1f3fb}.s4{color:var(--warn);background:var(--warn-bg)}.s5{color:var(--fail);background:var(--fail-bg)}
pre.http,pre.json{margin:0;padding:6px 10px;font-size:11.5px;line-height:1.45;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
pre.http.req{border-bottom:1px dashed var(--line)}pre.http.res{background:#fcfcfd}
pre.http b{color:#4a5360;font-weight:600}
pre.json{background:var(--tint);border-radius:4px}
.token{border:1px solid var(--line);border-radius:5px;padding:6px 10px;margin:6px 0}
.token-head{margin-bottom:4px;font-size:13px}
.cap{font-size:11px;text-transform:uppercase;color:var(--muted);font-weight:700}
.shot{margin:8px 0}.shot img{max-width:100%;border:1px solid var(--line);border-radius:4px}.shot figcaption{font-size:12px;color:var(--muted)}
.files{font-size:12px;overflow-wrap:anywhere}
ul.per-server{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:4px 18px;align-items:baseline}
ul.per-server>li{padding:2px 0;display:flex;flex-wrap:wrap;gap:4px 8px;align-items:baseline;max-width:100%;min-width:0;overflow-wrap:anywhere}
ul.per-server .note{flex-basis:100%;color:var(--muted);font-size:12.5px;padding-left:4px}
ul.per-server>li:has(.note){flex-basis:100%}
ul.per-server details.evidence{margin:0}ul.per-server details.evidence[open]{flex-basis:100%}
ul.per-server>li:has(details[open]){flex-basis:100%}
.flow{border-bottom:1px solid var(--line);padding:6px 0}
dl.about{display:grid;grid-template-columns:max-content 1fr;gap:6px 14px}dl.about dd{margin:0}
svg.chart{max-width:100%;height:auto;font-family:inherit}
@media (max-width:560px){.two,.eo{grid-template-columns:1fr}}
@page{size:A4;margin:14mm 11mm 14mm 11mm}
@media print{
 html{font-size:11.5px}body{max-width:none;padding:0}
 .toc{display:none}
 h2{break-after:avoid}h3,h4,.check-head,.verdict-head,.x-head{break-after:avoid}
 #findings,#catalogue{break-before:page}
 #areas{break-inside:avoid}
 ul.per-server details.evidence:not([open]){display:none}
 .finding,.check{break-inside:auto}
 .eo,.remedy,.token,tr,.shot{break-inside:avoid}
 a{color:inherit}
 details.evidence:not([open])>summary::after{content:" (folded here; open the HTML report to read them)";color:var(--muted);font-weight:400}
 .badge,.count,.chip,.dot,.level,.sev,.gate,.findings-head,.eo>div,.waived,.remedy,.grid thead th,.area-row td,.s2,.s3,.s4,.s5{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}

""";
}
