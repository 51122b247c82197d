using System.Globalization;
using System.Text;
using Conformance.Harness.Checks;
using static Conformance.Reports.Html.Markup;

namespace Conformance.Reports.Html;

/// <summary>The review's reference sections, after the findings: every check per server, the flows, the gate and its waivers, and how to read the report.</summary>
public sealed partial class SecurityReview
{
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
                    evidence.Write(html, r.Exchanges, r.Tokens, r.Attachments.Where(Attachments.IsPng).ToList(), open: false);
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

            evidence.Write(html, r.Exchanges, [], r.Attachments, open: bad);
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

        NotTestedTable(html);
        BaselineBlock(html);
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
            .Append("<dt>Gate</dt><dd>Fails on a MUST failure that no current waiver covers, on a failed end-to-end flow, on an expired waiver, and on a stale waiver (its check now passes: remove it). ")
            .Append("Compared with a baseline run, it also fails on a new failure and on lost coverage (a check that passed there is inconclusive, not applicable or absent here) that no current waiver covers.</dd>")
            .Append("</dl>\n<p class=\"muted\">Generated by Conformance.Reports at ").Append(H(Time(DateTimeOffset.UtcNow))).Append(".</p>\n</section>\n");

    /// <summary>What the run did not test, grouped by why: lost coverage must be as visible as a failure.</summary>
    private void NotTestedTable(StringBuilder html)
    {
        html.Append("<h3>Not tested</h3>\n");
        if (gate.NotTested.Count == 0)
        {
            html.Append("<p class=\"lead\">Every check and flow that ran reached its verdict: nothing was left inconclusive.</p>\n");
            return;
        }

        html.Append("<p class=\"lead\">").Append(gate.NotTested.Count).Append(" verdicts tested nothing (").Append(gate.NotTested.Count(n => n.Must))
            .Append(" of them MUST checks or flows). A rule not tested is not a rule passed.</p>\n")
            .Append("<table class=\"grid small\"><thead><tr><th class=\"n\">Verdicts</th><th>Why</th><th>Which</th></tr></thead><tbody>\n");
        foreach (var group in gate.NotTested.GroupBy(n => n.Reason).OrderByDescending(g => g.Count()))
        {
            html.Append("<tr><td class=\"n\">").Append(group.Count()).Append("</td><td>").Append(H(group.Key)).Append("</td><td class=\"mono\">")
                .Append(H(string.Join(", ", group.Select(n => n.Where.Length == 0 ? n.Subject : $"{n.Subject} on {n.Where}")))).Append("</td></tr>\n");
        }

        html.Append("</tbody></table>\n");
    }
}
