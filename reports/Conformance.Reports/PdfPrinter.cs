using System.Diagnostics;
using Conformance.Harness.Browser;
using Conformance.Harness.Login;
using Microsoft.Playwright;

namespace Conformance.Reports;

/// <summary>
/// Prints the HTML review to PDF with Playwright (<c>Page.PdfAsync</c>): in the browser the caller already runs, or
/// else in one launched for the print from the executable <see cref="BrowserLocator"/> finds (never a downloaded one).
/// </summary>
public static class PdfPrinter
{
    /// <summary>The browser to print with: <paramref name="configured"/> (--chromium) as it is, else what the locator finds.</summary>
    public static BrowserLocation Browser(string? configured) =>
        string.IsNullOrWhiteSpace(configured) ? BrowserLocator.Default.Locate() : BrowserLocator.Default.Explicit(configured, "--chromium");

    /// <summary>Launches the located browser, prints, and closes it; without a browser the HTML stands in and the reason is given.</summary>
    public static RenderOutcome Print(string html, string pdf, BrowserLocation browser, TimeSpan timeout, string paper = "A4")
    {
        if (browser.Path is not { } path)
        {
            return new RenderOutcome("PDF", null, $"no browser to print with, the HTML review stands in: {browser.Message}", TimeSpan.Zero);
        }

        return Run(html, pdf, timeout, paper, null, path);
    }

    /// <summary>Prints in a browser the caller runs (the suites' own): a context of its own is opened and closed, the browser is left running.</summary>
    public static RenderOutcome Print(string html, string pdf, IBrowser browser, TimeSpan timeout, string paper = "A4")
    {
        ArgumentNullException.ThrowIfNull(browser);
        return Run(html, pdf, timeout, paper, browser, null);
    }

    private static RenderOutcome Run(string html, string pdf, TimeSpan timeout, string paper, IBrowser? borrowed, string? executable)
    {
        var clock = Stopwatch.StartNew();
        File.Delete(pdf);
        try
        {
            // Playwright is asynchronous and the reports API is not (a suite's teardown calls it): Task.Run keeps a
            // caller's synchronization context out of the wait, so blocking here cannot deadlock.
            Task.Run(() => PrintAsync(html, pdf, timeout, paper, borrowed, executable)).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or IOException or UnauthorizedAccessException or InvalidOperationException or OperationCanceledException)
        {
            var why = clock.Elapsed >= timeout ? $"the browser did not print within {timeout.TotalSeconds:0} s" : "the browser did not print";
            return new RenderOutcome("PDF", null, $"{why}, the HTML review stands in: {FirstLine(e.Message)}", clock.Elapsed);
        }

        return File.Exists(pdf) && new FileInfo(pdf).Length > 0
            ? new RenderOutcome("PDF", pdf, null, clock.Elapsed)
            : new RenderOutcome("PDF", null, "the browser wrote no PDF, the HTML review stands in", clock.Elapsed);
    }

    private static async Task PrintAsync(string html, string pdf, TimeSpan timeout, string paper, IBrowser? borrowed, string? executable)
    {
        var milliseconds = (float)timeout.TotalMilliseconds;
        IPlaywright? playwright = null;
        IBrowser? launched = null;
        IBrowserContext? context = null;
        // PdfAsync takes no timeout: at the deadline the context (or the browser launched here) is closed, which
        // ends whatever is pending with an exception, so a hung print cannot hold the run.
        using var deadline = new CancellationTokenSource(timeout);
        await using var stop = deadline.Token.Register(() => _ = (launched is not null ? launched.CloseAsync() : context?.CloseAsync() ?? Task.CompletedTask));
        try
        {
            if (borrowed is null)
            {
                playwright = await Playwright.CreateAsync().ConfigureAwait(false);
                launched = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = executable,
                    Headless = true,
                    // The harness's flags: no sandbox (root in CI and containers), no background traffic of Chromium's own.
                    ChromiumSandbox = false,
                    Args = BrowserSession.ChromiumArguments,
                    Timeout = milliseconds,
                    HandleSIGINT = false,
                    HandleSIGTERM = false,
                    HandleSIGHUP = false,
                }).ConfigureAwait(false);
            }

            // No script runs while printing: the review has none, and should escaping ever fail, text from the server
            // under test still could not act in the browser that renders it.
            context = await (borrowed ?? launched!).NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false }).ConfigureAwait(false);
            deadline.Token.ThrowIfCancellationRequested();
            var page = await context.NewPageAsync().ConfigureAwait(false);
            await page.GotoAsync(new Uri(Path.GetFullPath(html)).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = milliseconds }).ConfigureAwait(false);
            await page.PdfAsync(new PagePdfOptions
            {
                Path = Path.GetFullPath(pdf),
                Format = paper,
                PrintBackground = true,
                DisplayHeaderFooter = false,
                Margin = new Margin { Top = "14mm", Bottom = "14mm", Left = "12mm", Right = "12mm" },
            }).ConfigureAwait(false);
        }
        finally
        {
            if (context is not null)
            {
                await Quietly(context.CloseAsync()).ConfigureAwait(false);
            }

            if (launched is not null)
            {
                await Quietly(launched.CloseAsync()).ConfigureAwait(false);
            }

            playwright?.Dispose();
        }
    }

    /// <summary>Closing after a deadline may find the target already closed; that is the state wanted.</summary>
    private static async Task Quietly(Task closing)
    {
        try
        {
            await closing.ConfigureAwait(false);
        }
        catch (PlaywrightException)
        {
            // Already closed (by the deadline, or by the browser ending): nothing left to close.
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
