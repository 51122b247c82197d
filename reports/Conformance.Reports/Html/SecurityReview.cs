using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Reports.Html;

/// <summary>
/// The security review: one self-contained HTML file (inline CSS and SVG, PNG screenshots as data URIs, a
/// Content-Security-Policy that forbids any fetch), readable on screen and printable to PDF. It answers, in
/// order: what was tested and when; is it green; where are the failures; which threats are covered; and, per
/// check, the rule, the verdict and the evidence.
/// </summary>
/// <remarks>
/// The markup is Razor components (ReviewPage.razor and the sections it holds) rendered by <see cref="HtmlRenderer"/>:
/// the results carry text the server under test chose, and a component writes text escaped unless it is wrapped in
/// a <see cref="MarkupString"/>, so escaping is the default rather than a call each line has to remember.
/// </remarks>
public sealed class SecurityReview(ReportData data, GateVerdict gate, IReadOnlyList<Waiver> waivers, Attachments attachments)
{
    public string Title { get; init; } = "OAuth 2.0 / OpenID Connect conformance: security review";

    /// <summary>The comparison with an earlier run; null when the run was not compared.</summary>
    public BaselineComparison? Baseline { get; init; }

    public string Render()
    {
        var model = new ReviewModel(data, gate, waivers, attachments, Title, Baseline);
        return "<!DOCTYPE html>\n" + Razor.Render<ReviewPage>(new Dictionary<string, object?> { [nameof(ReviewPage.M)] = model }) + "\n";
    }
}

/// <summary>Renders a component to a string, outside any web host.</summary>
internal static class Razor
{
    /// <summary>
    /// HtmlRenderer's default encoder also turns every non-ASCII character into an entity; the file is UTF-8, so
    /// the review keeps "✓", "→" and names in other scripts as they are. The five characters that make markup
    /// (and '+') are still encoded: that part of the encoder cannot be switched off.
    /// </summary>
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Render<T>(Dictionary<string, object?> parameters)
        where T : IComponent
    {
        using var renderer = new HtmlRenderer(new Services(), NullLoggerFactory.Instance);
        // The components render synchronously; the dispatcher still has to be entered, and Task.Run keeps a caller's
        // synchronization context (a test runner's, a UI's) out of it so that waiting here cannot deadlock.
        return Task.Run(() => renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<T>(ParameterView.FromDictionary(parameters)).ConfigureAwait(false);
            using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            output.WriteHtmlTo(writer);
            return writer.ToString();
        })).GetAwaiter().GetResult();
    }

    /// <summary>The renderer asks for optional services only; the one it gets is the encoder above.</summary>
    private sealed class Services : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(HtmlEncoder) ? Encoder : null;
    }
}
