using Conformance.Harness.Protocol;

namespace Conformance.Harness.Login;

/// <summary>What a page asks of the user, in the order <see cref="LoginPageInterpreter.Classify"/> tries them.</summary>
public enum LoginPageKind
{
    /// <summary>OAuth 2.0 Form Post Response Mode: a form posting to the redirect URI holds the response.</summary>
    FormPost,

    /// <summary>A password field (with a username beside it, or not when the identifier was asked for first).</summary>
    Password,

    OneTimeCode,

    /// <summary>A username alone: identifier-first login.</summary>
    Identifier,

    /// <summary>A button that allows (and does not deny): consent, or any decision page to accept.</summary>
    Consent,

    /// <summary>An interstitial: a form whose only control is a continue, next, ok or proceed button.</summary>
    Continue,

    /// <summary>RP-Initiated Logout 1.0 §2: the OP asks the user to confirm the logout.</summary>
    LogoutConfirmation,

    /// <summary>A page with nothing but scripts and a placeholder: a JavaScript application that renders the login itself.</summary>
    ScriptApplication,

    NotUnderstood,
}

/// <summary>What a user agent was asked to do, which decides the pages it may act on.</summary>
public enum UserAgentTask
{
    /// <summary>Log the user in and consent: <see cref="IUserAgent.AuthorizeAsync"/>.</summary>
    Authorize,

    /// <summary>The user is signed in already: only decision pages are answered.</summary>
    Consent,

    /// <summary>Observe what the server does on its own: <see cref="IUserAgent.NavigateAsync"/>; nothing is answered.</summary>
    Navigate,

    /// <summary><see cref="IUserAgent.LogoutAsync"/>: a logout confirmation (or a page accepting like one) is answered, a login page never.</summary>
    Logout,
}

/// <summary>
/// The one reading of login pages for every driver. A driver reads a page into <see cref="PageFacts"/> (the form
/// driver from the HTML with AngleSharp, the browser driver from the live DOM with a page script, both with the
/// selectors of <see cref="LoginVocabulary"/>), and this class decides what the page is, in one fixed order, with
/// the same words. So a page is understood the same way by both drivers, or by neither.
/// </summary>
internal static class LoginPageInterpreter
{
    /// <summary>Accepting decision pages more often than this in one flow means the server is not taking the answer.</summary>
    public const int MaxAcceptances = 3;

    /// <summary>Visible text above this length is content, not a script application's placeholder ("Loading...").</summary>
    public const int PlaceholderText = 200;

    /// <summary>Of a page's visible text, this much is kept: enough for messages and for finding logout words.</summary>
    public const int MaxText = 2000;

    /// <summary>
    /// In order: form_post response, password, one-time code, identifier alone, consent, continue interstitial,
    /// logout confirmation, script application, not understood. Profile selectors were applied when the facts
    /// were read; a configured consent selector replaces the allow-word guess.
    /// </summary>
    public static LoginPageVerdict Classify(PageFacts page, Uri stopAt)
    {
        if (page.Forms.FirstOrDefault(f => IsFormPostTo(f, stopAt)) is { } post)
        {
            return new(LoginPageKind.FormPost, Form: post);
        }

        if (page.Password is { } password)
        {
            return new(LoginPageKind.Password, Field: password);
        }

        if (page.Otp is { } otp)
        {
            return new(LoginPageKind.OneTimeCode, Field: otp);
        }

        if (page.Identifier is { } identifier)
        {
            return new(LoginPageKind.Identifier, Field: identifier);
        }

        if (ConsentButton(page) is { } allow)
        {
            return new(LoginPageKind.Consent, Button: allow);
        }

        if (ContinueButton(page) is { } next)
        {
            return new(LoginPageKind.Continue, Button: next);
        }

        if (LogoutButton(page) is { } logout)
        {
            return new(LoginPageKind.LogoutConfirmation, Button: logout);
        }

        return new(IsScriptApplication(page) ? LoginPageKind.ScriptApplication : LoginPageKind.NotUnderstood);
    }

    /// <summary>Which pages a task may act on. Navigating acts on none: it observes what the server does without the user.</summary>
    public static bool Acts(UserAgentTask task, LoginPageKind kind) => task switch
    {
        UserAgentTask.Authorize => kind is LoginPageKind.Password or LoginPageKind.OneTimeCode or LoginPageKind.Identifier
            or LoginPageKind.Consent or LoginPageKind.Continue,
        UserAgentTask.Consent => kind is LoginPageKind.Consent or LoginPageKind.Continue,

        // A logout confirmation often reads like consent ("Do you want to log out?" Accept / Refuse): the
        // accepting button is pressed either way, never one that denies, and never a login page.
        UserAgentTask.Logout => kind is LoginPageKind.Consent or LoginPageKind.Continue or LoginPageKind.LogoutConfirmation,
        _ => false,
    };

    /// <summary>"title 'x', error 'y'" (or the start of the text when no error shows), for messages.</summary>
    public static string Describe(string? title, string? error, string? text)
    {
        text ??= "";
        text = text.Length > 200 ? text[..200] + "..." : text;
        return string.IsNullOrEmpty(error) ? $"title '{title}', text '{text}'" : $"title '{title}', error '{error}'";
    }

    public static string Describe(PageFacts page) => Describe(page.Title, page.Error, page.Text);

    private static bool IsFormPostTo(FormFacts form, Uri stopAt) =>
        string.Equals(form.Method, "post", StringComparison.OrdinalIgnoreCase)
        && Uri.TryCreate(form.Action, UriKind.Absolute, out var action)
        && AuthorizationResponse.IsRedirectTo(action, stopAt);

