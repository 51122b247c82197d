using AngleSharp.Html.Parser;
using Conformance.Harness.Login;
using Conformance.Harness.Target;

namespace Conformance.Harness.Tests;

/// <summary>
/// The shared login-page interpreter on its own: the words, the classification of HTML pages as the form driver
/// reads them, the profile's selectors, and where forms are sent. The browser's reading of the same pages is
/// compared in <see cref="LoginInterpreterParityTests"/>.
/// </summary>
public class LoginPageInterpreterTests
{
    private static readonly Uri PageUri = new("http://127.0.0.1:5811/oauth2/authorize?client_id=web-app&state=xyz");
    private static readonly Uri Callback = new("https://app.test/callback");

    internal static (LoginPageVerdict Verdict, HtmlPage Page) Classify(string html, IReadOnlyDictionary<string, string>? selectors = null)
    {
        var document = new HtmlParser().ParseDocument(html);
        var page = HtmlPageReader.Read(document, PageUri, LoginVocabulary.Selectors(new LoginProfile(["form"], selectors ?? new Dictionary<string, string>())));
        return (LoginPageInterpreter.Classify(page.Facts, Callback), page);
    }

    /// <summary>The field's name or the button's label, as the samples state them.</summary>
    internal static string? Target(LoginPageVerdict verdict, HtmlPage page) =>
        verdict.Field is { } field ? page.Element(field.Ref).GetAttribute("name") : verdict.Button?.Label;

    private static IEnumerable<string> Samples => LoginPageSamples.All.Select(s => s.Name);

    [TestCaseSource(nameof(Samples))]
    public void The_form_driver_reads_each_sample_page_as_stated(string name)
    {
        var sample = LoginPageSamples.Get(name);
        var (verdict, page) = Classify(sample.Html, sample.Selectors);

        verdict.Kind.Should().Be(sample.Kind);
        Target(verdict, page).Should().Be(sample.Target);
    }

    [Test]
    public void The_username_beside_a_password_is_found_in_its_form_and_the_form_is_sent_by_its_button()
    {
        var (verdict, page) = Classify(LoginPageSamples.Get("lemonldap login").Html);

        page.Element(verdict.Field!.Username!.Value).GetAttribute("name").Should().Be("user");
        page.Element(verdict.Field.Submit!.Value).TextContent.Should().Contain("Connect");
        page.Form(verdict.Field.Form)!.Id.Should().Be("lform");
    }

    [TestCase("Allow", true, false)]
    [TestCase("Don't allow", false, true)]
    [TestCase("Don’t Allow", false, true)]
    [TestCase("No, continue later", false, true)]
    [TestCase("Yes, I agree", true, false)]
    [TestCase("Refuse", false, true)]
    [TestCase("I know", false, false)]
    [TestCase("Authorize-app", true, false)]
    public void Allow_and_deny_are_whole_words_and_deny_wins(string label, bool allow, bool deny)
    {
        LoginVocabulary.IsAllow(label).Should().Be(allow);
        LoginVocabulary.IsDeny(label).Should().Be(deny);
    }

    [TestCase("Sign out", true)]
    [TestCase("Sign-out", true)]
    [TestCase("Log out", true)]
    [TestCase("Logout", true)]
    [TestCase("Stay signed in", false)]
    [TestCase("Do not sign out", false)]
    public void Logout_phrases_are_read_across_separators(string label, bool logout) =>
        LoginVocabulary.IsLogout(label).Should().Be(logout);

