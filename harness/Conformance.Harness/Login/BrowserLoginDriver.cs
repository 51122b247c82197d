using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using Microsoft.Playwright;

namespace Conformance.Harness.Login;

/// <summary>
/// The login driver that uses a real browser: headless Chromium through Playwright, one browser context per
/// user agent. It logs in the way a person would (JavaScript, widgets, identifier-first pages) and is the
/// driver to use when an issuer's pages cannot be understood at the HTTP level (Okta's Sign-In Widget).
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
/// One browser context (its own cookies) driven through one flow at a time. The client's redirect URI is never
/// contacted: every navigation is intercepted below Playwright with the DevTools Fetch domain, at the request
/// stage (a navigation or a form_post to the redirect URI) and at the response stage (an HTTP redirect whose
/// Location is the redirect URI, which Playwright's own routes cannot see), and aborted once its parameters
/// are read. Redirect URIs with custom schemes work the same way, since the redirect is caught before the
/// browser tries to follow it.
/// </summary>
public sealed class BrowserUserAgent : IUserAgent
{
    private const int MaxSteps = 25;
    private const string TracePrefix = "flow-";
    private const int MaxRecordedBody = 64 * 1024;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a page that shows nothing the driver understands is watched before the flow gives up (widgets render late).</summary>
    private static readonly TimeSpan NotUnderstoodAfter = TimeSpan.FromSeconds(10);

    /// <summary>How long a loaded page is watched for a script redirect when nothing may be filled in.</summary>
    private static readonly TimeSpan QuietPage = TimeSpan.FromMilliseconds(1500);

    /// <summary>Upper bound for one of the driver's page scripts: a page busy in a script of its own must not hold the flow past its deadline.</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Upper bound for one page to react to a submitted form before the flow gives up.</summary>
    private static readonly TimeSpan ReactionTimeout = TimeSpan.FromSeconds(15);

    private static readonly string[] AllowWords = ["allow", "accept", "approve", "consent", "grant", "authorize", "authorise", "yes"];
    private static readonly string[] DenyWords = ["deny", "don't", "dont", "do", "not", "cancel", "reject", "decline", "no"];

    // Defaults, in order of preference. Okta Classic widget, Okta Identity Engine, then what generic pages use.
    private static readonly string[] PasswordSelectors =
    [
        "#okta-signin-password",
        "input[name='credentials.passcode'][type=password]",
        "input[type=password]:not([autocomplete=one-time-code]):not([name*=otp i]):not([name*=totp i]):not([name=answer])",
    ];

    private static readonly string[] UsernameSelectors =
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
    private static readonly string[] UsernameInFormSelectors = [.. UsernameSelectors, "input[type=text]", "input:not([type])"];

    private static readonly string[] OtpSelectors =
    [
        "input[autocomplete=one-time-code]",
        "input[name='credentials.passcode']:not([type=password])",
        "input[name*=otp i]:not([type=hidden])",
        "input[name*=totp i]:not([type=hidden])",
        "input[name*=passcode i]:not([type=hidden]):not([type=password])",
        "input[name=answer]:not([type=hidden])",
        "input[name*=code i]:not([type=hidden]):not([type=password]):not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=button])",
    ];

    private static readonly string[] SubmitSelectors =
    [
        "#okta-signin-submit",
        "[data-type=save]",
        "button[type=submit]",
        "input[type=submit]",
        "button:not([type])",
    ];

    private const string ErrorSelector =
        "[role=alert], .o-form-error-container, .okta-form-infobox-error, .error, .alert-danger, .alert-error, .validation-summary-errors, .field-validation-error";

    /// <summary>Marks the allow button of a consent page so a locator can find it again.</summary>
    private const string AllowMarker = "data-conformance-allow";

    private const string UsernameMarker = "data-conformance-username";

    private const string SubmitMarker = "data-conformance-submit";

    // Visible as Playwright means it: a non-empty box and not visibility:hidden.
    private const string Helpers = """
        const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
        const squash = s => (s || '').replace(/\s+/g, ' ').trim();
        const pick = (list, root, not) => { for (const s of list) { let all; try { all = root.querySelectorAll(s); } catch { continue; } for (const e of all) if (e !== not && visible(e)) return e; } return null; };
        const errors = sel => [...document.querySelectorAll(sel)].filter(visible).map(e => squash(e.innerText)).filter(t => t).join(' | ');
        """;

    /// <summary>
    /// Everything one poll needs, in one round trip: which default selector of each kind matches a visible
    /// element, the consent button (marked), the forms that post (for form_post), the error shown, readyState.
    /// </summary>
    private const string SnapshotScript = "({ lists, allow, deny, errorSelector, marker }) => {\n" + Helpers + """
          const found = {};
          for (const [kind, list] of Object.entries(lists)) found[kind] = list.find(s => { try { return [...document.querySelectorAll(s)].some(visible); } catch { return false; } }) || null;
          document.querySelectorAll('[' + marker + ']').forEach(e => e.removeAttribute(marker));
          let consent = false;
          if (allow.length) {
            for (const b of document.querySelectorAll('button, input[type=submit], input[type=button], [role=button]')) {
              if (!visible(b)) continue;
              const words = squash((b.innerText || '') + ' ' + (b.value || '') + ' ' + (b.getAttribute('aria-label') || '')).toLowerCase().split(/[\s\-_,.!]+/).filter(w => w);
              if (words.some(w => allow.includes(w)) && !words.some(w => deny.includes(w))) { b.setAttribute(marker, ''); consent = true; break; }
            }
          }
          const posts = [...document.forms].filter(f => (f.getAttribute('method') || '').toLowerCase() === 'post')
            .map(f => ({ action: f.action, fields: [...f.elements]
              .filter(e => e.name && !e.disabled && !['submit', 'button', 'image', 'reset', 'file'].includes(e.type) && (!['checkbox', 'radio'].includes(e.type) || e.checked))
              .map(e => [e.name, e.value]) }));
          return { ready: document.readyState, found, consent, posts, error: errors(errorSelector) };
        }
        """;

