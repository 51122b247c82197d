using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Conformance.Fidelity.Tests;

/// <summary>
/// The single-page app (<see cref="SpaServer"/>) in a fresh browser context (no cookies, no storage). The app's origin
/// is another port than the issuer's: its requests to the issuer are real cross-origin fetches, with CORS and cookies
/// as Chromium applies them. Everything the page logs is kept for the failure message.
/// </summary>
internal sealed class SpaPage : IAsyncDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);
    private readonly IBrowserContext context;
    private readonly List<string> log = [];

    private SpaPage(IBrowserContext context, IPage page, string origin)
    {
        this.context = context;
        Page = page;
        Origin = origin;
    }

    public IPage Page { get; }

    public string Origin { get; }

    /// <summary>What the page logged and which of its requests failed, one line each (for failure messages).</summary>
    public string Log => log.Count == 0 ? "(the page logged nothing)" : string.Join(Environment.NewLine, log.TakeLast(30));

    public static async Task<SpaPage> OpenAsync()
    {
        var origin = Fidelity.SpaApp.Origin;
        var context = await (await Fidelity.BrowserAsync()).NewContextAsync(new BrowserNewContextOptions { ServiceWorkers = ServiceWorkerPolicy.Block });
        context.SetDefaultTimeout((float)Step.TotalMilliseconds);

        var page = await context.NewPageAsync();
        var spa = new SpaPage(context, page, origin);
        page.Console += (_, message) => spa.log.Add($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => spa.log.Add($"page error: {error}");
        // Without the query: an authorize URL carries a sessionToken, a logout URL an ID token.
        page.RequestFailed += (_, request) => spa.log.Add($"request failed: {request.Method} {new Uri(request.Url).GetLeftPart(UriPartial.Path)} ({request.Failure})");
        await spa.GoAsync("/");
        return spa;
    }

    /// <summary>Loads a page of the app and waits for spa.js to be ready.</summary>
    public async Task GoAsync(string path)
    {
        await Page.GotoAsync(Origin + path);
        await ReadyAsync();
    }

    private Task ReadyAsync() => Page.WaitForFunctionAsync("() => window.fidelity && window.fidelity.ready === true");

    /// <summary>Calls window.fidelity[name](...args) and returns its JSON answer; an answer with ok=false fails the test.</summary>
    public async Task<JsonObject> CallAsync(string name, params object?[] args)
    {
        var answer = await CallRawAsync(name, args);
        if (answer["ok"]?.GetValue<bool>() != true)
            Assert.Fail($"AuthJS {name} failed: {answer["error"]?.ToJsonString()}{Environment.NewLine}{Log}");
        return answer;
    }

    public async Task<JsonObject> CallRawAsync(string name, params object?[] args)
    {
        var result = await Page.EvaluateAsync<JsonElement>("([name, args]) => window.fidelity[name](...args)", new object[] { name, args });
        return JsonNode.Parse(result.GetRawText())!.AsObject();
    }

    /// <summary>
    /// Calls a function that leaves the page (AuthJS assigns window.location) and waits until the browser is on a URL
    /// starting with <paramref name="arrivesAt"/>. A failure before leaving is reported with AuthJS's own error.
    /// </summary>
    public async Task LeaveAsync(string name, string arrivesAt, params object?[] args)
    {
        var arrived = Page.WaitForURLAsync(url => url.StartsWith(arrivesAt, StringComparison.Ordinal), new() { Timeout = (float)Step.TotalMilliseconds });
        var call = CallRawAsync(name, args);
        var first = await Task.WhenAny(arrived, call);
        if (first == call && call.Status == TaskStatus.RanToCompletion && call.Result["ok"]?.GetValue<bool>() == false)
            Assert.Fail($"AuthJS {name} failed before leaving the page: {call.Result["error"]?.ToJsonString()}{Environment.NewLine}{Log}");
        try
        {
            await arrived;
        }
        catch (TimeoutException)
        {
            Assert.Fail($"AuthJS {name}: the browser never reached {arrivesAt}; it is on {Here}.{Environment.NewLine}{await TextAsync()}{Environment.NewLine}{Log}");
        }
        // The call's own promise dies with the page it ran in; that is the expected end of a navigation.
        try { await call; } catch (PlaywrightException) { }
        if (arrivesAt.StartsWith(Origin, StringComparison.Ordinal)) await ReadyAsync();
    }

    /// <summary>Does something on the current page (a click on the issuer's sign-in page) that ends at <paramref name="arrivesAt"/>.</summary>
    public async Task ArriveAsync(Func<Task> act, string arrivesAt)
    {
        var arrived = Page.WaitForURLAsync(url => url.StartsWith(arrivesAt, StringComparison.Ordinal), new() { Timeout = (float)Step.TotalMilliseconds });
        await act();
        try
        {
            await arrived;
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The browser never reached {arrivesAt}; it is on {Here}.{Environment.NewLine}{await TextAsync()}{Environment.NewLine}{Log}");
        }
        if (arrivesAt.StartsWith(Origin, StringComparison.Ordinal)) await ReadyAsync();
    }

    /// <summary>The current URL without its query or fragment: those may hold codes and tokens.</summary>
    public string Here => new Uri(Page.Url).GetLeftPart(UriPartial.Path);

    /// <summary>The visible text of the current page, shortened (what a user would see, e.g. an issuer error page).</summary>
    public async Task<string> TextAsync()
    {
        try
        {
            var text = await Page.InnerTextAsync("body", new() { Timeout = 2000 });
            return text.Length > 500 ? text[..500] + "…" : text;
        }
        catch (PlaywrightException)
        {
            return "(no page text)";
        }
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}