    [Test]
    public void Profile_selectors_replace_the_guesses_of_their_kind_only()
    {
        var defaults = LoginVocabulary.Selectors(LoginProfile.Form);
        var configured = LoginVocabulary.Selectors(new LoginProfile(["form"], new Dictionary<string, string> { ["username"] = "#who", ["submit"] = "#go" }));

        configured.UsernameInForm.Should().Equal("#who");
        configured.UsernameOnPage.Should().Equal("#who");
        configured.Identifier.Should().Equal("#who");
        configured.Submit.Should().Equal("#go");
        configured.Next.Should().Equal(new[] { "#go" }, "the identifier page's button falls back to the submit selector");
        configured.Password.Should().Equal(defaults.Password);
        configured.Consent.Should().BeNull();
        defaults.Password.Should().Equal(LoginVocabulary.PasswordSelectors);
    }

    [Test]
    public void Configured_selectors_replace_the_guesses_and_a_missing_configured_element_is_not_guessed_around()
    {
        var odd = LoginPageSamples.Get("configured username and password");
        var decide = LoginPageSamples.Get("configured consent names a form");

        Classify(odd.Html).Verdict.Kind.Should().Be(LoginPageKind.NotUnderstood);
        var (verdict, page) = Classify(odd.Html, odd.Selectors);
        page.Element(verdict.Field!.Username!.Value).Id.Should().Be("who");
        verdict.Field.Submit.Should().NotBeNull("the configured #go, though it is a link outside the form");

        Classify(decide.Html).Verdict.Button!.Label.Should().Be("Allow", "without the selector the allow word is guessed");
        Classify(decide.Html, new Dictionary<string, string> { ["consent"] = "#missing" }).Verdict.Kind.Should().Be(LoginPageKind.NotUnderstood);
    }

    [Test]
    public void Attribute_selectors_with_the_i_flag_match_case_insensitively_in_AngleSharp()
    {
        var (verdict, page) = Classify("""<form method="post"><input name="Login_Name"><input type="password" name="PWD"></form>""");

        verdict.Kind.Should().Be(LoginPageKind.Password);
        page.Element(verdict.Field!.Username!.Value).GetAttribute("name").Should().Be("Login_Name", "input[name*=login i] matched");
    }

    [TestCase("#", "http://127.0.0.1:5811/oauth2/authorize?client_id=web-app&state=xyz")]
    [TestCase("", "http://127.0.0.1:5811/oauth2/authorize?client_id=web-app&state=xyz")]
    [TestCase(null, "http://127.0.0.1:5811/oauth2/authorize?client_id=web-app&state=xyz")]
    [TestCase("#top", "http://127.0.0.1:5811/oauth2/authorize?client_id=web-app&state=xyz")]
    [TestCase("/login?x=1#frag", "http://127.0.0.1:5811/login?x=1")]
    [TestCase("confirm", "http://127.0.0.1:5811/oauth2/confirm")]
    public void A_form_is_sent_where_a_browser_sends_it_query_kept_for_the_page_itself(string? action, string expected) =>
        FormUserAgent.FormAction(PageUri, action).AbsoluteUri.Should().Be(expected);

    [Test]
    public async Task The_accepting_button_is_sent_with_its_name_and_the_hidden_decision_unchanged()
    {
        var sample = LoginPageSamples.Get("lemonldap consent confirmation");
        var (verdict, page) = Classify(sample.Html);

        var form = page.Form(verdict.Button!.Form)!;
        using var request = FormUserAgent.Submit(form, PageUri, HtmlPageReader.Fields(form), page.Element(verdict.Button.Ref));
        var body = await request.Content!.ReadAsStringAsync();

        request.Method.Should().Be(HttpMethod.Post);
        request.RequestUri!.AbsoluteUri.Should().Be(PageUri.AbsoluteUri);
        body.Should().Contain("confirm=QSt8huiSmQLIJN1yjzc9YKgWoFAnSQdwFWeUf7o2qYneR%252BW%2FUfVf%3D%3D").And.NotContain("-QSt8");
    }

