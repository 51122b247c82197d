using System.Text.Json;
using Microsoft.Playwright;

namespace Conformance.Harness.Login;

/// <summary>The flow using a tab: it is handed every document request the interception pauses.</summary>
internal interface ITabListener
{
    Task OnPausedAsync(ICDPSession cdp, JsonElement paused);
}

/// <summary>
/// One user agent's browser: a context of its own (cookies, storage, cache) with one page, and the DevTools session
/// that intercepts the page's document requests (the Fetch domain, at the request and the response stage). Opening
/// them costs more than most flows' own pages on a loaded machine (a renderer process, a dozen DevTools calls), so a
/// user agent keeps its tab from call to call, as a person keeps a tab open, and <see cref="BrowserSession"/> opens
/// the next ones ahead. A closed user agent's tab is reset (<see cref="ResetAsync"/>) and given to the same user's next
/// one: a fresh context and renderer process, and the Sign-In Widget's 1.3 MB of script compiled again, were most of a
/// browser flow's CPU. The interception is enabled before any flow uses the tab: no document request is ever let
/// through unseen.
/// </summary>
internal sealed class BrowserTab : IAsyncDisposable
{
    private readonly IBrowserContext context;
    private readonly HashSet<string> origins = new(StringComparer.Ordinal);
    private ITabListener? listener;
    private int navigations;

    private BrowserTab(IBrowserContext context, IPage page, ICDPSession cdp)
    {
        this.context = context;
        Page = page;
        Cdp = cdp;
    }

    public IBrowserContext Context => context;

    public IPage Page { get; private set; }

    public ICDPSession Cdp { get; private set; }

    /// <summary>Top-level navigations since the tab opened; a flow compares readings.</summary>
    public int Navigations => Volatile.Read(ref navigations);

