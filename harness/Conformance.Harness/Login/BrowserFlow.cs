using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using Microsoft.Playwright;

namespace Conformance.Harness.Login;

public sealed partial class BrowserUserAgent
{
    /// <summary>
    /// One call: the user agent's tab (its page and the DevTools session intercepting its navigations), one deadline. Each page is read into
    /// <see cref="PageFacts"/> and classified by <see cref="LoginPageInterpreter"/>, as the form driver does.
    /// </summary>
    private sealed partial class Flow : ITabListener
    {
        private readonly BrowserUserAgent agent;
        private readonly BrowserTab tab;
        private readonly IPage page;
        private readonly Uri stopAt;
        private readonly UserProfile? user;
        private readonly UserAgentTask task;
        private readonly PageSelectors selectors;
        private readonly EvidenceScope? scope;
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private TimeSpan timeout;
        private readonly TaskCompletionSource<AuthorizationResponse> captured = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<string, (DateTimeOffset Started, long Ticks)> started = new();
        private readonly int navigationsAtStart;

        /// <summary>Document requests and responses seen by the interception: a script's navigation on its way, before any document commits.</summary>
        private int documentTraffic;
        private readonly LoginProgress progress;

        public Flow(BrowserUserAgent agent, BrowserTab tab, Uri stopAt, UserProfile? user, UserAgentTask task, EvidenceScope? scope, TimeSpan timeout)
        {
            this.agent = agent;
            this.tab = tab;
            page = tab.Page;
            navigationsAtStart = tab.Navigations;
            this.stopAt = stopAt;
            this.user = user;
            this.task = task;
            this.scope = scope;
            this.timeout = timeout;
            selectors = LoginVocabulary.Selectors(agent.Login);
            progress = new LoginProgress(user);
        }

        /// <summary>Top-level navigations of this flow's page (the tab counts them; the page may have served earlier calls).</summary>
        private int Navigations => tab.Navigations - navigationsAtStart;

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

            // From here the tab's interception hands this flow every document request of the page.
            tab.Attach(this);
            await GotoAsync(start).ConfigureAwait(false);

            for (var step = 0; step < MaxSteps; step++)
            {
                var (verdict, error) = await ObserveAsync(token).ConfigureAwait(false);
                if (verdict is null)
                {
                    return await captured.Task.ConfigureAwait(false);
                }

                if (progress.Stuck(verdict.Kind))
                {
                    // A password or code form back without an error may be a script application re-rendering after
                    // sign-in, or one whose script is navigating away (the Okta Sign-In Widget's setCookieAndRedirect).
                    if (verdict.Kind is LoginPageKind.Password or LoginPageKind.OneTimeCode && string.IsNullOrEmpty(error)
                        && await FormLeavesAsync(verdict.Kind, token).ConfigureAwait(false))
                    {
                        continue;
                    }

                    throw progress.Failure(verdict.Kind, await DescribeAsync().ConfigureAwait(false));
                }

                progress.Took(verdict.Kind);
                var before = Navigations;
                switch (verdict.Kind)
                {
                    case LoginPageKind.Password:
                    {
                        var field = verdict.Field!;
                        var password = Locate(field.Ref);
                        var submit = await SubmitButtonAsync(field, selectors.ConfiguredSubmit, "submit").ConfigureAwait(false);
                        if (field.Username is { } u && Locate(u) is var username
                            // The same budget as every other action: a fixed 2 s made a loaded machine read as a failed login.
                            && await username.IsEditableAsync(new LocatorIsEditableOptions { Timeout = Ms() }).ConfigureAwait(false))
                        {
                            await username.FillAsync(user!.Username, new LocatorFillOptions { Timeout = Ms() }).ConfigureAwait(false);
                        }

                        // No username field: identifier-first (sent already) or a re-authentication of a known user.
                        await SendAsync(password, submit, user!.Password.Reveal(), "the password", before, error, token).ConfigureAwait(false);
                        break;
                    }

                    case LoginPageKind.OneTimeCode:
                    {
                        var input = Locate(verdict.Field!.Ref);
                        var submit = await SubmitButtonAsync(verdict.Field, selectors.ConfiguredSubmit, "submit").ConfigureAwait(false);
                        // Waiting for a fresh code (each is good once, a few per 30-second step) is the run's cost,
                        // not the page's: the flow's deadline does not run meanwhile and moves by the wait.
                        var asked = clock.Elapsed;
                        deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                        var code = await TotpCodes.NextAsync(user!, ct).ConfigureAwait(false);
                        timeout += clock.Elapsed - asked;
                        deadline.CancelAfter(Remaining > TimeSpan.Zero ? Remaining : TimeSpan.Zero);
                        typed.Add(code);
                        await SendAsync(input, submit, code, "the one-time code", before, error, token).ConfigureAwait(false);
                        break;
                    }

                    case LoginPageKind.Identifier:
                    {
                        var input = Locate(verdict.Field!.Ref);
                        var submit = await SubmitButtonAsync(verdict.Field, selectors.ConfiguredNext, "next").ConfigureAwait(false);
                        await SendAsync(input, submit, user!.Username, "the username", before, error, token).ConfigureAwait(false);
                        break;
                    }

                    default:
                    {
                        // Consent, an interstitial, a logout confirmation: the accepting button, never one that denies.
                        var button = Locate(verdict.Button!.Ref);
                        await ActAndWaitAsync(button, () => ClickAsync(button, $"the {Accepting(verdict.Kind)} button"), before, error, $"the {Accepting(verdict.Kind)} button was pressed", refused: false, token).ConfigureAwait(false);
                        break;
                    }
                }
            }