    [Test]
    public void Only_logging_in_fills_in_credentials_and_navigating_answers_nothing()
    {
        foreach (var kind in Enum.GetValues<LoginPageKind>())
        {
            LoginPageInterpreter.Acts(UserAgentTask.Navigate, kind).Should().BeFalse(kind.ToString());
        }

        LoginPageInterpreter.Acts(UserAgentTask.Logout, LoginPageKind.LogoutConfirmation).Should().BeTrue();
        LoginPageInterpreter.Acts(UserAgentTask.Logout, LoginPageKind.Consent).Should().BeTrue("LemonLDAP's logout confirmation reads Accept / Refuse");
        LoginPageInterpreter.Acts(UserAgentTask.Logout, LoginPageKind.Password).Should().BeFalse();
        LoginPageInterpreter.Acts(UserAgentTask.Consent, LoginPageKind.Password).Should().BeFalse();
        LoginPageInterpreter.Acts(UserAgentTask.Authorize, LoginPageKind.LogoutConfirmation).Should().BeFalse();
    }

    [Test]
    public void The_browser_page_script_holds_no_word_or_selector_of_its_own()
    {
        var script = BrowserPageReader.Script;
        var vocabulary = LoginVocabulary.AllowWords.Concat(LoginVocabulary.DenyWords).Concat(LoginVocabulary.ContinueWords)
            .Concat(LoginVocabulary.LogoutWords).Concat(LoginVocabulary.ConfirmWords)
            .Concat(LoginVocabulary.PasswordSelectors).Concat(LoginVocabulary.UsernameInFormSelectors).Concat(LoginVocabulary.OtpSelectors)
            .Concat(LoginVocabulary.SubmitSelectors).Append(LoginVocabulary.ErrorSelector).Append(LoginVocabulary.ButtonSelector).Append(LoginVocabulary.InputSelector);

        foreach (var entry in vocabulary)
        {
            script.Should().NotContain($"'{entry}'", "the script gets every word and selector from LoginVocabulary")
                .And.NotContain($"\"{entry}\"");
        }

        var arguments = (Dictionary<string, object?>)BrowserPageReader.Arguments(LoginVocabulary.Selectors(LoginProfile.Form))["selectors"];
        arguments["password"].Should().BeSameAs(LoginVocabulary.PasswordSelectors);
        arguments["otp"].Should().BeSameAs(LoginVocabulary.OtpSelectors);
        arguments["usernameInForm"].Should().BeSameAs(LoginVocabulary.UsernameInFormSelectors);
        arguments["buttons"].Should().Be(LoginVocabulary.ButtonSelector);
    }

    /// <summary>
    /// Glewlwyd's profile names its logout confirmation with a Playwright-only pseudo-class inside :has(), on
    /// which AngleSharp's parser throws a NullReferenceException. That crashed every form-driver check against
    /// Glewlwyd with a stack trace; the form driver must treat the selector as matching nothing.
    /// </summary>
    [TestCase("a, b", new[] { "a", "b" })]
    [TestCase("button[title='Continue, please'], #x", new[] { "button[title='Continue, please']", "#x" })]
    [TestCase("div:is(.a, .b) > button ,  :has(h3:text-is('End, session')) .btn", new[] { "div:is(.a, .b) > button", ":has(h3:text-is('End, session')) .btn" })]
    [TestCase("  #only  ", new[] { "#only" })]
    [TestCase("a,,b,", new[] { "a", "b" })]
    public void A_profile_selector_list_splits_at_its_top_level_commas_only(string list, string[] parts) =>
        LoginVocabulary.SelectorParts(list).Should().Equal(parts);

    [Test]
    public void A_browser_only_selector_in_the_profile_matches_nothing_for_the_form_driver_instead_of_crashing()
    {
        var selectors = new Dictionary<string, string> { ["consent"] = "button#ok, body:has(h3:text-is('End session')) .btn-group > button.btn-danger" };

        var read = () => Classify(LoginPageSamples.Get("lemonldap login").Html, selectors);

        read.Should().NotThrow();
        read().Verdict.Field!.Username.Should().NotBeNull();
    }
}
