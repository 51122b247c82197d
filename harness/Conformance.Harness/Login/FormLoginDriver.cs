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
/// A user agent at the HTTP level: a cookie jar, redirects followed by hand, and HTML forms understood by
/// what they ask for (a password field, a one-time code, a consent decision) rather than by one issuer's
/// markup. Selectors in the profile (<c>login.selectors</c>) override the guesses for unusual pages.
/// </summary>
public sealed class FormUserAgent(HarnessHttp http, LoginProfile login) : IUserAgent
{
    private readonly CookieJar jar = new();

    private const int MaxSteps = 25;
    private static readonly HtmlParser Parser = new();
    private static readonly string[] AllowWords = ["allow", "accept", "approve", "consent", "grant", "authorize", "authorise", "yes", "continue"];
    private static readonly string[] DenyWords = ["deny", "cancel", "reject", "decline", "no"];

    public Task<AuthorizationResponse> AuthorizeAsync(AuthorizationRequest request, UserProfile user, CancellationToken ct = default) =>
        RunAsync(request.ToUri(), request.RedirectUri, user, ct);

    public Task<AuthorizationResponse> NavigateAsync(Uri start, Uri stopAt, CancellationToken ct = default) =>
        RunAsync(start, stopAt, null, ct);

    /// <summary>Like <see cref="NavigateAsync"/>, but a consent page is answered: the user is already signed in.</summary>
    internal Task<AuthorizationResponse> ConsentAsync(AuthorizationRequest request, CancellationToken ct = default) =>
        RunAsync(request.ToUri(), request.RedirectUri, null, ct, consent: true);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Follows the server from <paramref name="start"/> to a redirect to <paramref name="stopAt"/>; a null user means no page may be filled in.</summary>
    private async Task<AuthorizationResponse> RunAsync(Uri start, Uri stopAt, UserProfile? user, CancellationToken ct, bool consent = false)
    {
        var next = new HttpRequestMessage(HttpMethod.Get, start);
        if (start.Query.Contains("sessionToken=", StringComparison.Ordinal))
        {
            // A session token is single use: a replay after a 429 would be refused and mislead the verdict.
            next.Options.Set(RateLimitHandler.OneTime, true);
        }

        var credentialsSent = false;
        var codeSent = false;
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
                    http.Redactor.AddSecret(result.Code);
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
            var page = await Parser.ParseDocumentAsync(html, ct).ConfigureAwait(false);
            var pageUri = response.RequestMessage!.RequestUri!;
            if (status != 200)
            {
                throw new LoginFailedException($"HTTP {status} at {http.Redactor.Url(pageUri)}: {Describe(page)}");
            }

            var forms = page.Forms.ToList();
            if (FormPostTo(forms, stopAt, pageUri) is { } formPost)
            {
                // OAuth 2.0 Form Post Response Mode: the page auto-submits the response to the redirect URI.
                var parameters = Fields(formPost).GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.First().Value);
                var result = new AuthorizationResponse(parameters, "form_post");
                http.Redactor.AddSecret(result.Code);
                return result;
            }

            var consentForm = Find(forms, login.Selectors.GetValueOrDefault("consent"), f => AllowButton(f) is not null && !IsPasswordForm(f));
            if (consentForm is not null && (user is not null || consent))
            {
                next = Submit(consentForm, pageUri, Fields(consentForm).Concat(ButtonValue(AllowButton(consentForm)!)).ToList());
                continue;
            }

            if (user is null)
            {
                throw new LoginFailedException($"the server showed a page at {http.Redactor.Url(pageUri)} instead of redirecting to the client: {Describe(page)}");
            }

            if (Find(forms, login.Selectors.GetValueOrDefault("password"), IsPasswordForm) is { } loginForm)
            {
                if (credentialsSent)
                {
                    throw new LoginFailedException($"the login page at {http.Redactor.Url(pageUri)} was shown again after the credentials were sent: the user '{user.Username}' was refused ({Describe(page)})");
                }

                next = Submit(loginForm, pageUri, FillCredentials(loginForm, user));
                credentialsSent = true;
                continue;
            }

            if (Find(forms, login.Selectors.GetValueOrDefault("otp"), f => OtpInput(f) is not null) is { } otpForm)
            {
                if (user.TotpSecret is null)
                {
                    throw new LoginFailedException($"the page at {http.Redactor.Url(pageUri)} asks for a one-time code, but user '{user.Username}' has no totpSecret in the profile");
                }

                if (codeSent)
                {
                    throw new LoginFailedException($"the one-time code for '{user.Username}' was refused at {http.Redactor.Url(pageUri)} ({Describe(page)}); check the TOTP secret and the clock");
                }

                var input = OtpInput(otpForm)!;
                var code = await TotpCodes.NextAsync(user, ct).ConfigureAwait(false);
                next = Submit(otpForm, pageUri, Fields(otpForm).Where(f => f.Key != input.Name).Append(new(input.Name!, code)).ToList());
                codeSent = true;
                continue;
            }

