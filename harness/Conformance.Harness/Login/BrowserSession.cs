using System.Diagnostics;
using Conformance.Harness.Browser;
using Microsoft.Playwright;

namespace Conformance.Harness.Login;

/// <summary>
/// One headless Chromium for the whole run, driven by Playwright. The browser is the one <see cref="BrowserLocator"/>
/// finds (<c>CONFORMANCE_CHROMIUM</c>, Playwright's installed Chromium, or the system's): launching never downloads one.
/// Every user agent gets a context no other user agent is using (see <see cref="BrowserTab"/>, opened ahead): a fresh
/// one, or one an earlier user agent of the same user gave back and that was reset (no cookie, no storage; see
/// <see cref="BrowserTab.ResetAsync"/>), so flows never share a login even though they share the process.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>
    /// No sandbox (containers and CI run as root), no GPU, and none of the background traffic a desktop
    /// browser makes on its own (updates, sync, field trials, QUIC probes): the only requests are the flow's.
    /// </summary>
    public static IReadOnlyList<string> ChromiumArguments { get; } =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ];

    private readonly IPlaywright playwright;
    private readonly IBrowser browser;
    private int disposed;

    private BrowserSession(IPlaywright playwright, IBrowser browser, string executablePath, TimeSpan startTime, string scratch)
    {
        this.playwright = playwright;
        this.browser = browser;
        ExecutablePath = executablePath;
        StartTime = startTime;
        TraceScratchDirectory = scratch;
    }

    /// <summary>
    /// Playwright's intermediate trace files (a private 0700 temp directory, never the artifacts directory: they
    /// hold what was typed). Each flow's files are deleted when the flow ends; the directory when the session ends.
    /// </summary>
    internal string TraceScratchDirectory { get; }

    public string ExecutablePath { get; }

    /// <summary>The Chromium version, e.g. <c>139.0.7258.154</c>.</summary>
    public string Version => browser.Version;

    /// <summary>How long starting Playwright's driver and launching Chromium took.</summary>
    public TimeSpan StartTime { get; }

    /// <summary>The running browser, for work that needs no flow context of its own: the reports print the PDF in it rather than start a second Chromium.</summary>
    public IBrowser Browser => browser;

    public bool IsConnected => Volatile.Read(ref disposed) == 0 && browser.IsConnected;

    /// <summary>
    /// Starts Playwright and a headless Chromium. Never throws for a missing or broken browser: the reason comes
    /// back instead, so suites can report browser flows as not run.
    /// </summary>
    /// <param name="executablePath">Chromium to launch; by default the one <see cref="BrowserLocator.Default"/> finds.</param>
    /// <param name="launchTimeout">Upper bound for the launch; 30 s by default.</param>
    public static async Task<(BrowserSession? Session, string? Unavailable)> TryStartAsync(string? executablePath = null, TimeSpan? launchTimeout = null)
    {
        var location = string.IsNullOrWhiteSpace(executablePath) ? BrowserLocator.Default.Locate() : BrowserLocator.Default.Explicit(executablePath, "the Chromium path given");
        if (location.Path is not { } path)
        {
            return (null, location.Message);
        }

        // Launching must never fetch a browser: installing one is the first-run set-up's decision (BrowserSetup), said aloud.
        if (Environment.GetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD") is null)
        {
            Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        }

        var clock = Stopwatch.StartNew();
        IPlaywright playwright;
        try
        {
            playwright = await Playwright.CreateAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is PlaywrightException or InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            return (null, $"the Playwright driver could not start: {FirstLine(e.Message)}");
        }

        string scratch;
        try
        {
            // Created 0700 on Unix: only this user can read the raw traces while a flow runs.
            scratch = Directory.CreateTempSubdirectory("conformance-browser-").FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            playwright.Dispose();
            return (null, $"no temporary directory for the browser: {e.Message}");
        }

        try
        {
            var options = new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                ChromiumSandbox = false,
                Args = ChromiumArguments,
                Timeout = (float)(launchTimeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds,
                HandleSIGINT = false,
                HandleSIGTERM = false,
                HandleSIGHUP = false,
                TracesDir = scratch,
                DownloadsPath = scratch,
            };

            var browser = await playwright.Chromium.LaunchAsync(options).ConfigureAwait(false);
            return (new BrowserSession(playwright, browser, path, clock.Elapsed, scratch), null);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            playwright.Dispose();
            DeleteDirectory(scratch);
            return (null, $"Chromium at {path} failed to launch: {FirstLine(e.Message)}");
        }
    }

    /// <summary>
    /// How many tabs (a fresh context with its intercepted page, see <see cref="BrowserTab"/>) are kept opening ahead
    /// of the user agents that will take them: opening one costs a few hundred milliseconds of DevTools calls and a
    /// renderer process, which a flow would otherwise wait for. Two cover the suites' four workers between takes;
    /// a tab never opened for a user agent is never handed to a second one, so no two flows share cookies.
    /// </summary>
    private const int TabsAhead = 2;

    private readonly Queue<Task<BrowserTab>> ahead = new();
    private readonly List<Task> closing = [];
    private readonly Lock tabs = new();

    /// <summary>
    /// Tabs given back by closed user agents and reset (<see cref="BrowserTab.ResetAsync"/>), by the user who signed
    /// in in them ("" for none): a tab goes back only to a user agent of the same user, so nothing a server might have
    /// let the HTTP cache keep of one user's pages is shown to another. At most <see cref="MaxRecycled"/> are kept.
    /// </summary>
    private readonly Dictionary<string, Queue<Task<BrowserTab?>>> recycled = new(StringComparer.Ordinal);
    private int recycledCount;
    private int tabsReused;

    /// <summary>How many user agents got a tab given back and reset, rather than a new context (for the run's timing line and tests).</summary>
    public int TabsReused => Volatile.Read(ref tabsReused);

    /// <summary>How many fresh contexts were opened (ahead or on demand).</summary>
    public int TabsOpened => Volatile.Read(ref tabsOpened);

    private int tabsOpened;

    private const int MaxRecycled = 8;

    /// <summary>
    /// A tab for one user agent of <paramref name="owner"/> (a user name, or "" before any user): one given back by
    /// an earlier user agent of the same user and reset when there is one, else a fresh one opened ahead (the next
    /// one starts opening meanwhile).
    /// </summary>
    internal async Task<BrowserTab> TakeTabAsync(string owner, TimeSpan timeout)
    {
        while (TakeRecycled(owner) is { } reset)
        {
            try
            {
                if (await reset.WaitAsync(timeout).ConfigureAwait(false) is { } again)
                {
                    Interlocked.Increment(ref tabsReused);
                    return again;
                }
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                Forget(reset);
            }
        }

        return await TakeFreshTabAsync(timeout).ConfigureAwait(false);
    }

    private Task<BrowserTab?>? TakeRecycled(string owner)
    {
        lock (tabs)
        {
            if (recycled.TryGetValue(owner, out var queue) && queue.TryDequeue(out var reset))
            {
                recycledCount--;
                return reset;
            }

            return null;
        }
    }

    private async Task<BrowserTab> TakeFreshTabAsync(TimeSpan timeout)
    {
        Task<BrowserTab>? opened;
        lock (tabs)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
            ahead.TryDequeue(out opened);
            while (ahead.Count < TabsAhead)
            {
                ahead.Enqueue(BrowserTab.OpenAsync(this));
            }
        }

        if (opened is not null)
        {
            try
            {
                return await opened.WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                // Opened ahead and failed (or still hanging): one more try now, whose failure is the one reported.
                Forget(opened!);
            }
        }

        return await BrowserTab.OpenAsync(this).WaitAsync(timeout).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives back the tab of a user agent that is done and whose last flow ended cleanly, to be reset in the
    /// background and handed to a next user agent of the same <paramref name="owner"/>; a tab that cannot be reset,
    /// or checked clean, is closed instead, as is one over <see cref="MaxRecycled"/>.
    /// </summary>
    internal void Recycle(BrowserTab tab, string owner)
    {
        lock (tabs)
        {
            if (Volatile.Read(ref disposed) == 0 && recycledCount < MaxRecycled)
            {
                if (!recycled.TryGetValue(owner, out var queue))
                {
                    recycled[owner] = queue = new Queue<Task<BrowserTab?>>();
                }

                queue.Enqueue(ResetOrCloseAsync(tab));
                recycledCount++;
                return;
            }
        }

        Close(tab);
    }

    private async Task<BrowserTab?> ResetOrCloseAsync(BrowserTab tab)
    {
        try
        {
            if (await tab.ResetAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false))
            {
                return tab;
            }
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or ObjectDisposedException or InvalidOperationException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            // Not reset (the browser, the page or a DevTools call failed): closed below, and the next user agent gets a fresh tab.
        }

        Close(tab);
        return null;
    }

    /// <summary>Closes a user agent's tab without holding its flow: the context is nobody's any more, and the session waits for it at the end.</summary>
    internal void Close(BrowserTab tab)
    {
        var closed = tab.DisposeAsync().AsTask();
        lock (tabs)
        {
            closing.RemoveAll(t => t.IsCompleted);
            closing.Add(closed);
        }
    }

    /// <summary>A tab that was opened ahead and not taken: closed once it is open, its failure (if any) observed.</summary>
    private void Forget<T>(Task<T> opening)
    {
        // A failed opening's exception is read here, so it is observed rather than reported as unobserved at a later GC.
        var closed = opening.ContinueWith(t => t.IsCompletedSuccessfully && t.Result is BrowserTab tab ? tab.DisposeAsync().AsTask() : Task.FromResult(t.Exception), TaskScheduler.Default).Unwrap();
        lock (tabs)
        {
            closing.Add(closed);
        }
    }

    /// <summary>A fresh browser context for one flow: no cookies, no storage, no service workers.</summary>
    internal async Task<IBrowserContext> NewContextAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        Interlocked.Increment(ref tabsOpened);
        return await browser.NewContextAsync(new BrowserNewContextOptions
        {
            // A service worker could answer a navigation itself, out of reach of the redirect interception.
            ServiceWorkers = ServiceWorkerPolicy.Block,
            AcceptDownloads = false,
            Locale = "en-US",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        }).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        List<Task> pending;
        lock (tabs)
        {
            foreach (var opening in ahead)
            {
                Forget(opening);
            }

            ahead.Clear();
            foreach (var reset in recycled.Values.SelectMany(q => q))
            {
                Forget(reset);
            }

            recycled.Clear();
            recycledCount = 0;
            pending = [.. closing];
        }

        try
        {
            // Contexts still closing (or opening) are closed with the browser anyway; the wait is bounded so a hung one cannot hold the run.
            await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or ObjectDisposedException)
        {
            // The browser closes them below.
        }

        try
        {
            await browser.CloseAsync().ConfigureAwait(false);
        }
        catch (PlaywrightException)
        {
            // Already gone (crashed or killed): nothing left to close.
        }

        await browser.DisposeAsync().ConfigureAwait(false);
        playwright.Dispose();
        DeleteDirectory(TraceScratchDirectory);
    }

    /// <summary>Removes the intermediate files of one trace (named by <see cref="TracingStartOptions.Name"/>): its action and network logs.</summary>
    internal void DeleteTrace(string name)
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(TraceScratchDirectory, name + "*"))
            {
                File.Delete(file);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the whole directory goes when the session ends.
        }
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: it is a private temp directory.
        }
    }

    /// <summary>Playwright messages carry a call log after the first line; the first line says what went wrong.</summary>
    internal static string FirstLine(string message)
    {
        var line = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? message;
        return line.Length > 300 ? line[..300] + "..." : line;
    }
}