    /// <summary>From a field: marks its username field (in its form first) and the button that sends its form.</summary>
    private const string NeighboursScript = "(field, { inForm, onPage, submits, pageSubmits, userMarker, submitMarker }) => {\n" + Helpers + """
          for (const m of [userMarker, submitMarker]) document.querySelectorAll('[' + m + ']').forEach(e => e.removeAttribute(m));
          const form = field.closest('form');
          const user = (form && pick(inForm, form, field)) || pick(onPage, document, field);
          if (user) user.setAttribute(userMarker, '');
          const button = (form && pick(submits, form, field)) || pick(pageSubmits, document, field);
          if (button) button.setAttribute(submitMarker, '');
          return { user: !!user, button: !!button };
        }
        """;

    /// <summary>After an action: is the acted-on element still shown, and which error does the page show.</summary>
    private const string ReactionScript = "(field, errorSelector) => {\n" + Helpers + """
          return { shown: field.isConnected && visible(field), error: errors(errorSelector) };
        }
        """;

    private const string DescribeScript = "(errorSelector) => {\n" + Helpers + """
          return { title: squash(document.title), error: errors(errorSelector), text: squash(document.body ? document.body.innerText : '') };
        }
        """;

    private readonly BrowserLoginDriver driver;
    private readonly SemaphoreSlim gate = new(1, 1);
    private IBrowserContext? context;
    private int disposed;

    internal BrowserUserAgent(BrowserLoginDriver driver) => this.driver = driver;

    private LoginProfile Login => driver.Login;

    private Redactor Redactor => driver.Redactor;

    public Task<AuthorizationResponse> AuthorizeAsync(AuthorizationRequest request, UserProfile user, CancellationToken ct = default) =>
        RunAsync(request.ToUri(), request.RedirectUri, user, ct);