    /// <summary>A configured consent element: the allowing button inside it, else its first button that does not deny, else itself.</summary>
    private static ButtonFacts? ConsentButton(PageFacts page)
    {
        if (page.ConsentConfigured)
        {
            if (page.Consent is null)
            {
                return null;
            }

            var inside = page.Buttons.Where(b => b.InConsent).ToList();
            return inside.FirstOrDefault(b => LoginVocabulary.IsAllow(b.Label))
                ?? inside.FirstOrDefault(b => !LoginVocabulary.IsDeny(b.Label))
                ?? page.Consent;
        }

        return page.Buttons.FirstOrDefault(b => LoginVocabulary.IsAllow(b.Label));
    }

    /// <summary>No field to fill anywhere, and a form whose one control says continue, next, ok or proceed.</summary>
    private static ButtonFacts? ContinueButton(PageFacts page)
    {
        if (page.Inputs > 0)
        {
            return null;
        }

        foreach (var form in page.Forms.Where(f => f.Inputs == 0 && f.Buttons == 1))
        {
            if (page.Buttons.FirstOrDefault(b => b.Form == form.Index) is { } only && LoginVocabulary.IsContinue(only.Label))
            {
                return only;
            }
        }

        return null;
    }

    /// <summary>A button that says log out, or, on a page that speaks of logging out, one that confirms.</summary>
    private static ButtonFacts? LogoutButton(PageFacts page) =>
        page.Buttons.FirstOrDefault(b => LoginVocabulary.IsLogout(b.Label))
        ?? (LoginVocabulary.Says(page.Title + " " + page.Text, LoginVocabulary.LogoutWords)
            ? page.Buttons.FirstOrDefault(b => LoginVocabulary.IsLogoutConfirm(b.Label))
            : null);

    /// <summary>
    /// Scripts, and nothing a person could use: no form, field, button or link, and at most a placeholder's text.
    /// A server-rendered error page has a message or a link back, so it is not taken for an application.
    /// </summary>
    private static bool IsScriptApplication(PageFacts page) =>
        page.Scripts && page.Forms.Count == 0 && page.Inputs == 0 && page.Buttons.Count == 0 && page.Links == 0
        && page.Text.Length <= PlaceholderText;
}

/// <summary>What <see cref="LoginPageInterpreter.Classify"/> found: the kind, and the field, button or form to act on.</summary>
internal sealed record LoginPageVerdict(LoginPageKind Kind, FieldFacts? Field = null, ButtonFacts? Button = null, FormFacts? Form = null);

/// <summary>
/// One page as a driver read it. Elements are referred to by number (<c>Ref</c>): the form driver keeps the list
/// of AngleSharp elements, the browser marks each with an attribute a locator finds again. Only visible elements
/// count (the browser computes visibility; the form driver knows hidden inputs, <c>hidden</c> and inline styles).
/// </summary>
/// <param name="Forms">Every form of the page, visible or not (a form_post page may hide its form).</param>
/// <param name="Password">The first visible match of the password selectors, with its username and submit button.</param>
/// <param name="Buttons">Visible buttons in document order (<see cref="LoginVocabulary.ButtonSelector"/>).</param>
/// <param name="ConsentConfigured">The profile names the consent element, which replaces the allow-word guess.</param>
/// <param name="Consent">The configured consent element, when visible.</param>
/// <param name="Inputs">Visible fields to type into or choose from (<see cref="LoginVocabulary.InputSelector"/>).</param>
/// <param name="Links">Visible links with an href.</param>
/// <param name="Scripts">The document has script elements (JavaScript ones, not JSON data).</param>
/// <param name="Text">The visible text, whitespace squashed, at most <see cref="LoginPageInterpreter.MaxText"/> characters.</param>
/// <param name="Error">The text of visible error elements (<see cref="LoginVocabulary.ErrorSelector"/>), joined with " | ".</param>
internal sealed record PageFacts(
    IReadOnlyList<FormFacts> Forms,
    FieldFacts? Password,
    FieldFacts? Otp,
    FieldFacts? Identifier,
    IReadOnlyList<ButtonFacts> Buttons,
    bool ConsentConfigured,
    ButtonFacts? Consent,
    int Inputs,
    int Links,
    bool Scripts,
    string Title,
    string Text,
    string Error);

/// <param name="Index">Position among the document's forms.</param>
/// <param name="Method">The method attribute, lower case; "get" when absent.</param>
/// <param name="Action">The action resolved against the page (the page itself, query included, when empty or "#").</param>
/// <param name="Fields">The successful controls a browser would submit, minus buttons (a click adds its own).</param>
/// <param name="Inputs">Visible fields in the form.</param>
/// <param name="Buttons">Visible buttons in the form.</param>
internal sealed record FormFacts(int Index, string Method, string? Action, IReadOnlyList<FormField> Fields, int Inputs, int Buttons);

internal sealed record FormField(string Name, string Value);

/// <param name="Ref">The field.</param>
/// <param name="Form">Its form's index, if it has one.</param>
/// <param name="Username">Beside a password: the username field (its form first, then the page).</param>
/// <param name="Submit">The button that sends its form (its form first, then the widgets' own buttons on the page).</param>
internal sealed record FieldFacts(int Ref, int? Form, int? Username, int? Submit);

/// <param name="Label">Its text, value and aria-label: what the allow, deny, continue and logout words are looked for in.</param>
/// <param name="InConsent">It is, or is inside, the element the profile's consent selector names.</param>
internal sealed record ButtonFacts(int Ref, int? Form, string Label, bool InConsent);
