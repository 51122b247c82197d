using Conformance.Harness.Http;
using Microsoft.Playwright;

namespace Conformance.Harness.Login;

/// <summary>
/// A screenshot shows what a text scan cannot read. Before one is taken, every text node, input value and
/// placeholder of the page passes through the run's redactor (every secret in every encoding, spent tokens, JWTs),
/// and what it changes is written back into the page; the page is then read again, and a screenshot is taken only
/// if nothing secret is left. Otherwise no screenshot is taken, and the reason says so.
/// </summary>
internal static class ScreenshotMask
{
    private static readonly string Script = BrowserPageReader.Load("Conformance.Harness.Login.ScreenshotMask.js");

    /// <summary>Masks the page; null when it is safe to capture, else why no screenshot may be taken.</summary>
    public static async Task<string?> ApplyAsync(IPage page, Redactor redactor, TimeSpan timeout)
    {
        try
        {
            var texts = await page.EvaluateAsync<string[]>(Script, new { mode = "read" }).WaitAsync(timeout).ConfigureAwait(false);
            var masked = texts.Select(t => redactor.Text(t) is var m && m != t ? m : null).ToArray();
            if (masked.Any(m => m is not null))
            {
                var replaced = await page.EvaluateAsync<int>(Script, new { mode = "write", texts = masked }).WaitAsync(timeout).ConfigureAwait(false);
                if (replaced < 0)
                {
                    return "the page changed while its secrets were being masked";
                }
            }

            // Read again: a page that re-renders (a script restoring the text) must not be captured.
            var after = await page.EvaluateAsync<string[]>(Script, new { mode = "read" }).WaitAsync(timeout).ConfigureAwait(false);
            return after.Any(t => redactor.Text(t) != t) ? "the page still showed a secret after masking" : null;
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            return "its text could not be checked for secrets (" + BrowserSession.FirstLine(e.Message) + ")";
        }
    }
}
