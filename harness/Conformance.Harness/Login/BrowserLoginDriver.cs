using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using Microsoft.Playwright;

namespace Conformance.Harness.Login;

/// <summary>
/// The login driver that uses a real browser: headless Chromium through Playwright, one browser context per
/// user agent at a time (reset before a next user agent of the same user has it). It logs in the way a person would
/// (JavaScript, widgets, identifier-first pages) and is the driver to use when an issuer's pages cannot be understood
/// at the HTTP level (Okta's Sign-In Widget).
/// </summary>
/// <param name="session">The run's Chromium (see <see cref="BrowserSession.TryStartAsync"/>).</param>
/// <param name="login">Selectors (<c>username</c>, <c>password</c>, <c>submit</c>, <c>next</c>, <c>otp</c>, <c>consent</c>) that override the guesses.</param>
/// <param name="redactor">Masks secrets in messages, evidence and kept traces.</param>
/// <param name="artifactsDirectory">A failed flow leaves a screenshot and a trace under <c>browser/</c> here.</param>
/// <param name="recorder">When given, every page the browser loads is recorded as evidence of the running check, like the form driver's requests.</param>
/// <param name="flowTimeout">Upper bound of one call to the user agent; 30 s by default.</param>
public sealed class BrowserLoginDriver(
    BrowserSession session,
    LoginProfile login,
    Redactor redactor,
    string artifactsDirectory,
    EvidenceRecorder? recorder = null,
    TimeSpan? flowTimeout = null) : ILoginDriver
{
    public static readonly TimeSpan DefaultFlowTimeout = TimeSpan.FromSeconds(30);

    public string Name => "browser";

    public TimeSpan FlowTimeout { get; } = flowTimeout ?? DefaultFlowTimeout;

    /// <summary>Where screenshots and traces of failed flows go.</summary>
    public string BrowserArtifactsDirectory { get; } = Path.Combine(artifactsDirectory, "browser");

    internal BrowserSession Session => session;

    internal LoginProfile Login => login;

    internal Redactor Redactor => redactor;

    internal EvidenceRecorder? Recorder => recorder;

    public IUserAgent NewUserAgent() => new BrowserUserAgent(this);
}

/// <summary>
/// One browser context (its own cookies) with one page (see <see cref="BrowserTab"/>, kept from call to call as a
/// person keeps a tab), driven through one flow at a time. The client's redirect URI is never
/// contacted: every navigation is intercepted below Playwright with the DevTools Fetch domain, at the request
/// stage (a navigation or a form_post to the redirect URI) and at the response stage (an HTTP redirect whose
/// Location is the redirect URI, which Playwright's own routes cannot see), and aborted once its parameters
/// are read. Redirect URIs with custom schemes work the same way, since the redirect is caught before the
/// browser tries to follow it.
/// </summary>
public sealed partial class BrowserUserAgent : PageUserAgent
{
    private const int MaxSteps = 25;
    private const string TracePrefix = "flow-";
    private const int MaxRecordedBody = 64 * 1024;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a password or code form seen again after it was sent, without an error, is watched (from the last navigation it started) before the user is called refused.</summary>
    private static readonly TimeSpan ReRenderGrace = TimeSpan.FromSeconds(3);

    /// <summary>How long a page that shows nothing the driver understands is watched before the flow gives up (widgets render late).</summary>
    private static readonly TimeSpan NotUnderstoodAfter = TimeSpan.FromSeconds(10);

    /// <summary>How long a loaded page is watched for a script redirect when nothing may be filled in.</summary>
    private static readonly TimeSpan QuietPage = TimeSpan.FromMilliseconds(1500);

    /// <summary>Upper bound for one of the driver's page scripts: a page busy in a script of its own must not hold the flow past its deadline.</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Upper bound for one page to react to a submitted form before the flow gives up.</summary>
    private static readonly TimeSpan ReactionTimeout = TimeSpan.FromSeconds(15);

    /// <summary>After an action: is the acted-on element still shown, and which error does the page show (embedded, see the project file).</summary>
    private static readonly string ReactionScript = BrowserPageReader.Load("Conformance.Harness.Login.PageReaction.js");

