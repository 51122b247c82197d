using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Conformance.Harness.Login;

/// <summary>An HTML page as the form driver read it: the facts, and the elements their numbers refer to.</summary>
internal sealed record HtmlPage(PageFacts Facts, IReadOnlyList<IElement> Elements, IReadOnlyList<IHtmlFormElement> Forms)
{
    public IElement Element(int reference) => Elements[reference];

    public IHtmlFormElement? Form(int? index) => index is { } i ? Forms[i] : null;
}

/// <summary>
/// Reads a parsed HTML document into <see cref="PageFacts"/> the way the browser's page script
/// (<c>LoginPageFacts.js</c>) reads the live DOM, with the same selectors: the two must agree on every page that
/// needs no script to show its form. With no layout here, "visible" means not a hidden input, not inside an
/// element with the <c>hidden</c> attribute or an inline <c>display: none</c> / <c>visibility: hidden</c>.
/// </summary>
internal static partial class HtmlPageReader
{
    private static readonly HashSet<string> Unsubmitted = new(StringComparer.Ordinal) { "submit", "button", "image", "reset", "file" };

    public static HtmlPage Read(IDocument document, Uri pageUri, PageSelectors selectors)
    {
        var elements = new List<IElement>();
        var forms = document.QuerySelectorAll("form").OfType<IHtmlFormElement>().ToList();

        int Ref(IElement e)
        {
            var i = elements.IndexOf(e);
            if (i < 0)
            {
                elements.Add(e);
                i = elements.Count - 1;
            }

            return i;
        }

        int? FormIndex(IElement? e) => FormOf(e) is { } f && forms.IndexOf(f) is var i and >= 0 ? i : null;

        FieldFacts? Field(IReadOnlyList<string> list, IReadOnlyList<string>? inForm, IReadOnlyList<string>? onPage, IReadOnlyList<string> submits, IReadOnlyList<string> pageSubmits)
        {
            if (Pick(list, document, null) is not { } field)
            {
                return null;
            }

            var form = FormOf(field);
            var user = inForm is null ? null : (form is null ? null : Pick(inForm, form, field)) ?? Pick(onPage!, document, field);
            var submit = (form is null ? null : Pick(submits, form, field)) ?? Pick(pageSubmits, document, field);
            return new FieldFacts(Ref(field), FormIndex(field), user is null ? null : Ref(user), submit is null ? null : Ref(submit));
        }

        ButtonFacts Button(IElement e) => new(Ref(e), FormIndex(e), Label(e), selectors.Consent is { } c && c.Any(s => Matches(e, s) || Closest(e, s)));

        var buttons = All(selectors.Buttons, document).Where(Visible).Select(Button).ToList();
        var consent = selectors.Consent is { } configured && Pick(configured, document, null) is { } consentElement ? Button(consentElement) : null;
        return new HtmlPage(
            new PageFacts(
                forms.Select((f, i) => new FormFacts(
                    i,
                    (f.GetAttribute("method") ?? "get").ToLowerInvariant(),
                    Uri.TryCreate(pageUri, f.GetAttribute("action") ?? "", out var action) ? action.AbsoluteUri : null,
                    Fields(f),
                    All(selectors.Inputs, f).Count(Visible),
                    All(selectors.Buttons, f).Count(Visible))).ToList(),
                Field(selectors.Password, selectors.UsernameInForm, selectors.UsernameOnPage, selectors.Submit, selectors.PageSubmit),
                Field(selectors.Otp, null, null, selectors.Submit, selectors.PageSubmit),
                Field(selectors.Identifier, null, null, selectors.Next, selectors.PageNext),
                buttons,
                selectors.Consent is not null,
                consent,
                All(selectors.Inputs, document).Count(Visible),
                document.QuerySelectorAll("a[href]").Count(Visible),
                document.QuerySelectorAll("script").Any(IsJavaScript),
                Squash(document.Title),
                Text(document),
                string.Join(" | ", All(selectors.Error, document).Where(Visible).Select(e => Squash(VisibleText(e))).Where(t => t.Length > 0))),
            elements,
            forms);
    }

