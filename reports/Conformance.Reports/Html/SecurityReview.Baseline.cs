using System.Globalization;
using System.Text;
using static Conformance.Reports.Html.Markup;

namespace Conformance.Reports.Html;

/// <summary>The gate section's comparison with the baseline: what failed anew, what is no longer tested, what was fixed, what is newly tested.</summary>
public sealed partial class SecurityReview
{
    /// <summary>The comparison with an earlier run; null when the run was not compared.</summary>
    public BaselineComparison? Baseline { get; init; }

    private void BaselineBlock(StringBuilder html)
    {
        if (Baseline is not { } baseline)
        {
            return;
        }

        html.Append("<h3 id=\"baseline\">Compared with the baseline</h3>\n<p class=\"lead\">").Append(H(baseline.Counts()))
            .Append(". A new failure, or a check that passed in the baseline and is now inconclusive, not applicable or absent (coverage lost), ")
            .Append("fails the gate unless a current waiver covers the check.</p>\n<ul class=\"notes\">");
        foreach (var file in baseline.Files)
        {
            html.Append("<li>baseline <span class=\"mono\">").Append(H(file.Path)).Append("</span>: run ").Append(H(file.Run.RunId)).Append(" of ")
                .Append(H(file.Run.Target.Name)).Append(", ").Append(H(Time(file.Run.StartedAt))).Append("</li>");
        }

        foreach (var note in baseline.NotCompared)
        {
            html.Append("<li>not compared: ").Append(H(note)).Append("</li>");
        }

        html.Append("</ul>\n");
        if (baseline.Changes.Count == 0)
        {
            html.Append("<p>No verdict changed between the baseline and this run.</p>\n");
            return;
        }

        html.Append("<table class=\"grid\"><thead><tr><th>Change</th><th>What</th><th>Where</th><th>Baseline → now</th><th>This run observed</th><th>Gate</th></tr></thead><tbody>\n");
        foreach (var change in baseline.Changes)
        {
            var css = change.Kind switch
            {
                BaselineChangeKind.NewFailure => "fail",
                BaselineChangeKind.CoverageLost => "inc",
                _ => "pass",
            };
            var verdict = !change.Gating ? "<span class=\"muted\">reported</span>"
                : change.AcceptedBy is { } w ? $"<span class=\"badge waived\">waived</span> until {H(w.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}: {H(w.Reason)}"
                : "<span class=\"badge fail\">fails the gate</span>";
            html.Append("<tr><td><span class=\"badge ").Append(css).Append("\">").Append(H(change.Label)).Append("</span></td><td class=\"cid\">").Append(H(change.Subject))
                .Append("</td><td>").Append(H(change.Where)).Append("</td><td>").Append(H($"{BaselineChange.Name(change.Before)} → {BaselineChange.Name(change.Now)}"))
                .Append("</td><td>").Append(H(change.Now is null ? "no verdict in this run" : change.Message)).Append("</td><td>").Append(verdict).Append("</td></tr>\n");
        }

        html.Append("</tbody></table>\n");
    }
}
