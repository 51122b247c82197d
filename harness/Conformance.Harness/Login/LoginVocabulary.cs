using System.Text.RegularExpressions;
using Conformance.Harness.Target;

namespace Conformance.Harness.Login;

/// <summary>
/// The words and selectors that say what a login page asks for. The form driver (AngleSharp) and the browser
/// driver (its page script) both read them from here, so the two cannot drift apart again: a word added here
/// is understood by both. Selectors are plain CSS that both AngleSharp and Chromium accept, including the
/// <c>i</c> (case-insensitive) attribute flag, which AngleSharp 1.x supports.
/// </summary>
internal static partial class LoginVocabulary
{
    // Defaults, in order of preference. Okta Classic widget, Okta Identity Engine, then what generic pages use.
    public static IReadOnlyList<string> PasswordSelectors { get; } =
    [
        "#okta-signin-password",
        "input[name='credentials.passcode'][type=password]",
        "input[type=password]:not([autocomplete=one-time-code]):not([name*=otp i]):not([name*=totp i]):not([name=answer])",
    ];

    /// <summary>A username field anywhere on the page; alone (no password shown) it makes an identifier-first page.</summary>
    public static IReadOnlyList<string> UsernameSelectors { get; } =
    [
        "#okta-signin-username",
        "input[name=identifier]",
        "input[autocomplete=username]",
        "input[type=email]",
        "input[name*=user i]:not([type=hidden]):not([type=password])",
        "input[name*=login i]:not([type=hidden]):not([type=password])",
        "input[name*=email i]:not([type=hidden]):not([type=password])",
        "input[id*=user i]:not([type=hidden]):not([type=password])",
    ];

    /// <summary>Only inside a login form (next to a password field): any text input is then the username.</summary>
    public static IReadOnlyList<string> UsernameInFormSelectors { get; } = [.. UsernameSelectors, "input[type=text]", "input:not([type])"];

    /// <summary>An identifier-first page shows only the username; the same guesses as a username anywhere.</summary>
    public static IReadOnlyList<string> IdentifierSelectors => UsernameSelectors;

    public static IReadOnlyList<string> OtpSelectors { get; } =
    [
        "input[autocomplete=one-time-code]",
        "input[name='credentials.passcode']:not([type=password])",
        "input[name*=otp i]:not([type=hidden])",
        "input[name*=totp i]:not([type=hidden])",
        "input[name*=passcode i]:not([type=hidden]):not([type=password])",
        "input[name=answer]:not([type=hidden])",
        "input[name*=code i]:not([type=hidden]):not([type=password]):not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=button])",
    ];

    public static IReadOnlyList<string> SubmitSelectors { get; } =
    [
        "#okta-signin-submit",
        "[data-type=save]",
        "button[type=submit]",
        "input[type=submit]",
        "button:not([type])",
    ];

    /// <summary>Outside the field's form only the widgets' own buttons are trusted: a generic submit elsewhere sends another form.</summary>
    public static IReadOnlyList<string> PageSubmitSelectors { get; } = [.. SubmitSelectors.Take(2)];

    public const string ErrorSelector =
        "[role=alert], .o-form-error-container, .okta-form-infobox-error, .error, .alert-danger, .alert-error, .validation-summary-errors, .field-validation-error";

    /// <summary>Everything a person can press: what carries the allow, deny, continue and logout words.</summary>
    public const string ButtonSelector = "button, input[type=submit], input[type=button], input[type=image], [role=button]";

    /// <summary>Everything a person can type into or choose: a form with none of these and one button is an interstitial.</summary>
    public const string InputSelector =
        "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=image]):not([type=reset]), select, textarea";

    /// <summary>Script elements of these types run (others hold data, such as JSON): a page with one may be a script application.</summary>
    public static IReadOnlyList<string> ScriptTypes { get; } =
        ["", "module", "text/javascript", "application/javascript", "text/ecmascript", "application/ecmascript"];

    public static IReadOnlyList<string> AllowWords { get; } =
        ["allow", "accept", "approve", "agree", "consent", "grant", "authorize", "authorise", "yes", "continue"];

    /// <summary>A button with any of these never accepts anything, whatever else it says ("Don't allow", "No, continue later").</summary>
    public static IReadOnlyList<string> DenyWords { get; } =
        ["deny", "don't", "dont", "not", "cancel", "reject", "decline", "disagree", "refuse", "no", "stay"];

    /// <summary>A form whose only control carries one of these is an interstitial to pass ("Continue", "Next", "OK").</summary>
    public static IReadOnlyList<string> ContinueWords { get; } = ["continue", "next", "ok", "okay", "proceed"];

    /// <summary>Say logging out on a button ("Sign out") or in the page's text ("Do you want to log out?").</summary>
    public static IReadOnlyList<string> LogoutWords { get; } =
        ["logout", "log out", "logoff", "log off", "signout", "sign out", "sign off", "end session"];

