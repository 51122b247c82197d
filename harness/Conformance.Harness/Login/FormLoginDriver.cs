using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Harness.Login;

/// <summary>The login driver that needs no browser: an HTTP-level user agent per flow.</summary>
public sealed class FormLoginDriver(HarnessHttp http, LoginProfile login) : ILoginDriver
{
    public string Name => "form";

    public IUserAgent NewUserAgent() => new FormUserAgent(http, login);
}

/// <summary>
/// A user agent at the HTTP level: a cookie jar, redirects followed by hand, and HTML pages read and classified
/// by <see cref="LoginPageInterpreter"/>, the reading the browser driver shares: what a page asks for (a password,
/// a one-time code, an identifier, a consent decision, a logout confirmation) rather than one issuer's markup.
/// Selectors in the profile (<c>login.selectors</c>) override the guesses for unusual pages.
/// </summary>
public sealed class FormUserAgent(HarnessHttp http, LoginProfile login) : PageUserAgent
{
    private readonly CookieJar jar = new();
    private readonly PageSelectors selectors = LoginVocabulary.Selectors(login);

    private const int MaxSteps = 25;
    private static readonly HtmlParser Parser = new();

    /// <summary>Like <see cref="NavigateAsync"/>, but a consent page is answered: the user is already signed in.</summary>
    internal Task<AuthorizationResponse> ConsentAsync(AuthorizationRequest request, CancellationToken ct = default) =>
        RunAsync(request.ToUri(), request.RedirectUri, null, UserAgentTask.Consent, ct);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private protected override async Task<AuthorizationResponse> RunAsync(Uri start, Uri stopAt, UserProfile? user, UserAgentTask task, CancellationToken ct)
    {
        var next = new HttpRequestMessage(HttpMethod.Get, start);
        if (start.Query.Contains("sessionToken=", StringComparison.Ordinal))
        {
            // A session token is single use: a replay after a 429 would be refused and mislead the verdict.
            next.Options.Set(RateLimitHandler.OneTime, true);
        }

        var progress = new LoginProgress(user);
        for (var step = 0; step < MaxSteps; step++)
        {
            using var response = await SendAsync(next, ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                var location = response.Headers.Location ?? throw new LoginFailedException($"HTTP {status} from {http.Redactor.Url(next.RequestUri)} without a Location header");
                location = location.IsAbsoluteUri ? location : new Uri(next.RequestUri!, location);
                if (AuthorizationResponse.IsRedirectTo(location, stopAt))
                {
                    var result = AuthorizationResponse.FromRedirect(location);
                    http.Redactor.AddArtefact(result.Code);
                    return result;
                }

                if (location.Scheme is not ("http" or "https"))
                {
                    throw new LoginFailedException($"redirected to {http.Redactor.Url(location)}, which is neither {stopAt} nor a web page");
                }

                next = new HttpRequestMessage(HttpMethod.Get, location);
                continue;
            }

            var html = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            var document = await Parser.ParseDocumentAsync(html, ct).ConfigureAwait(false);
            var pageUri = response.RequestMessage!.RequestUri!;
            var page = HtmlPageReader.Read(document, pageUri, selectors);
            var url = http.Redactor.Url(pageUri);
            if (status != 200)
            {
                throw new LoginFailedException($"HTTP {status} at {url}: {LoginPageInterpreter.Describe(page.Facts)}");
            }

            var verdict = LoginPageInterpreter.Classify(page.Facts, stopAt);
            if (verdict is { Kind: LoginPageKind.FormPost, Form: { } formPost })
            {
                // OAuth 2.0 Form Post Response Mode: the page auto-submits the response to the redirect URI.
                var parameters = formPost.Fields.GroupBy(f => f.Name).ToDictionary(g => g.Key, g => g.First().Value);
                var result = new AuthorizationResponse(parameters, "form_post");
                http.Redactor.AddArtefact(result.Code);
                return result;
            }

            if (!LoginPageInterpreter.Acts(task, verdict.Kind))
            {
                throw NothingToDo(task, verdict.Kind, url, page.Facts, progress.Acceptances);
            }

            if (progress.Stuck(verdict.Kind))
            {
                throw progress.Failure(verdict.Kind, $"at {url} ({LoginPageInterpreter.Describe(page.Facts)})");
            }

            progress.Took(verdict.Kind);

            switch (verdict.Kind)
            {
                case LoginPageKind.Password:
                {
                    var (form, password) = FieldForm(page, verdict.Field!, url);
                    var username = verdict.Field!.Username is { } u && page.Element(u) is var e && HtmlPageReader.FormOf(e) == form ? e : null;
                    var typed = new List<FormField>();
                    if (username is not null)
                    {
                        typed.Add(new(username.GetAttribute("name") ?? "username", user!.Username));
                    }

                    typed.Add(new(password.GetAttribute("name") ?? "password", user!.Password.Reveal()));
                    next = Submit(form, pageUri, Fill(form, typed), SubmitButton(page, verdict.Field, form));
                    continue;
                }

                case LoginPageKind.OneTimeCode:
                {
                    var (form, input) = FieldForm(page, verdict.Field!, url);
                    var code = await TotpCodes.NextAsync(user!, ct).ConfigureAwait(false);
                    next = Submit(form, pageUri, Fill(form, [new(input.GetAttribute("name") ?? "otp", code)]), SubmitButton(page, verdict.Field!, form));
                    continue;
                }

                case LoginPageKind.Identifier:
                {
                    var (form, input) = FieldForm(page, verdict.Field!, url);
                    next = Submit(form, pageUri, Fill(form, [new(input.GetAttribute("name") ?? "username", user!.Username)]), SubmitButton(page, verdict.Field!, form));
                    continue;
                }

                default:
                {
                    // Consent, an interstitial, a logout confirmation: posted with the accepting button, never one
                    // that denies. A decision held in a hidden field (LemonLDAP's "confirm") goes back unchanged.
                    var button = page.Element(verdict.Button!.Ref);
                    var form = page.Form(verdict.Button.Form) ?? throw Scripted(task, url, "its button is in no form");
                    next = Submit(form, pageUri, HtmlPageReader.Fields(form), button);
                    continue;
                }
            }
        }

        throw new LoginFailedException($"no redirect to {stopAt} after {MaxSteps} steps; the flow is looping");
    }