            throw new LoginFailedException($"no redirect to {Redactor.Url(stopAt)} after {MaxSteps} pages; the flow is looping at {await DescribeAsync().ConfigureAwait(false)}");
        }

        private static string Accepting(LoginPageKind kind) => kind switch
        {
            LoginPageKind.Consent => "consent",
            LoginPageKind.Continue => "continue",
            _ => "logout confirmation",
        };

        private ILocator Locate(int reference) => BrowserPageReader.Locate(page, reference);

        /// <summary>The button that sends the field's form; a configured one (login.selectors) must be there.</summary>
        private async Task<ILocator?> SubmitButtonAsync(FieldFacts field, string? configured, string key)
        {
            if (field.Submit is { } submit)
            {
                return Locate(submit);
            }

            return configured is null
                ? null
                : throw new LoginFailedException($"the page {await DescribeAsync().ConfigureAwait(false)} has no visible '{configured}' (login.selectors.{key})");
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
                if (reason.Contains("net::ERR_HTTP_RESPONSE_CODE_FAILURE", StringComparison.Ordinal))
                {
                    // The server answered, with an error status and no page to show (Glewlwyd's 403 with an empty
                    // body for an unregistered redirect_uri): a refusal without a redirect, not an unreachable server.
                    throw new LoginFailedException($"the server answered GET {Redactor.Url(start)} with an HTTP error status and an empty page, and did not redirect");
                }

                if (e is TimeoutException || reason.Contains("net::ERR_", StringComparison.Ordinal))
                {
                    throw TransportFailure.Unreachable($"GET {Redactor.Url(start)} in the browser", Redactor.Text(reason), e);
                }

                throw;
            }
            catch (Exception e) when (IsBrowserError(e))
            {
                // The first request was already the redirect to the client: the navigation was aborted on purpose.
            }
        }

        /// <summary>
        /// Waits until the page shows something the task acts on, or the response was captured (null then); returns
        /// it with the error the page shows. A page with nothing to act on is watched for a script to move on: briefly
        /// when the task only observes or the page is complete and rendered, longer while a login may still render.
        /// </summary>
        /// <summary>
        /// A password or one-time-code form seen again after it was sent, with no error shown, is watched a little
        /// longer before the user is called refused: a script application re-renders after signing in, and
        /// Glewlwyd's login page still held its password input for a moment while its signed-in view (with the
        /// Continue button) was being built. The Okta Sign-In Widget keeps its code form on screen while its script
        /// goes through /login/sessionCookieRedirect and /authorize: redirects that never replace the document before
        /// the last one is caught. Each document request or response restarts the wait. True when the form goes away (or the response arrives).
        /// </summary>
        private async Task<bool> FormLeavesAsync(LoginPageKind kind, CancellationToken token)
        {
            var until = DateTime.UtcNow + ReRenderGrace;
            var seen = Navigations + Volatile.Read(ref documentTraffic);
            while (DateTime.UtcNow < until)
            {
                await Task.Delay(Poll, token).ConfigureAwait(false);
                if (IsCaptured)
                {
                    return true;
                }

                if (Navigations + Volatile.Read(ref documentTraffic) is var now && now != seen)
                {
                    seen = now;
                    until = DateTime.UtcNow + ReRenderGrace;
                }

                var read = await BrowserPageReader.ReadAsync(page, selectors, ScriptTimeout).ConfigureAwait(false);
                // Looked at again after the read: while a script's navigation is paused at the server the read can block
                // for up to ScriptTimeout, and traffic that went on meanwhile must restart the wait before it is judged over.
                if (IsCaptured)
                {
                    return true;
                }

                if (Navigations + Volatile.Read(ref documentTraffic) is var after && after != seen)
                {
                    seen = after;
                    until = DateTime.UtcNow + ReRenderGrace;
                }

                if (read is not { } r)
                {
                    continue;
                }

                if (!string.IsNullOrEmpty(r.Facts.Error))
                {
                    return false;
                }

                if (LoginPageInterpreter.Classify(r.Facts, stopAt).Kind != kind)
                {
                    return true;
                }
            }

            return false;
        }

        private async Task<(LoginPageVerdict? Verdict, string? Error)> ObserveAsync(CancellationToken token)
        {
            DateTime? quietSince = null;
            var lastNavigations = -1;
            while (true)
            {
                if (IsCaptured)
                {
                    return (null, null);
                }

                token.ThrowIfCancellationRequested();
                var now = Navigations;
                var read = await BrowserPageReader.ReadAsync(page, selectors, ScriptTimeout).ConfigureAwait(false);
                var verdict = read is { } r ? LoginPageInterpreter.Classify(r.Facts, stopAt) : null;
                if (verdict is { Kind: LoginPageKind.FormPost, Form: { } form })
                {
                    // OAuth 2.0 Form Post Response Mode: a page whose form posts to the redirect URI holds the response already.
                    var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var field in form.Fields)
                    {
                        parameters.TryAdd(field.Name, field.Value);
                    }

                    captured.TrySetResult(new AuthorizationResponse(parameters, "form_post"));
                    return (null, null);
                }

                // A username without a password is an identifier-first page only once the document is complete: while
                // it is still loading (a portal sent in chunks, LemonLDAP::NG under load) the password input may simply
                // not be parsed yet, and submitting the username alone leaves the page waiting for it.
                var mayStillGrow = verdict?.Kind == LoginPageKind.Identifier && read?.Ready != "complete";
                if (verdict is not null && LoginPageInterpreter.Acts(task, verdict.Kind) && !mayStillGrow)
                {
                    return (verdict, read!.Value.Facts.Error);
                }

                // Nothing to act on: wait for the page to finish, for a script to move on, or for the deadline. The
                // quiet time starts at the first poll that sees the page complete, even if it was loading before.
                var complete = read?.Ready == "complete";
                if (!complete)
                {
                    quietSince = null;
                }
                else if (now != lastNavigations || quietSince is null)
                {
                    quietSince = DateTime.UtcNow;
                }
                else if (DateTime.UtcNow - quietSince > Patience(read!.Value.Facts, verdict!.Kind) && !IsCaptured)
                {
                    throw new LoginFailedException(await NothingToDoAsync(verdict.Kind).ConfigureAwait(false));
                }

                lastNavigations = now;

                await Task.WhenAny(captured.Task, Task.Delay(Poll, token)).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Logging in waits for widgets that render late, and so does a logout on a page with scripts (a script
        /// application renders its confirmation after its own API calls); observing waits only for a script redirect.
        /// </summary>
        private TimeSpan Patience(PageFacts page, LoginPageKind kind) => task switch
        {
            UserAgentTask.Navigate => QuietPage,
            // Once the logout is confirmed, a page with scripts may be running front-channel logout (OpenID Connect
            // Front-Channel Logout §4: an iframe per client) before it redirects: Glewlwyd shows a blank page and
            // waits up to 15 s for its iframes. It gets the rest of the flow's deadline.
            UserAgentTask.Logout when progress.Acceptances > 0 && (page.Scripts || kind == LoginPageKind.ScriptApplication) => Remaining,
            UserAgentTask.Logout when !page.Scripts && kind != LoginPageKind.ScriptApplication => QuietPage,
            _ => NotUnderstoodAfter,
        };

        private async Task<string> NothingToDoAsync(LoginPageKind kind)
        {
            var described = await DescribeAsync().ConfigureAwait(false);
            if (task is UserAgentTask.Navigate or UserAgentTask.Logout)
            {
                var after = progress.Acceptances > 0 ? " after the logout was confirmed" : "";
                return $"the server showed a page instead of redirecting to {Redactor.Url(stopAt)}{after}: {described}";
            }

            return kind == LoginPageKind.ScriptApplication
                ? $"the page {described} is a script application that rendered nothing the browser driver understands within {NotUnderstoodAfter.TotalSeconds:0} s"
                : $"the page {described} has no login, one-time-code, consent or form_post form the browser driver understands (set login.selectors in the profile)";
        }

        /// <summary>
        /// The step every field page takes: types <paramref name="value"/> into <paramref name="field"/>, sends its form,
        /// and waits for the page to move on; a new error shown instead means the server refused <paramref name="what"/>.
        /// </summary>
        private async Task SendAsync(ILocator field, ILocator? button, string value, string what, int navigationsBefore, string? errorBefore, CancellationToken token)
        {
            await ActAndWaitAsync(field, async () =>
            {
                await field.FillAsync(value, new LocatorFillOptions { Timeout = Ms() }).ConfigureAwait(false);
                await SubmitAsync(field, button, what).ConfigureAwait(false);
            }, navigationsBefore, errorBefore, $"{what} was submitted", refused: true, token).ConfigureAwait(false);
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
        /// Acts on <paramref name="element"/>, then waits until the page moves on (a navigation, or the element
        /// disappears), the response is captured, or the page shows a new error, which means the server refused what
        /// was sent. The element is held before acting: looked for afterwards, once its document is gone, it was
        /// waited for in vain (500 ms on every page that moved on).
        /// </summary>
        private async Task ActAndWaitAsync(ILocator element, Func<Task> act, int navigationsBefore, string? errorBefore, string what, bool refused, CancellationToken token)
        {
            IElementHandle? handle = null;
            try
            {
                handle = await element.ElementHandleAsync(new LocatorElementHandleOptions { Timeout = 500 }).ConfigureAwait(false);
            }
            catch (Exception e) when (IsBrowserError(e))
            {
                // Gone already: the action below says so, or the page moved on.
            }

            try
            {
                await act().ConfigureAwait(false);
                var until = clock.Elapsed + ReactionTimeout;
                while (clock.Elapsed < until)
                {
                    token.ThrowIfCancellationRequested();
                    if (IsCaptured || Navigations != navigationsBefore || handle is null)
                    {
                        return;
                    }

                    JsonElement reaction;
                    try
                    {
                        reaction = await handle.EvaluateAsync<JsonElement>(ReactionScript, LoginVocabulary.ErrorSelector).WaitAsync(ScriptTimeout, token).ConfigureAwait(false);
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

                throw new LoginFailedException($"nothing happened within {ReactionTimeout.TotalSeconds:0} s after {what}: the page is still {await DescribeAsync().ConfigureAwait(false)}");
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

        /// <summary>"at URL (title 'x', error 'y', text 'z')", redacted, for messages.</summary>
        public async Task<string> DescribeAsync()
        {
            var url = Redactor.Url(SafeUrl(page));
            try
            {
                var shown = await page.EvaluateAsync<JsonElement>(DescribeScript, LoginVocabulary.ErrorSelector).WaitAsync(ScriptTimeout).ConfigureAwait(false);
                var described = LoginPageInterpreter.Describe(shown.GetProperty("title").GetString(), shown.GetProperty("error").GetString(), shown.GetProperty("text").GetString());
                return $"at {url} ({Redactor.Text(described)})";
            }
            catch (Exception e) when (IsBrowserError(e))
            {
                return $"at {url}";
            }
        }
    }
}
