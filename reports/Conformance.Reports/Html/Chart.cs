using System.Globalization;
using System.Text;
using static Conformance.Reports.Html.Markup;

namespace Conformance.Reports.Html;

/// <summary>Inline SVG charts: no script, no font download, prints as vectors.</summary>
internal static class Chart
{
    private static readonly Dictionary<string, string> Colors = new()
    {
        ["pass"] = "#2e8540",
        ["fail"] = "#c62828",
        ["warn"] = "#e08a00",
        ["na"] = "#aab1b9",
        ["inc"] = "#7b61c9",
    };

    /// <summary>One horizontal bar per row, stacked by series, with the count written in each segment wide enough for it.</summary>
    public static string StackedBars(IReadOnlyList<(string Label, int[] Counts)> rows, IReadOnlyList<(string Name, string Css)> series)
    {
        const int labelWidth = 170, barWidth = 660, totalWidth = 50, rowHeight = 24, barHeight = 16, top = 34;
        var width = labelWidth + barWidth + totalWidth;
        var height = top + (rows.Count * rowHeight) + 10;
        var max = Math.Max(1, rows.Select(r => r.Counts.Sum()).DefaultIfEmpty(0).Max());
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Results by area\">");

        // Legend.
        var x = labelWidth;
        foreach (var (name, css) in series)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" rx=\"2\" fill=\"{Colors[css]}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 17}\" y=\"16.5\" font-size=\"12\" fill=\"#3c4650\">{H(name)}</text>");
            x += 30 + (int)(name.Length * 6.6);
        }

        // Grid lines at quarters of the largest bar.
        for (var q = 0; q <= 4; q++)
        {
            var gx = labelWidth + (barWidth * q / 4.0);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{gx:0.#}\" y1=\"{top - 6}\" x2=\"{gx:0.#}\" y2=\"{height - 8}\" stroke=\"#e3e7eb\" stroke-width=\"1\"/>");
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var (label, counts) = rows[i];
            var y = top + (i * rowHeight);
            var textY = y + (barHeight / 2.0) + 4.5;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 10}\" y=\"{textY:0.#}\" font-size=\"12.5\" text-anchor=\"end\" fill=\"#1d232a\">{H(label)}</text>");
            double offset = labelWidth;
            for (var s = 0; s < series.Count && s < counts.Length; s++)
            {
                if (counts[s] == 0)
                {
                    continue;
                }

                var w = barWidth * counts[s] / (double)max;
                var color = Colors[series[s].Css];
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{offset:0.##}\" y=\"{y}\" width=\"{w:0.##}\" height=\"{barHeight}\" fill=\"{color}\"><title>{H(label)}: {counts[s]} {H(series[s].Name)}</title></rect>");
                if (w >= 18)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{offset + (w / 2):0.##}\" y=\"{textY - 0.5:0.#}\" font-size=\"11\" font-weight=\"700\" text-anchor=\"middle\" fill=\"#fff\">{counts[s]}</text>");
                }

                offset += w;
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{offset + 6:0.##}\" y=\"{textY:0.#}\" font-size=\"12\" fill=\"#5f6873\">{counts.Sum()}</text>");
        }

        return svg.Append("</svg>").ToString();
    }
}