    /// <summary>The successful controls a browser would submit, minus buttons (a click adds its own).</summary>
    public static List<FormField> Fields(IHtmlFormElement form)
    {
        var fields = new List<FormField>();
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case IHtmlInputElement i when !string.IsNullOrEmpty(i.Name) && !i.IsDisabled && !Unsubmitted.Contains(i.Type)
                                              && (i.Type is not ("checkbox" or "radio") || i.IsChecked):
                    fields.Add(new(i.Name!, i.Value));
                    break;
                case IHtmlSelectElement s when !string.IsNullOrEmpty(s.Name) && !s.IsDisabled:
                    fields.Add(new(s.Name!, s.Value ?? ""));
                    break;
                case IHtmlTextAreaElement t when !string.IsNullOrEmpty(t.Name) && !t.IsDisabled:
                    fields.Add(new(t.Name!, t.Value));
                    break;
            }
        }

        return fields;
    }

    /// <summary>Its text, value and aria-label, as the page script reads <c>innerText</c>, <c>value</c> and <c>aria-label</c>.</summary>
    public static string Label(IElement e) =>
        Squash($"{VisibleText(e)} {e.GetAttribute("value")} {e.GetAttribute("aria-label")}");

    public static IHtmlFormElement? FormOf(IElement? e) => e switch
    {
        null => null,
        IHtmlFormElement f => f,
        IHtmlInputElement i => i.Form,
        IHtmlButtonElement b => b.Form,
        IHtmlSelectElement s => s.Form,
        IHtmlTextAreaElement t => t.Form,
        _ => e.Closest("form") as IHtmlFormElement,
    };

    public static bool Visible(IElement e)
    {
        if (e is IHtmlInputElement { Type: "hidden" })
        {
            return false;
        }

        for (var x = e; x is not null; x = x.ParentElement)
        {
            if (x.HasAttribute("hidden") || x.LocalName is "template" or "head" or "script" or "style"
                || x.GetAttribute("style") is { } style && HiddenStyle().IsMatch(style))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The first selector of the list (in order of preference) with a visible match: that match. Invalid selectors are skipped.</summary>
    private static IElement? Pick(IEnumerable<string> list, IParentNode root, IElement? not)
    {
        foreach (var selector in list)
        {
            if (All(selector, root).FirstOrDefault(e => e != not && Visible(e)) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static IEnumerable<IElement> All(string selector, IParentNode root)
    {
        try
        {
            return root.QuerySelectorAll(selector).ToList();
        }
        catch (Exception e) when (Unparsable(e))
        {
            // A profile selector AngleSharp cannot parse: like the page script, treat it as matching nothing.
            return [];
        }
    }

    /// <summary>
    /// AngleSharp refuses most bad selectors with a DomException, but a Playwright-only pseudo-class inside
    /// <c>:has()</c> (<c>body:has(h3:text-is('End session'))</c>, written for the browser driver) makes its parser
    /// dereference null. Either way the selector is one this reader cannot use: it matches nothing here.
    /// </summary>
    private static bool Unparsable(Exception e) => e is DomException or NullReferenceException;

    private static bool Matches(IElement e, string selector)
    {
        try
        {
            return e.Matches(selector);
        }
        catch (Exception x) when (Unparsable(x))
        {
            return false;
        }
    }

    private static bool Closest(IElement e, string selector)
    {
        try
        {
            return e.Closest(selector) is not null;
        }
        catch (Exception x) when (Unparsable(x))
        {
            return false;
        }
    }

    private static bool IsJavaScript(IElement script) =>
        LoginVocabulary.ScriptTypes.Contains((script.GetAttribute("type") ?? "").Trim().ToLowerInvariant());

    /// <summary>The visible text of the body, block by block, whitespace squashed: what <c>innerText</c> gives in the browser.</summary>
    private static string Text(IDocument document)
    {
        var text = Squash(document.Body is null ? "" : VisibleText(document.Body));
        return text.Length > LoginPageInterpreter.MaxText ? text[..LoginPageInterpreter.MaxText] : text;
    }

    private static string VisibleText(IElement root)
    {
        var text = new StringBuilder();
        void Walk(INode node)
        {
            foreach (var child in node.ChildNodes)
            {
                if (child is IText t)
                {
                    text.Append(t.Data);
                }
                else if (child is IElement e && Visible(e))
                {
                    // Elements are separated as the browser's layout separates blocks: "Sign in" + "Username" is two words.
                    Walk(e);
                    text.Append(' ');
                }
            }
        }

        if (Visible(root))
        {
            Walk(root);
        }

        return text.ToString();
    }

    public static string Squash(string? s) => Whitespace().Replace(s ?? "", " ").Trim();

    [GeneratedRegex(@"display\s*:\s*none|visibility\s*:\s*hidden", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenStyle();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