    private LoginFailedException NothingToDo(UserAgentTask task, LoginPageKind kind, string url, PageFacts page, int acceptances)
    {
        var described = LoginPageInterpreter.Describe(page);
        if (kind == LoginPageKind.ScriptApplication && task != UserAgentTask.Navigate)
        {
            return Scripted(task, url, null);
        }

        if (task == UserAgentTask.Authorize)
        {
            return new LoginFailedException($"the page at {url} has no login, one-time-code, consent or form_post form the driver understands: {described}");
        }

        var after = acceptances > 0 ? " after the logout was confirmed" : "";
        return new LoginFailedException($"the server showed a page at {url} instead of redirecting to the client{after}: {described}");
    }

    /// <summary>A page that only works with its scripts running: callers report the form driver as not applicable there.</summary>
    private static ScriptLoginPageException Scripted(UserAgentTask task, string url, string? why) =>
        new($"the {(task == UserAgentTask.Logout ? "logout" : "login")} page at {url} is a script application{(why is null ? "" : $" ({why})")}; use the browser driver");

    /// <summary>The field and the form that sends it; a field in no form is sent by a script.</summary>
    private static (IHtmlFormElement Form, IElement Field) FieldForm(HtmlPage page, FieldFacts field, string url) =>
        (page.Form(field.Form) ?? throw Scripted(UserAgentTask.Authorize, url, "its field is in no form"), page.Element(field.Ref));

    /// <summary>The button the browser driver would press for this field, when it belongs to the field's form.</summary>
    private static IElement? SubmitButton(HtmlPage page, FieldFacts field, IHtmlFormElement form) =>
        field.Submit is { } s && page.Element(s) is var button && HtmlPageReader.FormOf(button) == form ? button : null;

    /// <summary>The form's fields with the typed ones replacing those of the same name, as a person typing would.</summary>
    private static List<FormField> Fill(IHtmlFormElement form, List<FormField> typed) =>
        HtmlPageReader.Fields(form).Where(f => typed.All(t => t.Name != f.Name)).Concat(typed).ToList();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        jar.Attach(request);
        HttpResponseMessage response;
        try
        {
            response = await http.Client.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (TransportFailure.Is(e, ct))
        {
            throw TransportFailure.Unreachable($"{request.Method} {http.Redactor.Url(request.RequestUri)}", e, http.Timeout);
        }

        jar.Store(response);
        return response;
    }

    /// <summary>
    /// The request a browser sends when <paramref name="button"/> (or Enter) submits <paramref name="form"/>: the
    /// button's own name and value join the fields, and its formaction and formmethod win over the form's.
    /// </summary>
    internal static HttpRequestMessage Submit(IHtmlFormElement form, Uri pageUri, IReadOnlyList<FormField> fields, IElement? button)
    {
        if (button is not null && button.GetAttribute("name") is { Length: > 0 } name && button.LocalName is "button" or "input")
        {
            fields = [.. fields, new(name, button.GetAttribute("value") ?? "")];
        }

        var action = FormAction(pageUri, button?.GetAttribute("formaction") ?? form.GetAttribute("action"));
        var method = button?.GetAttribute("formmethod") ?? form.GetAttribute("method");
        if (string.Equals(method, "get", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(method))
        {
            var builder = new UriBuilder(action) { Query = string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Name)}={Uri.EscapeDataString(f.Value)}")) };
            return new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        }

        return new HttpRequestMessage(HttpMethod.Post, action)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };
    }

    /// <summary>
    /// Where a form is sent: its action resolved against the page. An empty action or <c>"#"</c> (LemonLDAP::NG's
    /// forms) is the page itself, its query included, as a browser posts it; a fragment is never sent.
    /// </summary>
    internal static Uri FormAction(Uri pageUri, string? action) =>
        new(new Uri(pageUri, action?.Trim() ?? "").GetLeftPart(UriPartial.Query));
}