    /// <summary>The page's title, shown error and text, for messages.</summary>
    private static readonly string DescribeScript = BrowserPageReader.Load("Conformance.Harness.Login.PageDescription.js");

    private readonly BrowserLoginDriver driver;
    private readonly SemaphoreSlim gate = new(1, 1);
    private BrowserTab? tab;

    /// <summary>Who signed in in this user agent's tab: it is recycled for one user only.</summary>
    private readonly HashSet<string> users = new(StringComparer.Ordinal);

    /// <summary>The last flow failed or was cancelled: its page is replaced before the next call uses the tab.</summary>
    private bool stale;
    private int disposed;

    internal BrowserUserAgent(BrowserLoginDriver driver) => this.driver = driver;

    private LoginProfile Login => driver.Login;

    private Redactor Redactor => driver.Redactor;

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (tab is not null)
            {
                // In the background: nothing is left to wait for in a context no flow will use again. A tab whose flows
                // all ended cleanly, for at most one user, is reset and kept for that user's next user agent.
                if (!stale && users.Count <= 1)
                {
                    driver.Session.Recycle(tab, users.SingleOrDefault() ?? "");
                }
                else
                {
                    driver.Session.Close(tab);
                }
            }
        }
        finally
        {
            gate.Release();
            gate.Dispose();
        }
    }

    private protected override async Task<AuthorizationResponse> RunAsync(Uri start, Uri stopAt, UserProfile? user, UserAgentTask task, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (user is not null)
            {
                Redactor.AddSecret(user.Password.Reveal());
                users.Add(user.Username);
            }

            try
            {
                tab ??= await driver.Session.TakeTabAsync(user?.Username ?? "", driver.FlowTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (IsBrowserError(e) || e is ObjectDisposedException)
            {
                throw new LoginFailedException($"the browser could not open a new context (has Chromium crashed or been closed?): {BrowserSession.FirstLine(e.Message)}");
            }

            if (stale)
            {
                stale = false;
                await ReplacePageAsync().ConfigureAwait(false);
            }

            var context = tab.Context;

            var flowId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));

            // The trace records every action with its arguments and every request body: the typed password, the
            // one-time code, session cookies. So it is kept only when the flow fails, and then rewritten with the
            // secrets masked (see TraceScrubber). Snapshots and sources stay off: they would copy whole DOMs (with
            // the typed values) and the harness's source into the file. Screencast frames stay off too: a page that
            // echoes a secret shows it in pixels no scrub can read, and frames are taken before any mask could be
            // applied (the failure screenshot is masked first, see ScreenshotMask). Residual risk: while a flow runs, the
            // unscrubbed intermediate files exist in the session's private 0700 temp directory (deleted when the
            // flow ends, and the directory when the session ends; a killed process leaves them behind), and a
            // secret the page itself re-encodes (hashed, encrypted, split over requests) would survive the scrub.
            await context.Tracing.StartAsync(new TracingStartOptions
            {
                Screenshots = false,
                Snapshots = false,
                Sources = false,
                Title = $"{task.ToString().ToLowerInvariant()} {flowId}",
                Name = TracePrefix + flowId,
            }).ConfigureAwait(false);

            var page = tab.Page;
            var flow = new Flow(this, tab, stopAt, user, task, driver.Recorder?.CurrentScope, driver.FlowTimeout);
            var typed = new List<string>();
            var tracing = true;
            var finished = false;
            try
            {
                var response = await flow.RunAsync(start, typed, ct).ConfigureAwait(false);
                Redactor.AddArtefact(response.Code);
                finished = true;
                return response;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is LoginFailedException or PlaywrightException or TimeoutException or OperationCanceledException)
            {
                var message = e switch
                {
                    LoginFailedException => e.Message,
                    OperationCanceledException => $"no redirect to {Redactor.Url(stopAt)} within {driver.FlowTimeout.TotalSeconds:0} s; last page {await flow.DescribeAsync().ConfigureAwait(false)}",
                    TimeoutException when flow.Expired => $"no redirect to {Redactor.Url(stopAt)} within {driver.FlowTimeout.TotalSeconds:0} s; last page {await flow.DescribeAsync().ConfigureAwait(false)}",
                    _ => $"the browser failed at {Redactor.Url(SafeUrl(page))}: {Redactor.Text(BrowserSession.FirstLine(e.Message))}",
                };
                tracing = false;
                var artifacts = await KeepArtifactsAsync(page, flowId, user, typed).ConfigureAwait(false);
                throw new LoginFailedException($"{message} ({artifacts})");
            }
            finally
            {
                if (tracing)
                {
                    // Success, cancellation or an unreachable issuer: the trace is discarded unwritten.
                    await StopTracingAsync(null).ConfigureAwait(false);
                }

                driver.Session.DeleteTrace(TracePrefix + flowId);

                tab.Release();
                // A failed or cancelled flow may have left its page anywhere (a script mid-way, a hung document): a
                // next call starts on a new one, in the same context.
                stale = !finished;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task ReplacePageAsync()
    {
        try
        {
            await tab!.ReplacePageAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (IsBrowserError(e))
        {
            // The browser is gone: the next call says so when it cannot use the page.
        }
    }

    private async Task StopTracingAsync(string? path)
    {
        try
        {
            // Without a path the trace is discarded.
            await tab!.Context.Tracing.StopAsync(path is null ? null : new TracingStopOptions { Path = path }).ConfigureAwait(false);
        }
        catch (Exception e) when (IsBrowserError(e))
        {
            // A crashed browser leaves no trace to stop.
        }
    }

    /// <summary>A screenshot and a scrubbed trace of the failed flow; returns the sentence naming them.</summary>
    private async Task<string> KeepArtifactsAsync(IPage page, string flowId, UserProfile? user, List<string> typed)
    {
        var directory = driver.BrowserArtifactsDirectory;
        var stem = Path.Combine(directory, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{flowId}");
        var screenshot = stem + ".png";
        var trace = stem + ".trace.zip";
        var raw = Path.Combine(driver.Session.TraceScratchDirectory, $"{TracePrefix}{flowId}-raw.zip");
        var parts = new List<string>();
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await StopTracingAsync(null).ConfigureAwait(false);
            return $"no screenshot or trace: {directory} cannot be created ({e.Message})";
        }

        foreach (var value in typed)
        {
            // One-time codes the flow typed: masked on the page before the screenshot, like the password.
            Redactor.AddSecret(value);
        }

        try
        {
            if (await ScreenshotMask.ApplyAsync(page, Redactor, TimeSpan.FromSeconds(5)).ConfigureAwait(false) is { } unsafeToCapture)
            {
                parts.Add("no screenshot: " + unsafeToCapture);
            }
            else
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true, Timeout = 5000, Type = ScreenshotType.Png }).ConfigureAwait(false);
                parts.Add("screenshot " + screenshot);
            }
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or IOException)
        {
            parts.Add("no screenshot: " + BrowserSession.FirstLine(e.Message));
        }

        try
        {
            await tab!.Context.Tracing.StopAsync(new TracingStopOptions { Path = raw }).ConfigureAwait(false);
            var secrets = typed.ToList();
            if (user is not null)
            {
                secrets.Add(user.Password.Reveal());
                if (user.TotpSecret is not null)
                {
                    secrets.Add(user.TotpSecret.Reveal());
                }
            }

            TraceScrubber.Scrub(raw, trace, secrets, Redactor);
            parts.Add("trace " + trace);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            parts.Add("no trace: " + BrowserSession.FirstLine(e.Message));
        }
        finally
        {
            TryDelete(raw);
        }

        return string.Join("; ", parts);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort; the raw trace lives in the artifacts directory only until the next cleanup.
        }
    }

    /// <summary>Playwright reports a failed call as a PlaywrightException and a timed-out one as a System.TimeoutException.</summary>
    private static bool IsBrowserError(Exception e) => e is PlaywrightException or TimeoutException;

    private static string SafeUrl(IPage page)
    {
        try
        {
            return page.Url;
        }
        catch (Exception e) when (IsBrowserError(e))
        {
            return "(page closed)";
        }
    }
}
