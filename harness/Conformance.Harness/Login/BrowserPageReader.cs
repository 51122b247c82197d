using System.Reflection;
using System.Text.Json;
using Microsoft.Playwright;

namespace Conformance.Harness.Login;

/// <summary>
/// Reads the browser's live page into <see cref="PageFacts"/> with the page script <c>LoginPageFacts.js</c>, given
/// the selectors and limits of <see cref="LoginVocabulary"/>: the browser driver's counterpart of
/// <see cref="HtmlPageReader"/>. Elements the facts refer to are marked with <see cref="Marker"/> so a locator
/// finds them again until the next read.
/// </summary>
internal static class BrowserPageReader
{
    public const string Marker = "data-conformance-ref";

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The page script, embedded in the assembly (see the project file).</summary>
    public static string Script { get; } = Load("Conformance.Harness.Login.LoginPageFacts.js");

    /// <summary>The script's argument: every selector, word list limit and name it uses, from one place.</summary>
    public static Dictionary<string, object> Arguments(PageSelectors selectors) => new()
    {
        ["selectors"] = new Dictionary<string, object?>
        {
            ["password"] = selectors.Password,
            ["otp"] = selectors.Otp,
            ["identifier"] = selectors.Identifier,
            ["usernameInForm"] = selectors.UsernameInForm,
            ["usernameOnPage"] = selectors.UsernameOnPage,
            ["submit"] = selectors.Submit,
            ["pageSubmit"] = selectors.PageSubmit,
            ["next"] = selectors.Next,
            ["pageNext"] = selectors.PageNext,
            ["consent"] = selectors.Consent,
            ["buttons"] = selectors.Buttons,
            ["inputs"] = selectors.Inputs,
            ["error"] = selectors.Error,
        },
        ["marker"] = Marker,
        ["maxText"] = LoginPageInterpreter.MaxText,
        ["scriptTypes"] = LoginVocabulary.ScriptTypes,
    };

    /// <summary>The page's facts and its readyState; null when the document is being replaced (the next read sees the new one).</summary>
    public static async Task<(PageFacts Facts, string Ready)?> ReadAsync(IPage page, PageSelectors selectors, TimeSpan timeout)
    {
        JsonElement result;
        try
        {
            result = await page.EvaluateAsync<JsonElement>(Script, Arguments(selectors)).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            return null;
        }

        var facts = result.GetProperty("facts").Deserialize<PageFacts>(Json)
            ?? throw new InvalidOperationException("the page script returned no facts");
        return (facts, result.GetProperty("ready").GetString() ?? "");
    }

    /// <summary>The element a fact refers to, as marked by the last read.</summary>
    public static ILocator Locate(IPage page, int reference) => page.Locator($"[{Marker}=\"{reference}\"]").First;

    /// <summary>A page script embedded in this assembly (see the project file).</summary>
    internal static string Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from {Assembly.GetExecutingAssembly().GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