    public Task<AuthorizationResponse> NavigateAsync(Uri start, Uri stopAt, CancellationToken ct = default) =>
        RunAsync(start, stopAt, null, ct);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (context is not null)
            {
                try
                {
                    await context.CloseAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (IsBrowserError(e))
                {
                    // The browser is gone already; so is the context.
                }
            }
        }
        finally
        {
            gate.Release();
            gate.Dispose();
        }
    }

    private async Task<AuthorizationResponse> RunAsync(Uri start, Uri stopAt, UserProfile? user, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (user is not null)
            {
                Redactor.AddSecret(user.Password.Reveal());
            }

            try
            {
                context ??= await driver.Session.NewContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (IsBrowserError(e) || e is ObjectDisposedException)
            {
                throw new LoginFailedException($"the browser could not open a new context (has Chromium crashed or been closed?): {BrowserSession.FirstLine(e.Message)}");
            }

            var flowId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));

            // The trace records every action with its arguments and every request body: the typed password, the
            // one-time code, session cookies. So it is kept only when the flow fails, and then rewritten with the
            // secrets masked (see TraceScrubber). Snapshots and sources stay off: they would copy whole DOMs (with
            // the typed values) and the harness's source into the file. Residual risk: while a flow runs, the
            // unscrubbed intermediate files exist in the session's private 0700 temp directory (deleted when the
            // flow ends, and the directory when the session ends; a killed process leaves them behind), and a
            // secret the page itself re-encodes (hashed, encrypted, split over requests) would survive the scrub.
            await context.Tracing.StartAsync(new TracingStartOptions
            {
                Screenshots = true,
                Snapshots = false,
                Sources = false,
                Title = $"{(user is null ? "navigate" : "authorize")} {flowId}",
                Name = TracePrefix + flowId,
            }).ConfigureAwait(false);

            IPage page;
            try
            {
                page = await context.NewPageAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (IsBrowserError(e))
            {
                await StopTracingAsync(null).ConfigureAwait(false);
                driver.Session.DeleteTrace(TracePrefix + flowId);
                throw new LoginFailedException($"the browser could not open a page: {BrowserSession.FirstLine(e.Message)}");
            }

            var flow = new Flow(this, page, stopAt, user, driver.Recorder?.CurrentScope, driver.FlowTimeout);
            var typed = new List<string>();
            var tracing = true;
            try
            {
                var response = await flow.RunAsync(start, typed, ct).ConfigureAwait(false);
                Redactor.AddSecret(response.Code);
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

                await flow.DisposeAsync().ConfigureAwait(false);
                try
                {
                    await page.CloseAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (IsBrowserError(e))
                {
                    // The page or the browser is gone already.
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task StopTracingAsync(string? path)
    {
        try
        {
            // Without a path the trace is discarded.
            await context!.Tracing.StopAsync(path is null ? null : new TracingStopOptions { Path = path }).ConfigureAwait(false);
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

        try
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true, Timeout = 5000, Type = ScreenshotType.Png }).ConfigureAwait(false);
            parts.Add("screenshot " + screenshot);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or IOException)
        {
            parts.Add("no screenshot: " + BrowserSession.FirstLine(e.Message));
        }

        try
        {
            await context!.Tracing.StopAsync(new TracingStopOptions { Path = raw }).ConfigureAwait(false);
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

    /// <summary>One call: one page, one DevTools session intercepting navigations, one deadline.</summary>
    private sealed class Flow : IAsyncDisposable
    {
        private readonly BrowserUserAgent agent;
        private readonly IPage page;
        private readonly Uri stopAt;
        private readonly UserProfile? user;
        private readonly EvidenceScope? scope;
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly TimeSpan timeout;
        private readonly TaskCompletionSource<AuthorizationResponse> captured = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<string, (DateTimeOffset Started, long Ticks)> started = new();
        private ICDPSession? cdp;
        private int navigations;

        public Flow(BrowserUserAgent agent, IPage page, Uri stopAt, UserProfile? user, EvidenceScope? scope, TimeSpan timeout)
        {
            this.agent = agent;
            this.page = page;
            this.stopAt = stopAt;
            this.user = user;
            this.scope = scope;
            this.timeout = timeout;
            page.FrameNavigated += (_, frame) =>
            {
                if (frame.ParentFrame is null)
                {
                    Interlocked.Increment(ref navigations);
                }
            };
        }

        private Redactor Redactor => agent.Redactor;

        private TimeSpan Remaining => timeout - clock.Elapsed;

        private bool IsCaptured => captured.Task.IsCompleted;

        public bool Expired => clock.Elapsed >= timeout;

        /// <summary>Milliseconds for one Playwright call: what is left of the flow, at most <paramref name="cap"/> seconds.</summary>
        private float Ms(double cap = 10) => (float)Math.Clamp(Math.Min(Remaining.TotalMilliseconds, cap * 1000), 1, cap * 1000);

        public async Task<AuthorizationResponse> RunAsync(Uri start, List<string> typed, CancellationToken ct)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            var token = deadline.Token;

            cdp = await page.Context.NewCDPSessionAsync(page).ConfigureAwait(false);
            cdp.Event("Fetch.requestPaused").OnEvent += (_, e) => _ = OnPausedAsync(e);
            await cdp.SendAsync("Fetch.enable", new Dictionary<string, object>
            {
                ["patterns"] = new object[]
                {
                    new Dictionary<string, object> { ["urlPattern"] = "*", ["resourceType"] = "Document", ["requestStage"] = "Request" },
                    new Dictionary<string, object> { ["urlPattern"] = "*", ["resourceType"] = "Document", ["requestStage"] = "Response" },
                },
            }).ConfigureAwait(false);

            await GotoAsync(start).ConfigureAwait(false);

            var credentialsSent = false;
            var identifierSent = false;
            var codeSent = false;
            var consents = 0;
            for (var step = 0; step < MaxSteps; step++)
            {
                var (state, error) = await ObserveAsync(token).ConfigureAwait(false);
                var before = Volatile.Read(ref navigations);
                switch (state.Kind)
                {
                    case PageKind.Captured:
                        return await captured.Task.ConfigureAwait(false);

                    case PageKind.Password:
                    {
                        if (credentialsSent)
                        {
                            throw new LoginFailedException($"the login page {await DescribeAsync().ConfigureAwait(false)} was shown again after the credentials were sent: the user '{user!.Username}' was refused");
                        }

                        var (username, submit) = await NeighboursAsync(state.Element!, "submit", withUsername: true).ConfigureAwait(false);
                        if (username is not null && await username.IsEditableAsync(new LocatorIsEditableOptions { Timeout = Ms(2) }).ConfigureAwait(false))
                        {
                            await username.FillAsync(user!.Username, new LocatorFillOptions { Timeout = Ms() }).ConfigureAwait(false);
                        }

                        // No username field: identifier-first (sent already) or a re-authentication of a known user.
                        await state.Element!.FillAsync(user!.Password.Reveal(), new LocatorFillOptions { Timeout = Ms() }).ConfigureAwait(false);
                        credentialsSent = true;
                        await SubmitAsync(state.Element!, submit, "the password").ConfigureAwait(false);
                        await WaitForChangeAsync(state.Element!, before, error, "the password was submitted", refused: true, token).ConfigureAwait(false);
                        break;
                    }

                    case PageKind.Otp:
                    {
                        if (user!.TotpSecret is null)
                        {
                            throw new LoginFailedException($"the page {await DescribeAsync().ConfigureAwait(false)} asks for a one-time code, but user '{user.Username}' has no totpSecret in the profile");
                        }

                        if (codeSent)
                        {
                            throw new LoginFailedException($"the one-time code for '{user.Username}' was refused at {await DescribeAsync().ConfigureAwait(false)}; check the TOTP secret and the clock");
                        }

                        var (_, submit) = await NeighboursAsync(state.Element!, "submit", withUsername: false).ConfigureAwait(false);
                        var code = await TotpCodes.NextAsync(user, token).ConfigureAwait(false);
                        typed.Add(code);
                        await state.Element!.FillAsync(code, new LocatorFillOptions { Timeout = Ms() }).ConfigureAwait(false);
                        codeSent = true;
                        await SubmitAsync(state.Element!, submit, "the one-time code").ConfigureAwait(false);
                        await WaitForChangeAsync(state.Element!, before, error, "the one-time code was submitted", refused: true, token).ConfigureAwait(false);
                        break;
                    }

                    case PageKind.Identifier:
                    {
                        if (identifierSent)
                        {
                            throw new LoginFailedException($"the identifier page {await DescribeAsync().ConfigureAwait(false)} was shown again after '{user!.Username}' was sent: the user was refused");
                        }

                        var (_, submit) = await NeighboursAsync(state.Element!, "next", withUsername: false).ConfigureAwait(false);
                        await state.Element!.FillAsync(user!.Username, new LocatorFillOptions { Timeout = Ms() }).ConfigureAwait(false);
                        identifierSent = true;
                        await SubmitAsync(state.Element!, submit, "the username").ConfigureAwait(false);
                        await WaitForChangeAsync(state.Element!, before, error, "the username was submitted", refused: true, token).ConfigureAwait(false);
                        break;
                    }

                    case PageKind.Consent:
                        if (++consents > 2)
                        {
                            throw new LoginFailedException($"the consent page {await DescribeAsync().ConfigureAwait(false)} came back after it was accepted twice");
                        }

                        await ClickAsync(state.Element!, "the consent button").ConfigureAwait(false);
                        await WaitForChangeAsync(state.Element!, before, error, "consent was given", refused: false, token).ConfigureAwait(false);
                        break;
                }
            }

            throw new LoginFailedException($"no redirect to {Redactor.Url(stopAt)} after {MaxSteps} pages; the login is looping at {await DescribeAsync().ConfigureAwait(false)}");
        }

        private async Task GotoAsync(Uri start)
        {
            try
            {
                await page.GotoAsync(start.AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Commit, Timeout = Ms(timeout.TotalSeconds) }).ConfigureAwait(false);
            }
            catch (Exception e) when (IsBrowserError(e) && !IsCaptured)
            {
                var reason = BrowserSession.FirstLine(e.Message);
                if (e is TimeoutException || reason.Contains("net::ERR_", StringComparison.Ordinal))
                {
                    throw new IssuerUnreachableException($"GET {Redactor.Url(start)} in the browser: {Redactor.Text(reason)}", e);
                }

                throw;
            }
            catch (Exception e) when (IsBrowserError(e))
            {
                // The first request was already the redirect to the client: the navigation was aborted on purpose.
            }
        }

        /// <summary>Waits until the page shows something to act on, or the response was captured; returns it with the error the page shows.</summary>
        private async Task<(PageState State, string? Error)> ObserveAsync(CancellationToken token)
        {
            DateTime? quietSince = null;
            var lastNavigations = -1;
            while (true)
            {
                if (IsCaptured)
                {
                    return (new PageState(PageKind.Captured, null), null);
                }

                token.ThrowIfCancellationRequested();
                var now = Volatile.Read(ref navigations);
                var snapshot = await SnapshotAsync(classify: user is not null).ConfigureAwait(false);
                if (snapshot is not null && FormPost(snapshot.Value))
                {
                    return (new PageState(PageKind.Captured, null), null);
                }

                if (snapshot is not null && user is not null && await UnderstoodAsync(snapshot.Value).ConfigureAwait(false) is { } state)
                {
                    return (state, Text(snapshot.Value, "error"));
                }

                // Nothing to act on: wait for the page to finish, for a script to move on, or for the deadline.
                var complete = snapshot is not null && Text(snapshot.Value, "ready") == "complete";
                if (!complete || now != lastNavigations)
                {
                    quietSince = complete ? DateTime.UtcNow : null;
                    lastNavigations = now;
                }
                else if (quietSince is { } since && DateTime.UtcNow - since > (user is null ? QuietPage : NotUnderstoodAfter) && !IsCaptured)
                {
                    throw new LoginFailedException(user is null
                        ? $"the server showed a page instead of redirecting to {Redactor.Url(stopAt)}: {await DescribeAsync().ConfigureAwait(false)}"
                        : $"the page {await DescribeAsync().ConfigureAwait(false)} has no login, one-time-code, consent or form_post form the browser driver understands (set login.selectors in the profile)");
                }

                await Task.WhenAny(captured.Task, Task.Delay(Poll, token)).ConfigureAwait(false);
            }
        }

        private async Task<JsonElement?> SnapshotAsync(bool classify)
        {
            var lists = new Dictionary<string, string[]>();
            if (classify)
            {
                foreach (var (kind, defaults) in new[] { ("password", PasswordSelectors), ("otp", OtpSelectors), ("username", UsernameSelectors) })
                {
                    if (!Login.Selectors.ContainsKey(kind))
                    {
                        lists[kind] = defaults;
                    }
                }
            }

            var allow = classify && !Login.Selectors.ContainsKey("consent") ? AllowWords : [];
            try
            {
                return await page.EvaluateAsync<JsonElement>(SnapshotScript, new Dictionary<string, object>
                {
                    ["lists"] = lists,
                    ["allow"] = allow,
                    ["deny"] = DenyWords,
                    ["errorSelector"] = ErrorSelector,
                    ["marker"] = AllowMarker,
                }).WaitAsync(ScriptTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (IsBrowserError(e))
            {
                // The document is being replaced; the next poll sees the new one.
                return null;
            }
        }

        private static string? Text(JsonElement snapshot, string name) =>
            snapshot.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        /// <summary>In order: a password field, a one-time code, an identifier alone, a consent button. Configured selectors replace the guesses.</summary>
        private async Task<PageState?> UnderstoodAsync(JsonElement snapshot)
        {
            foreach (var (kind, pageKind) in new[] { ("password", PageKind.Password), ("otp", PageKind.Otp), ("username", PageKind.Identifier) })
            {
                ILocator? element;
                if (Login.Selectors.GetValueOrDefault(kind) is { } configured)
                {
                    element = await FirstVisibleAsync(page.Locator(configured)).ConfigureAwait(false);
                }
                else
                {
                    var selector = snapshot.GetProperty("found").TryGetProperty(kind, out var f) ? f.GetString() : null;
                    element = selector is null ? null : Visible(page.Locator(selector));
                }

                if (element is not null)
                {
                    return new PageState(pageKind, element);
                }
            }

            if (Login.Selectors.GetValueOrDefault("consent") is { } consent)
            {
                // The selector may name the allow button itself, or the consent form that holds it.
                var target = await FirstVisibleAsync(page.Locator(consent)).ConfigureAwait(false);
                if (target is null)
                {
                    return null;
                }

                var inside = await FirstVisibleAsync(target.Locator("button[type=submit], input[type=submit]")).ConfigureAwait(false);
                return new PageState(PageKind.Consent, inside ?? target);
            }

            return snapshot.GetProperty("consent").GetBoolean() ? new PageState(PageKind.Consent, page.Locator($"[{AllowMarker}]").First) : null;
        }

        private LoginProfile Login => agent.Login;

        private static ILocator Visible(ILocator locator) => locator.Filter(new LocatorFilterOptions { Visible = true }).First;

        private static async Task<ILocator?> FirstVisibleAsync(ILocator locator)
        {
            var candidate = Visible(locator);
            try
            {
                return await candidate.CountAsync().ConfigureAwait(false) > 0 ? candidate : null;
            }
            catch (Exception e) when (IsBrowserError(e))
            {
                // The document is being replaced, or the selector is not valid.
                return null;
            }
        }

        /// <summary>The username field that goes with <paramref name="field"/> (its form first), and the button that sends the form.</summary>
        private async Task<(ILocator? Username, ILocator? Submit)> NeighboursAsync(ILocator field, string key, bool withUsername)
        {
            var configuredUser = withUsername ? Login.Selectors.GetValueOrDefault("username") : null;
            var configuredSubmit = Login.Selectors.GetValueOrDefault(key) ?? (key == "next" ? Login.Selectors.GetValueOrDefault("submit") : null);
            var found = await field.EvaluateAsync<JsonElement>(NeighboursScript, new Dictionary<string, object>
            {
                ["inForm"] = withUsername && configuredUser is null ? UsernameInFormSelectors : Array.Empty<string>(),
                ["onPage"] = withUsername && configuredUser is null ? UsernameSelectors : Array.Empty<string>(),
                ["submits"] = configuredSubmit is null ? SubmitSelectors : Array.Empty<string>(),
                ["pageSubmits"] = configuredSubmit is null ? SubmitSelectors[..2] : Array.Empty<string>(),
                ["userMarker"] = UsernameMarker,
                ["submitMarker"] = SubmitMarker,
            }, new LocatorEvaluateOptions { Timeout = Ms(5) }).WaitAsync(ScriptTimeout).ConfigureAwait(false);

            var username = configuredUser is not null ? await FirstVisibleAsync(page.Locator(configuredUser)).ConfigureAwait(false)
                : found.GetProperty("user").GetBoolean() ? page.Locator($"[{UsernameMarker}]").First : null;
            ILocator? submit;
            if (configuredSubmit is not null)
            {
                submit = await FirstVisibleAsync(page.Locator(configuredSubmit)).ConfigureAwait(false)
                    ?? throw new LoginFailedException($"the page {await DescribeAsync().ConfigureAwait(false)} has no visible '{configuredSubmit}' (login.selectors.{key})");
            }
            else
            {
                submit = found.GetProperty("button").GetBoolean() ? page.Locator($"[{SubmitMarker}]").First : null;
            }

            return (username, submit);
        }

        /// <summary>Sends the form of <paramref name="field"/>: its button when there is one, else Enter in the field.</summary>
        private async Task SubmitAsync(ILocator field, ILocator? button, string what)
        {
            if (button is not null)
            {
                await ClickAsync(button, $"the button that sends {what}").ConfigureAwait(false);
                return;
            }

            try
            {
                await field.PressAsync("Enter", new LocatorPressOptions { Timeout = Ms() }).ConfigureAwait(false);
            }
            catch (Exception e) when (IsBrowserError(e) && IsCaptured)
            {
                // Enter led straight to the redirect URI, whose navigation was aborted on purpose.
            }
        }

        private async Task ClickAsync(ILocator button, string what)
        {
            try
            {
                await button.ClickAsync(new LocatorClickOptions { Timeout = Ms() }).ConfigureAwait(false);
            }
            catch (Exception e) when (IsBrowserError(e) && IsCaptured)
            {
                // The click led straight to the redirect URI, whose navigation was aborted on purpose.
            }
            catch (TimeoutException)
            {
                throw new LoginFailedException($"{what} on the page {await DescribeAsync().ConfigureAwait(false)} could not be clicked within {Ms():0} ms");
            }
        }

        /// <summary>
        /// After an action: waits until the page moves on (a navigation, or the acted-on element disappears), the
        /// response is captured, or the page shows a new error, which means the server refused what was sent.
        /// </summary>
        private async Task WaitForChangeAsync(ILocator element, int navigationsBefore, string? errorBefore, string what, bool refused, CancellationToken token)
        {
            IElementHandle? handle = null;
            try
            {
                handle = await element.ElementHandleAsync(new LocatorElementHandleOptions { Timeout = 500 }).ConfigureAwait(false);
            }
            catch (Exception e) when (IsBrowserError(e))
            {
                // Gone already: the page moved on.
            }

            try
            {
                var until = clock.Elapsed + ReactionTimeout;
                while (clock.Elapsed < until)
                {
                    token.ThrowIfCancellationRequested();
                    if (IsCaptured || Volatile.Read(ref navigations) != navigationsBefore || handle is null)
                    {
                        return;
                    }

                    JsonElement reaction;
                    try
                    {
                        reaction = await handle.EvaluateAsync<JsonElement>(ReactionScript, ErrorSelector).WaitAsync(ScriptTimeout, token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (IsBrowserError(e))
                    {
                        // The document that held the element is gone: the page moved on.
                        return;
                    }

                    if (!reaction.GetProperty("shown").GetBoolean())
                    {
                        return;
                    }

                    var error = reaction.GetProperty("error").GetString();
                    if (refused && !string.IsNullOrEmpty(error) && error != errorBefore)
                    {
                        throw new LoginFailedException($"after {what}, the page {await DescribeAsync().ConfigureAwait(false)} shows an error: the user '{user!.Username}' was refused");
                    }

                    await Task.WhenAny(captured.Task, Task.Delay(Poll, token)).ConfigureAwait(false);
                }

                throw new LoginFailedException($"nothing happened within {ReactionTimeout.TotalSeconds:0} s after {what} at {await DescribeAsync().ConfigureAwait(false)}");
            }
            finally
            {
                if (handle is not null)
                {
                    try
                    {
                        await handle.DisposeAsync().ConfigureAwait(false);
                    }
                    catch (Exception e) when (IsBrowserError(e))
                    {
                        // The document that held it is gone.
                    }
                }
            }
        }

        /// <summary>OAuth 2.0 Form Post Response Mode: a page whose form posts to the redirect URI holds the response already.</summary>
        private bool FormPost(JsonElement snapshot)
        {
            if (!snapshot.TryGetProperty("posts", out var forms))
            {
                return false;
            }

            foreach (var form in forms.EnumerateArray())
            {
                if (Uri.TryCreate(form.GetProperty("action").GetString(), UriKind.Absolute, out var action) && AuthorizationResponse.IsRedirectTo(action, stopAt))
                {
                    var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var field in form.GetProperty("fields").EnumerateArray())
                    {
                        parameters.TryAdd(field[0].GetString() ?? "", field[1].GetString() ?? "");
                    }

                    captured.TrySetResult(new AuthorizationResponse(parameters, "form_post"));
                    return true;
                }
            }

            return false;
        }

        /// <summary>"at URL (title 'x', error 'y', text 'z')", redacted, for messages.</summary>
        public async Task<string> DescribeAsync()
        {
            var url = Redactor.Url(SafeUrl(page));
            try
            {
                var page = await this.page.EvaluateAsync<JsonElement>(DescribeScript, ErrorSelector).WaitAsync(ScriptTimeout).ConfigureAwait(false);
                var title = page.GetProperty("title").GetString();
                var error = page.GetProperty("error").GetString();
                var text = page.GetProperty("text").GetString() ?? "";
                text = text.Length > 200 ? text[..200] + "..." : text;
                var described = string.IsNullOrEmpty(error) ? $"title '{title}', text '{text}'" : $"title '{title}', error '{error}'";
                return $"at {url} ({Redactor.Text(described)})";
            }
            catch (Exception e) when (IsBrowserError(e))
            {
                return $"at {url}";
            }
        }

        // ---- DevTools Fetch interception ----

        private async Task OnPausedAsync(JsonElement? paused)
        {
            if (paused is not { } e || cdp is null)
            {
                return;
            }

            var requestId = e.GetProperty("requestId").GetString()!;
            try
            {
                var request = e.GetProperty("request");
                var url = request.GetProperty("url").GetString() ?? "";
                if (request.TryGetProperty("urlFragment", out var fragment) && fragment.GetString() is { Length: > 0 } f)
                {
                    url += f;
                }

                var atResponse = e.TryGetProperty("responseStatusCode", out var statusElement) || e.TryGetProperty("responseErrorReason", out _);
                if (!atResponse)
                {
                    if (Uri.TryCreate(url, UriKind.Absolute, out var target) && AuthorizationResponse.IsRedirectTo(target, stopAt))
                    {
                        var method = request.GetProperty("method").GetString();
                        captured.TrySetResult(string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase)
                            ? new AuthorizationResponse(AuthorizationResponse.ParseForm(PostData(request)), "form_post")
                            : AuthorizationResponse.FromRedirect(target));
                        await cdp.SendAsync("Fetch.failRequest", new Dictionary<string, object> { ["requestId"] = requestId, ["errorReason"] = "Aborted" }).ConfigureAwait(false);
                        return;
                    }

                    started[e.TryGetProperty("networkId", out var n) ? n.GetString() ?? requestId : requestId] = (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
                    await cdp.SendAsync("Fetch.continueRequest", new Dictionary<string, object> { ["requestId"] = requestId }).ConfigureAwait(false);
                    return;
                }

                var status = statusElement.ValueKind == JsonValueKind.Number ? statusElement.GetInt32() : 0;
                var headers = new List<KeyValuePair<string, string>>();
                if (e.TryGetProperty("responseHeaders", out var responseHeaders))
                {
                    foreach (var header in responseHeaders.EnumerateArray())
                    {
                        headers.Add(new(header.GetProperty("name").GetString() ?? "", header.GetProperty("value").GetString() ?? ""));
                    }
                }

                var location = headers.FirstOrDefault(h => h.Key.Equals("Location", StringComparison.OrdinalIgnoreCase)).Value;
                Uri? redirect = null;
                if (status is >= 300 and < 400 && location is not null && Uri.TryCreate(url, UriKind.Absolute, out var baseUri))
                {
                    Uri.TryCreate(baseUri, location, out redirect);
                }

                string? body = null;
                if (status is >= 200 and < 300 && Driver.Recorder is not null && scope is not null)
                {
                    body = await ResponseBodyAsync(requestId).ConfigureAwait(false);
                }

                Record(e, request, url, status, headers, body);
                if (redirect is not null && AuthorizationResponse.IsRedirectTo(redirect, stopAt))
                {
                    // The redirect to the client: read it here, never follow it.
                    captured.TrySetResult(AuthorizationResponse.FromRedirect(redirect));
                    await cdp.SendAsync("Fetch.failRequest", new Dictionary<string, object> { ["requestId"] = requestId, ["errorReason"] = "Aborted" }).ConfigureAwait(false);
                    return;
                }

                await cdp.SendAsync("Fetch.continueRequest", new Dictionary<string, object> { ["requestId"] = requestId }).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is PlaywrightException or TimeoutException or InvalidOperationException or KeyNotFoundException or FormatException or ObjectDisposedException)
            {
                // The page closed while the request was paused, or the event was malformed: let it go on unchanged.
                try
                {
                    await cdp.SendAsync("Fetch.continueRequest", new Dictionary<string, object> { ["requestId"] = requestId }).ConfigureAwait(false);
                }
                catch (Exception again) when (again is PlaywrightException or TimeoutException or ObjectDisposedException)
                {
                    // Nothing left to continue.
                }
            }
        }

        private BrowserLoginDriver Driver => agent.driver;

        private static string PostData(JsonElement request)
        {
            if (request.TryGetProperty("postDataEntries", out var entries) && entries.ValueKind == JsonValueKind.Array)
            {
                var bytes = new List<byte>();
                foreach (var entry in entries.EnumerateArray())
                {
                    if (entry.TryGetProperty("bytes", out var b) && b.GetString() is { } base64)
                    {
                        bytes.AddRange(Convert.FromBase64String(base64));
                    }
                }

                if (bytes.Count > 0)
                {
                    return Encoding.UTF8.GetString(bytes.ToArray());
                }
            }

            return request.TryGetProperty("postData", out var data) ? data.GetString() ?? "" : "";
        }

        private async Task<string?> ResponseBodyAsync(string requestId)
        {
            try
            {
                var result = await cdp!.SendAsync("Fetch.getResponseBody", new Dictionary<string, object> { ["requestId"] = requestId }).ConfigureAwait(false);
                if (result is not { } r || !r.TryGetProperty("body", out var b))
                {
                    return null;
                }

                var text = b.GetString() ?? "";
                return r.TryGetProperty("base64Encoded", out var encoded) && encoded.GetBoolean()
                    ? Encoding.UTF8.GetString(Convert.FromBase64String(text))
                    : text;
            }
            catch (Exception e) when (IsBrowserError(e))
            {
                return null;
            }
        }

        /// <summary>The page load as evidence of the running check, redacted like the form driver's exchanges.</summary>
        private void Record(JsonElement e, JsonElement request, string url, int status, List<KeyValuePair<string, string>> responseHeaders, string? body)
        {
            var recorder = Driver.Recorder;
            var target = scope;
            while (target is { IsClosed: true })
            {
                target = target.Parent;
            }

            if (recorder is null || target is null)
            {
                return;
            }

            var key = e.TryGetProperty("networkId", out var n) ? n.GetString() ?? "" : "";
            var (startedAt, ticks) = started.TryRemove(key, out var s) ? s : (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
            var requestHeaders = new List<KeyValuePair<string, string>>();
            string? contentType = null;
            if (request.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in h.EnumerateObject())
                {
                    var value = header.Value.GetString() ?? "";
                    contentType = header.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) ? value : contentType;
                    requestHeaders.Add(new(header.Name, Redactor.Header(header.Name, value)));
                }
            }

            var requestBody = request.TryGetProperty("hasPostData", out var has) && has.GetBoolean() ? PostData(request) : null;
            var responseType = responseHeaders.FirstOrDefault(x => x.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
            if (body is { Length: > MaxRecordedBody })
            {
                body = body[..MaxRecordedBody] + $"\n[... {body.Length - MaxRecordedBody} more characters not recorded]";
            }

            target.Add(new HttpExchange(
                recorder.NextSequence(), startedAt, Stopwatch.GetElapsedTime(ticks),
                request.GetProperty("method").GetString() ?? "GET",
                Redactor.Url(url),
                requestHeaders,
                requestBody is null ? null : Redactor.Body(contentType, requestBody),
                status,
                responseHeaders.Select(x => new KeyValuePair<string, string>(x.Key, Redactor.Header(x.Key, x.Value))).ToList(),
                Redactor.Body(responseType, body),
                null));
        }

        public async ValueTask DisposeAsync()
        {
            if (cdp is not null)
            {
                try
                {
                    await cdp.DetachAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (IsBrowserError(e))
                {
                    // Detached with its page.
                }
            }
        }
    }

    private enum PageKind
    {
        Captured,
        Password,
        Otp,
        Identifier,
        Consent,
    }

    private sealed record PageState(PageKind Kind, ILocator? Element);

    /// <summary>
    /// Rewrites a Playwright trace with secrets masked: every text entry (the action log with the typed values,
    /// the network log with request bodies, headers and cookies, stored response bodies) has the given secrets
    /// replaced in every encoding the trace may hold them in, and the network log's headers, URLs and form bodies
    /// pass through the <see cref="Redactor"/>. Images are copied as they are (a password field renders as dots).
    /// </summary>
    internal static class TraceScrubber
    {
        private static readonly UTF8Encoding StrictUtf8 = new(false, true);
        private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        public static void Scrub(string source, string destination, IEnumerable<string> secrets, Redactor redactor)
        {
            var variants = secrets.Where(s => s.Length > 0)
                .SelectMany(Variants)
                .Distinct(StringComparer.Ordinal)
                .OrderByDescending(v => v.Length)
                .ToList();
            using var input = ZipFile.OpenRead(source);
            using var output = ZipFile.Open(destination, ZipArchiveMode.Create);
            foreach (var entry in input.Entries)
            {
                using var read = entry.Open();
                using var buffer = new MemoryStream();
                read.CopyTo(buffer);
                var bytes = buffer.ToArray();
                if (!IsImage(entry.FullName) && TryText(bytes, out var text))
                {
                    text = Mask(text, variants);
                    if (entry.FullName.EndsWith(".network", StringComparison.Ordinal) || entry.FullName.EndsWith(".trace", StringComparison.Ordinal))
                    {
                        text = string.Join('\n', text.Split('\n').Select(line => RedactLine(line, redactor)));
                    }

                    bytes = Encoding.UTF8.GetBytes(redactor.Text(text));
                }

                var copy = output.CreateEntry(entry.FullName, CompressionLevel.Fastest);
                using var write = copy.Open();
                write.Write(bytes);
            }
        }

        internal static IEnumerable<string> Variants(string secret)
        {
            foreach (var form in new[] { secret, Uri.EscapeDataString(secret), WebUtility.UrlEncode(secret), WebUtility.HtmlEncode(secret) })
            {
                yield return form;
                yield return JsonSerializer.Serialize(form, Relaxed)[1..^1];
                yield return JsonSerializer.Serialize(form)[1..^1];
            }

            yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
        }

        private static string Mask(string text, List<string> variants)
        {
            foreach (var variant in variants)
            {
                if (text.Contains(variant, StringComparison.Ordinal))
                {
                    text = text.Replace(variant, Redactor.Mask, StringComparison.Ordinal);
                }
            }

            return text;
        }

        private static string RedactLine(string line, Redactor redactor)
        {
            if (line.Length == 0 || line[0] != '{')
            {
                return line;
            }

            try
            {
                var node = JsonNode.Parse(line);
                if (node is null)
                {
                    return line;
                }

                Walk(node, null, redactor);
                return node.ToJsonString(Relaxed);
            }
            catch (JsonException)
            {
                return line;
            }
        }

        /// <summary>HAR shapes: headers and cookies as name/value pairs, URLs, postData.text.</summary>
        private static void Walk(JsonNode node, string? parentName, Redactor redactor)
        {
            switch (node)
            {
                case JsonObject obj:
                    if (parentName is "headers" or "cookies" or "queryString" or "params"
                        && obj["name"] is JsonValue nameValue && nameValue.TryGetValue<string>(out var name)
                        && obj["value"] is JsonValue valueValue && valueValue.TryGetValue<string>(out var value))
                    {
                        obj["value"] = parentName switch
                        {
                            "headers" => redactor.Header(name, value),
                            "cookies" => Redactor.Mask,
                            _ => redactor.Value(name, value),
                        };
                        return;
                    }

                    foreach (var (key, child) in obj.ToList())
                    {
                        if (child is JsonValue v && v.TryGetValue<string>(out var s))
                        {
                            obj[key] = key switch
                            {
                                "url" => redactor.Url(s),
                                "text" when parentName == "postData" => PostDataText(obj, s, redactor),
                                _ => s,
                            };
                        }
                        else if (child is not null)
                        {
                            Walk(child, key, redactor);
                        }
                    }

                    break;
                case JsonArray array:
                    foreach (var child in array)
                    {
                        if (child is not null)
                        {
                            Walk(child, parentName, redactor);
                        }
                    }

                    break;
            }
        }

        private static string PostDataText(JsonObject postData, string text, Redactor redactor)
        {
            var type = postData["mimeType"] is JsonValue t && t.TryGetValue<string>(out var mime) ? mime : "";
            return type.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) ? redactor.Form(text) : redactor.Body(type, text);
        }

        private static bool IsImage(string name) =>
            name.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".webp", StringComparison.OrdinalIgnoreCase);

        private static bool TryText(byte[] bytes, out string text)
        {
            try
            {
                text = StrictUtf8.GetString(bytes);
                return text.IndexOf('\0', StringComparison.Ordinal) < 0;
            }
            catch (DecoderFallbackException)
            {
                text = "";
                return false;
            }
        }
    }
}