    /// <summary>On a page that speaks of logging out, a button with one of these confirms it.</summary>
    public static IReadOnlyList<string> ConfirmWords { get; } = ["yes", "confirm", "ok", "okay", "continue", "accept", "proceed"];

    /// <summary>The selectors one page is read with: the profile's <c>login.selectors</c> replace the guesses of their kind.</summary>
    public static PageSelectors Selectors(LoginProfile login)
    {
        IReadOnlyList<string>? Configured(string key) => login.Selectors.GetValueOrDefault(key) is { Length: > 0 } s ? SelectorParts(s) : null;
        string? Whole(string key) => login.Selectors.GetValueOrDefault(key) is { Length: > 0 } s ? s : null;
        var username = Configured("username");
        var submit = Configured("submit");
        var next = Configured("next") ?? submit;
        return new PageSelectors(
            Password: Configured("password") ?? PasswordSelectors,
            Otp: Configured("otp") ?? OtpSelectors,
            Identifier: username ?? IdentifierSelectors,
            UsernameInForm: username ?? UsernameInFormSelectors,
            UsernameOnPage: username ?? UsernameSelectors,
            Submit: submit ?? SubmitSelectors,
            PageSubmit: submit ?? PageSubmitSelectors,
            Next: next ?? SubmitSelectors,
            PageNext: next ?? PageSubmitSelectors,
            Consent: Configured("consent"),
            ConfiguredSubmit: Whole("submit"),
            ConfiguredNext: Whole("next") ?? Whole("submit"),
            Buttons: ButtonSelector,
            Inputs: InputSelector,
            Error: ErrorSelector);
    }

    /// <summary>
    /// A profile's selector list ("a, b") as its parts, in order, each tried on its own by both page readers: one
    /// part that a reader cannot parse (a Playwright-only pseudo-class such as <c>:text-is()</c>, which neither
    /// Chromium's querySelectorAll nor AngleSharp accepts) then loses only itself, not the whole list. Commas
    /// inside parentheses, brackets or quotes do not split.
    /// </summary>
    public static IReadOnlyList<string> SelectorParts(string list)
    {
        var parts = new List<string>();
        var depth = 0;
        char? quote = null;
        var start = 0;
        for (var i = 0; i < list.Length; i++)
        {
            var c = list[i];
            if (quote is not null)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c is '(' or '[')
            {
                depth++;
            }
            else if (c is ')' or ']')
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (c == ',' && depth == 0)
            {
                parts.Add(list[start..i]);
                start = i + 1;
            }
        }

        parts.Add(list[start..]);
        return parts.Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
    }

    /// <summary>A label's words, lower case, as one space-separated string with a space at each end for phrase matching.</summary>
    public static string Words(string? label) =>
        " " + string.Join(' ', Separators().Split(label?.Replace('\u2019', '\'').ToLowerInvariant() ?? "").Select(w => w.Trim('\'')).Where(w => w.Length > 0)) + " ";

    /// <summary>Whether a label holds one of the words or phrases, as whole words ("no" is not in "know").</summary>
    public static bool Says(string? label, IEnumerable<string> words)
    {
        var text = Words(label);
        return words.Any(w => text.Contains(" " + w + " ", StringComparison.Ordinal));
    }

    public static bool IsAllow(string? label) => Says(label, AllowWords) && !IsDeny(label);

    public static bool IsDeny(string? label) => Says(label, DenyWords);

    public static bool IsContinue(string? label) => Says(label, ContinueWords) && !IsDeny(label);

    public static bool IsLogout(string? label) => Says(label, LogoutWords) && !IsDeny(label);

    public static bool IsLogoutConfirm(string? label) => (Says(label, ConfirmWords) || Says(label, LogoutWords)) && !IsDeny(label);

    // Letters, digits and inner apostrophes make words: "Don't" stays one word, "Sign-out" becomes two.
    [GeneratedRegex(@"[^\p{L}\p{N}']+")]
    private static partial Regex Separators();
}

/// <summary>
/// The selectors one page is read with, by both drivers. Each list is tried in order and the first visible
/// match wins; a profile selector is split into its parts (<see cref="LoginVocabulary.SelectorParts"/>). The configured
/// submit and next selectors are also kept whole for Playwright's locator, which understands its own pseudo-classes.
/// Serialized as is for the browser's page script.
/// </summary>
internal sealed record PageSelectors(
    IReadOnlyList<string> Password,
    IReadOnlyList<string> Otp,
    IReadOnlyList<string> Identifier,
    IReadOnlyList<string> UsernameInForm,
    IReadOnlyList<string> UsernameOnPage,
    IReadOnlyList<string> Submit,
    IReadOnlyList<string> PageSubmit,
    IReadOnlyList<string> Next,
    IReadOnlyList<string> PageNext,
    IReadOnlyList<string>? Consent,
    string? ConfiguredSubmit,
    string? ConfiguredNext,
    string Buttons,
    string Inputs,
    string Error);