            throw new LoginFailedException($"the page at {http.Redactor.Url(pageUri)} has no login, one-time-code, consent or form_post form the driver understands: {Describe(page)}");
        }

        throw new LoginFailedException($"no redirect to {stopAt} after {MaxSteps} steps; the login is looping");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        jar.Attach(request);
        HttpResponseMessage response;
        try
        {
            response = await http.Client.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new IssuerUnreachableException($"{request.Method} {http.Redactor.Url(request.RequestUri)}: {HarnessHttp.Describe(e)}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new IssuerUnreachableException($"{request.Method} {http.Redactor.Url(request.RequestUri)}: no response within {http.Timeout.TotalSeconds:0} s", e);
        }

        jar.Store(response);
        return response;
    }

    private static IHtmlFormElement? Find(List<IHtmlFormElement> forms, string? selector, Func<IHtmlFormElement, bool> guess) =>
        selector is null ? forms.FirstOrDefault(guess) : forms.FirstOrDefault(f => f.QuerySelector(selector) is not null || f.Matches(selector));

    private static bool IsPasswordForm(IHtmlFormElement form) => form.QuerySelector("input[type=password]") is not null;

    private static IHtmlFormElement? FormPostTo(List<IHtmlFormElement> forms, Uri redirectUri, Uri pageUri) =>
        forms.FirstOrDefault(f =>
            string.Equals(f.Method, "post", StringComparison.OrdinalIgnoreCase)
            && Uri.TryCreate(pageUri, f.GetAttribute("action") ?? "", out var action)
            && AuthorizationResponse.IsRedirectTo(action, redirectUri));

    private static IHtmlInputElement? OtpInput(IHtmlFormElement form) =>
        form.QuerySelectorAll<IHtmlInputElement>("input").FirstOrDefault(i =>
            i.Type is "text" or "number" or "tel" or "password"
            && (i.GetAttribute("autocomplete") == "one-time-code"
                || Matches(i.Name, "otp", "totp", "passcode", "code", "answer", "token")));

    private static IElementLike? AllowButton(IHtmlFormElement form)
    {
        var buttons = form.QuerySelectorAll("button, input[type=submit]")
            .Select(b => new IElementLike(b.GetAttribute("name"), b.GetAttribute("value"), (b.TextContent + " " + b.GetAttribute("value")).Trim()))
            .ToList();
        return buttons.FirstOrDefault(b => ContainsWord(b.Label, AllowWords) && !ContainsWord(b.Label, DenyWords));
    }

    private List<KeyValuePair<string, string>> FillCredentials(IHtmlFormElement form, UserProfile user)
    {
        var password = (login.Selectors.GetValueOrDefault("password") is { } p ? form.QuerySelector(p) as IHtmlInputElement : null)
            ?? form.QuerySelector<IHtmlInputElement>("input[type=password]")!;
        var username = (login.Selectors.GetValueOrDefault("username") is { } u ? form.QuerySelector(u) as IHtmlInputElement : null)
            ?? form.QuerySelectorAll<IHtmlInputElement>("input").FirstOrDefault(i =>
                i.Type is "text" or "email" && (i.GetAttribute("autocomplete") == "username" || Matches(i.Name, "user", "login", "email", "identifier", "name")))
            ?? form.QuerySelectorAll<IHtmlInputElement>("input").FirstOrDefault(i => i.Type is "text" or "email")
            ?? throw new LoginFailedException("the login form has a password field but no username field");
        return Fields(form)
            .Where(f => f.Key != username.Name && f.Key != password.Name)
            .Append(new(username.Name ?? "username", user.Username))
            .Append(new(password.Name ?? "password", user.Password.Reveal()))
            .ToList();
    }

    /// <summary>The successful controls a browser would submit, minus buttons (a click adds its own).</summary>
    private static IEnumerable<KeyValuePair<string, string>> Fields(IHtmlFormElement form) =>
        form.Elements.OfType<IHtmlInputElement>()
            .Where(i => !string.IsNullOrEmpty(i.Name) && i.Type is not ("submit" or "button" or "image" or "reset" or "file"))
            .Where(i => i.Type is not ("checkbox" or "radio") || i.IsChecked)
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value));

    private static IEnumerable<KeyValuePair<string, string>> ButtonValue(IElementLike button) =>
        button.Name is null ? [] : [new(button.Name, button.Value ?? "")];

    private static HttpRequestMessage Submit(IHtmlFormElement form, Uri pageUri, List<KeyValuePair<string, string>> fields)
    {
        var action = new Uri(pageUri, string.IsNullOrEmpty(form.GetAttribute("action")) ? pageUri.PathAndQuery : form.GetAttribute("action")!);
        if (string.Equals(form.Method, "get", StringComparison.OrdinalIgnoreCase))
        {
            var builder = new UriBuilder(action) { Query = string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}")) };
            return new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        }

        return new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) };
    }

    private static bool Matches(string? name, params string[] words) =>
        name is not null && words.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase));

    private static bool ContainsWord(string label, string[] words) =>
        label.Split([' ', '\n', '\t', '-', '_'], StringSplitOptions.RemoveEmptyEntries).Any(t => words.Contains(t.Trim().ToLowerInvariant()));

    private static string Describe(IHtmlDocument page)
    {
        var error = page.QuerySelector("[role=alert], .error, .alert, .validation-summary-errors")?.TextContent.Trim();
        var title = page.Title?.Trim();
        var text = error ?? page.Body?.TextContent.Trim() ?? "";
        text = System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
        return $"title '{title}', text '{(text.Length > 200 ? text[..200] + "..." : text)}'";
    }

    private sealed record IElementLike(string? Name, string? Value, string Label);
}
