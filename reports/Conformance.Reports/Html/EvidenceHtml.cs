using System.Text;
using Conformance.Harness.Http;
using Conformance.Harness.Jose;
using static Conformance.Reports.Html.Markup;

namespace Conformance.Reports.Html;

/// <summary>
/// The evidence of one verdict as HTML: the redacted HTTP exchanges, the decoded tokens (header and claims,
/// never the compact form), screenshots embedded as data URIs, and the names of other evidence files.
/// Everything the target sent is escaped text.
/// </summary>
internal sealed class EvidenceHtml(Attachments attachments)
{
    /// <summary>Bodies of findings are shown up to this length; passed checks' bodies are cut shorter.</summary>
    public int FindingBodyLimit { get; init; } = 12_000;

    public int PassBodyLimit { get; init; } = 2_000;

    /// <summary>Writes the exchanges, tokens, screenshots and files of one verdict; <paramref name="open"/> unfolds them (findings).</summary>
    public void Write(StringBuilder html, IReadOnlyList<HttpExchange> exchanges, IReadOnlyList<DecodedToken> tokens, IReadOnlyList<string> files, bool open)
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
}
