using System.Net;
using Conformance.Harness.Http;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using Microsoft.Playwright;

namespace Conformance.Harness.Tests;

/// <summary>
/// Secrets in pixels: a page that shows a secret (as text, in an input, in a placeholder, in a shadow root, in any
/// encoding) is masked through the redactor before a screenshot, and checked again by its DOM; a page that keeps
/// showing one gets no screenshot. No OCR: what the DOM holds at capture time is what the pixels can show.
/// </summary>
[NonParallelizable]
public class BrowserSecretMaskTests
{
    private const string Secret = "p@ss w0rd+&<é>";

    private BrowserSession? session;
    private string? unavailable;
    private BrowserLoginPages pages = null!;
    private string artifacts = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        pages = new BrowserLoginPages();
        artifacts = Path.Combine(Path.GetTempPath(), "conformance-mask-" + Guid.NewGuid().ToString("N"));
        (session, unavailable) = await BrowserSession.TryStartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (session is not null)
        {
            await session.DisposeAsync();
        }

        pages.Dispose();
        if (Directory.Exists(artifacts))
        {
            Directory.Delete(artifacts, recursive: true);
        }
    }

    private static IEnumerable<TestCaseData> Encodings() =>
        SecretForms.Of(Secret).DistinctBy(f => f.Text).Select(f => new TestCaseData(f.Form, f.Text).SetName($"A_page_showing_the_secret_{f.Form.Replace(' ', '_').Replace('-', '_')}_{Math.Abs(f.Text.GetHashCode(StringComparison.Ordinal)) % 1000}_is_masked_before_the_screenshot"));

    [TestCaseSource(nameof(Encodings))]
    public async Task A_page_showing_a_secret_in_any_encoding_is_masked_in_text_inputs_placeholders_and_shadow_roots(string form, string shown)
    {
        var page = await PageAsync(shown);
        var redactor = new Redactor([Secret]);

        var reason = await ScreenshotMask.ApplyAsync(page, redactor, TimeSpan.FromSeconds(5));

        reason.Should().BeNull(form);
        var visible = await page.EvaluateAsync<string[]>(ScreenshotMaskTexts);
        visible.Should().NotBeEmpty();
        visible.Should().OnlyContain(text => !text.Contains(shown, StringComparison.Ordinal), $"the {form} form is masked everywhere a screenshot could show it");
        visible.Should().Contain(text => text.Contains(Redactor.Mask, StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_page_that_keeps_restoring_the_secret_gets_no_screenshot()
    {
        var page = await PageAsync("nothing yet");
        // A script that puts the secret back whenever the text changes: a mutation observer runs right after the mask
        // writes (timers would not: a headless page may throttle them), so the second read sees the secret again.
        await page.EvaluateAsync($$"""
            () => {
              const secret = {{System.Text.Json.JsonSerializer.Serialize(Secret)}};
              const el = document.getElementById('text');
              new MutationObserver(() => { if (el.textContent !== secret) el.textContent = secret; })
                .observe(el, { childList: true, characterData: true, subtree: true });
              el.textContent = secret;
            }
            """);

        var reason = await ScreenshotMask.ApplyAsync(page, new Redactor([Secret]), TimeSpan.FromSeconds(5));

        reason.Should().Be("the page still showed a secret after masking");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_refusal_page_that_echoes_the_password_is_captured_masked_and_the_message_never_shows_it()
    {
        if (session is null)
        {
            Assert.Ignore(unavailable ?? "Chromium is unavailable");
        }

        var redactor = new Redactor();
        var driver = new BrowserLoginDriver(session!, new LoginProfile(["browser"], new Dictionary<string, string>()), redactor, artifacts);
        var user = new UserProfile("alice", new Target.Secret("env:WRONG", "wr0ng " + Secret), null);
        var request = new AuthorizationRequest
        {
            Endpoint = new Uri(pages.Base, "echo/authorize"),
            ClientId = "web-app",
            RedirectUri = new Uri("https://app.test/callback"),
            State = "xyz",
        };

        var failure = (await FluentActions.Awaiting(() => driver.AuthorizeAsync(request, user)).Should().ThrowAsync<LoginFailedException>()).Which;

        failure.Message.Should().Contain("refused").And.NotContain(Secret).And.NotContain(WebUtility.HtmlEncode(Secret));
        var screenshot = System.Text.RegularExpressions.Regex.Match(failure.Message, @"screenshot (\S+\.png)").Groups[1].Value;
        File.Exists(screenshot).Should().BeTrue("the echoed password was masked on the page, so the page could be captured: " + failure.Message);
    }

    private const string ScreenshotMaskTexts = """
        () => {
          const texts = [];
          const visit = (root) => {
            const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
            for (let n = walker.currentNode; n; n = walker.nextNode()) {
              if (n.nodeType === Node.TEXT_NODE) texts.push(n.nodeValue);
              else if (n.nodeType === Node.ELEMENT_NODE) {
                if (n.tagName === 'INPUT' || n.tagName === 'TEXTAREA') texts.push(n.value);
                if (n.hasAttribute('placeholder')) texts.push(n.getAttribute('placeholder'));
                if (n.shadowRoot) visit(n.shadowRoot);
              }
            }
          };
          visit(document.documentElement);
          return texts;
        }
        """;

    /// <summary>A page that shows <paramref name="shown"/> as text, as an input's value, as a placeholder, in a textarea and in a shadow root.</summary>
    private async Task<IPage> PageAsync(string shown)
    {
        if (session is null)
        {
            Assert.Ignore(unavailable ?? "Chromium is unavailable");
        }

        var context = await session!.NewContextAsync();
        var page = await context.NewPageAsync();
        var encoded = WebUtility.HtmlEncode(shown);
        await page.SetContentAsync($"""
            <html><body>
            <p id="text">Invalid password: {encoded}</p>
            <input type="text" value="{encoded}"><input placeholder="{encoded}"><textarea>{encoded}</textarea>
            <div id="host"></div>
            </body></html>
            """);
        await page.EvaluateAsync($$"""() => { document.getElementById('host').attachShadow({ mode: 'open' }).innerHTML = '<span>' + {{System.Text.Json.JsonSerializer.Serialize(shown)}}.replace(/</g, '&lt;') + '</span>'; }""");
        return page;
    }
}
