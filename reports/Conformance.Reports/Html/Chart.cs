using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Conformance.Reports.Html;

/// <summary>
/// Inline SVG bars: no script, no font download, prints as vectors. Built as a render tree rather than in a .razor
/// file because SVG's &lt;text&gt; element is a reserved word in Razor; labels (area names come from the results)
/// are still added as content, so the renderer escapes them.
/// </summary>
public sealed class Chart : ComponentBase
{
    private static readonly Dictionary<string, string> Colors = new()
    {
        ["pass"] = "#2e8540",
        ["fail"] = "#c62828",
        ["warn"] = "#e08a00",
        ["na"] = "#aab1b9",
        ["inc"] = "#7b61c9",
    };

    /// <summary>One horizontal bar per row, stacked by series.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<(string Label, int[] Counts)> Rows { get; set; } = [];

    [Parameter, EditorRequired]
    public IReadOnlyList<(string Name, string Css)> Series { get; set; } = [];

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        const int labelWidth = 170, barWidth = 660, totalWidth = 50, rowHeight = 24, barHeight = 16, top = 34;
        var width = labelWidth + barWidth + totalWidth;
        var height = top + (Rows.Count * rowHeight) + 10;
        var max = Math.Max(1, Rows.Select(r => r.Counts.Sum()).DefaultIfEmpty(0).Max());
        builder.OpenElement(0, "svg");
        builder.AddAttribute(1, "class", "chart");
        builder.AddAttribute(2, "xmlns", "http://www.w3.org/2000/svg");
        builder.AddAttribute(3, "width", N(width));
        builder.AddAttribute(4, "height", N(height));
        builder.AddAttribute(5, "viewBox", $"0 0 {N(width)} {N(height)}");
        builder.AddAttribute(6, "role", "img");
        builder.AddAttribute(7, "aria-label", "Results by area");

        // Legend.
        var x = labelWidth;
        foreach (var (name, css) in Series)
        {
            Rect(builder, x, 6, 12, 12, Colors[css], rx: 2);
            Text(builder, x + 17, 16.5, 12, "#3c4650", name);
            x += 30 + (int)(name.Length * 6.6);
        }

        // Grid lines at quarters of the largest bar.
        for (var q = 0; q <= 4; q++)
        {
            var gx = N(labelWidth + (barWidth * q / 4.0), "0.#");
            builder.OpenElement(20, "line");
            builder.AddAttribute(21, "x1", gx);
            builder.AddAttribute(22, "y1", N(top - 6));
            builder.AddAttribute(23, "x2", gx);
            builder.AddAttribute(24, "y2", N(height - 8));
            builder.AddAttribute(25, "stroke", "#e3e7eb");
            builder.AddAttribute(26, "stroke-width", "1");
            builder.CloseElement();
        }

        for (var i = 0; i < Rows.Count; i++)
        {
            var (label, counts) = Rows[i];
            var y = top + (i * rowHeight);
            var textY = y + (barHeight / 2.0) + 4.5;
            Text(builder, labelWidth - 10, textY, 12.5, "#1d232a", label, anchor: "end");
            double offset = labelWidth;
            for (var s = 0; s < Series.Count && s < counts.Length; s++)
            {
                if (counts[s] == 0)
                {
                    continue;
                }

                var w = barWidth * counts[s] / (double)max;
                builder.OpenElement(30, "rect");
                builder.AddAttribute(31, "x", N(offset, "0.##"));
                builder.AddAttribute(32, "y", N(y));
                builder.AddAttribute(33, "width", N(w, "0.##"));
                builder.AddAttribute(34, "height", N(barHeight));
                builder.AddAttribute(35, "fill", Colors[Series[s].Css]);
                builder.OpenElement(36, "title");
                builder.AddContent(37, $"{label}: {counts[s]} {Series[s].Name}");
                builder.CloseElement();
                builder.CloseElement();
                if (w >= 18)
                {
                    Text(builder, offset + (w / 2), textY - 0.5, 11, "#fff", N(counts[s]), anchor: "middle", bold: true);
                }

                offset += w;
            }

            Text(builder, offset + 6, textY, 12, "#5f6873", N(counts.Sum()));
        }

        builder.CloseElement();
    }

    private static void Rect(RenderTreeBuilder builder, double x, double y, double width, double height, string fill, double rx)
    {
        builder.OpenElement(40, "rect");
        builder.AddAttribute(41, "x", N(x, "0.##"));
        builder.AddAttribute(42, "y", N(y, "0.##"));
        builder.AddAttribute(43, "width", N(width));
        builder.AddAttribute(44, "height", N(height));
        builder.AddAttribute(45, "rx", N(rx));
        builder.AddAttribute(46, "fill", fill);
        builder.CloseElement();
    }

    private static void Text(RenderTreeBuilder builder, double x, double y, double size, string fill, string content, string? anchor = null, bool bold = false)
    {
        builder.OpenElement(50, "text");
        builder.AddAttribute(51, "x", N(x, "0.##"));
        builder.AddAttribute(52, "y", N(y, "0.#"));
        builder.AddAttribute(53, "font-size", N(size, "0.#"));
        // Null attribute values are left out by the renderer.
        builder.AddAttribute(54, "font-weight", bold ? "700" : null);
        builder.AddAttribute(55, "text-anchor", anchor);
        builder.AddAttribute(56, "fill", fill);
        builder.AddContent(57, content);
        builder.CloseElement();
    }

    private static string N(double value, string format = "0") => value.ToString(format, CultureInfo.InvariantCulture);
}