    /// <summary>A fresh context with its page ready and intercepted.</summary>
    public static async Task<BrowserTab> OpenAsync(BrowserSession session)
    {
        var context = await session.NewContextAsync().ConfigureAwait(false);
        try
        {
            var tab = new BrowserTab(context, null!, null!);
            await tab.OpenPageAsync().ConfigureAwait(false);
            return tab;
        }
        catch
        {
            await Quietly(context.CloseAsync()).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The flow that the tab's events go to until <see cref="Release"/>; one at a time (the user agent's gate).</summary>
    public void Attach(ITabListener flow) => Volatile.Write(ref listener, flow);

    public void Release() => Volatile.Write(ref listener, null);

    /// <summary>
    /// After a flow that failed or was cancelled, the page may be anywhere (a script mid-way, a dialog, a hung
    /// document): the next call gets a new page in the same context (same cookies), as before the tab was kept.
    /// </summary>
    public async Task ReplacePageAsync()
    {
        var old = Page;
        await OpenPageAsync().ConfigureAwait(false);
        await Quietly(old.CloseAsync()).ConfigureAwait(false);
    }

    private async Task OpenPageAsync()
    {
        var page = await context.NewPageAsync().ConfigureAwait(false);
        page.FrameNavigated += (_, frame) =>
        {
            if (frame.ParentFrame is null && ReferenceEquals(page, Page))
            {
                Interlocked.Increment(ref navigations);
            }
        };

        var cdp = await context.NewCDPSessionAsync(page).ConfigureAwait(false);
        cdp.Event("Fetch.requestPaused").OnEvent += (_, e) => _ = OnPausedAsync(cdp, e);
        await cdp.SendAsync("Fetch.enable", new Dictionary<string, object>
        {
            ["patterns"] = new object[]
            {
                new Dictionary<string, object> { ["urlPattern"] = "*", ["resourceType"] = "Document", ["requestStage"] = "Request" },
                new Dictionary<string, object> { ["urlPattern"] = "*", ["resourceType"] = "Document", ["requestStage"] = "Response" },
            },
        }).ConfigureAwait(false);
        Page = page;
        Cdp = cdp;
    }

    private async Task OnPausedAsync(ICDPSession cdp, JsonElement? paused)
    {
        if (paused is not { } e)
        {
            return;
        }

        // Every origin the tab loaded a document from (a document that got a response: scripts run in documents, and
        // a navigation aborted before it, such as the one to the client's redirect URI, stored nothing): the reset
        // clears exactly these.
        if (e.TryGetProperty("responseStatusCode", out _) && e.TryGetProperty("request", out var request) && request.TryGetProperty("url", out var url)
            && Uri.TryCreate(url.GetString(), UriKind.Absolute, out var address) && address.Scheme is "http" or "https")
        {
            lock (origins)
            {
                origins.Add(address.GetLeftPart(UriPartial.Authority));
            }
        }

        if (ReferenceEquals(cdp, Cdp) && Volatile.Read(ref listener) is { } flow)
        {
            await flow.OnPausedAsync(cdp, e).ConfigureAwait(false);
            return;
        }

        // No flow is using the tab (between calls, or a page being replaced): nothing it loads now was asked for, and
        // a script left on the last page must not reach a redirect URI or anywhere else unseen. Aborted.
        try
        {
            await cdp.SendAsync("Fetch.failRequest", new Dictionary<string, object> { ["requestId"] = e.GetProperty("requestId").GetString()!, ["errorReason"] = "Aborted" }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or ObjectDisposedException or KeyNotFoundException or InvalidOperationException)
        {
            // The page is closing or the request is gone.
        }
    }

    /// <summary>
    /// Makes the tab what a fresh one is to a server, so a next user agent can have it without a new context and
    /// renderer process (most of a short browser flow's cost): every cookie of the context and every kind of storage
    /// of every origin the tab loaded a document from (local storage, IndexedDB, cache storage, service workers, file
    /// systems) cleared, and session storage, which belongs to the page rather than the origin, with it. Kept: the
    /// HTTP cache (what a server lets any browser cache; pages marked no-store are not kept) and the renderer process,
    /// which is what makes it cheaper. True when the tab was checked clean: no cookie left.
    /// </summary>
    public async Task<bool> ResetAsync(TimeSpan timeout)
    {
        Release();
        string[] visited;
        lock (origins)
        {
            visited = [.. origins];
            origins.Clear();
        }

        var current = Uri.TryCreate(Page.Url, UriKind.Absolute, out var at) && at.Scheme is "http" or "https" ? at.GetLeftPart(UriPartial.Authority) : null;
        if (visited.All(o => o == current))
        {
            // One origin, still shown: its session storage is cleared through its frame, and the page is kept (the
            // next flow's same-site navigation stays in its renderer process, scripts compiled once).
            if (current is not null)
            {
                await Cdp.SendAsync("DOMStorage.clear", new Dictionary<string, object>
                {
                    ["storageId"] = new Dictionary<string, object> { ["securityOrigin"] = current, ["isLocalStorage"] = false },
                }).WaitAsync(timeout).ConfigureAwait(false);
            }

            await Page.GotoAsync("about:blank", new PageGotoOptions { Timeout = (float)timeout.TotalMilliseconds }).ConfigureAwait(false);
        }
        else
        {
            // Session storage of an origin no longer shown cannot be reached: a new page (a new top-level browsing
            // context) has none, and the old one's scripts stop with it.
            await ReplacePageAsync().WaitAsync(timeout).ConfigureAwait(false);
        }

        await context.ClearCookiesAsync().ConfigureAwait(false);
        foreach (var origin in visited)
        {
            await Cdp.SendAsync("Storage.clearDataForOrigin", new Dictionary<string, object> { ["origin"] = origin, ["storageTypes"] = "all" }).WaitAsync(timeout).ConfigureAwait(false);
        }

        return (await context.CookiesAsync().ConfigureAwait(false)).Count == 0;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await Quietly(context.CloseAsync()).ConfigureAwait(false);
    }

    private static async Task Quietly(Task closing)
    {
        try
        {
            await closing.ConfigureAwait(false);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or ObjectDisposedException)
        {
            // Closed already, or the browser is gone: the state wanted.
        }
    }
}
