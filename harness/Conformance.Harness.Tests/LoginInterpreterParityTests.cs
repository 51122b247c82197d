using AngleSharp.Html.Parser;
using Conformance.Harness.Login;
using Conformance.Harness.Target;
using Microsoft.Playwright;

namespace Conformance.Harness.Tests;

/// <summary>
/// Every sample page read by both drivers' readers, served over HTTP on 127.0.0.1: the form driver's
/// (AngleSharp over the fetched HTML) and the browser driver's (its page script in Chromium). Both get their
/// selectors and words from <see cref="LoginVocabulary"/> and their decision from <see cref="LoginPageInterpreter"/>,
/// so they must agree on the kind and on the field or button, page by page. Ignored, with the reason, when Chromium
/// is not installed.
/// </summary>
[NonParallelizable]
public class LoginInterpreterParityTests
{
    private static readonly Uri Callback = new("https://app.test/callback");

    private LoginTestServer server = null!;
    private HttpClient client = null!;
    private BrowserSession? session;
    private IBrowserContext? context;
    private IPage? page;
    private string? unavailable;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        server = new LoginTestServer();
        client = new HttpClient();
        (session, unavailable) = await BrowserSession.TryStartAsync();
        if (session is not null)
        {
            context = await session.NewContextAsync();
            page = await context.NewPageAsync();
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (context is not null)
        {
            await context.CloseAsync();
        }

        if (session is not null)
        {
            await session.DisposeAsync();
        }

        client.Dispose();
        server.Dispose();
    }

    private static IEnumerable<string> Samples => LoginPageSamples.All.Select(s => s.Name);

    [TestCaseSource(nameof(Samples))]
    public async Task Both_drivers_read_the_page_alike(string name)
    {
        if (page is null)
        {
            Assert.Ignore(unavailable ?? "Chromium is unavailable");
        }

        var index = LoginPageSamples.All.ToList().FindIndex(s => s.Name == name);
        var sample = LoginPageSamples.All[index];
        var uri = server.Sample(index);
        var selectors = LoginVocabulary.Selectors(new LoginProfile(["form", "browser"], sample.Selectors ?? new Dictionary<string, string>()));

        var html = await client.GetStringAsync(uri);
        var form = HtmlPageReader.Read(await new HtmlParser().ParseDocumentAsync(html), uri, selectors);
        var formVerdict = LoginPageInterpreter.Classify(form.Facts, Callback);

        await page!.GotoAsync(uri.AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        var read = await BrowserPageReader.ReadAsync(page, selectors, TimeSpan.FromSeconds(10));
        read.Should().NotBeNull("the page script ran");
        var browserVerdict = LoginPageInterpreter.Classify(read!.Value.Facts, Callback);

        var formTarget = LoginPageInterpreterTests.Target(formVerdict, form);
        var browserTarget = browserVerdict.Field is { } field
            ? await BrowserPageReader.Locate(page, field.Ref).GetAttributeAsync("name")
            : browserVerdict.Button?.Label;

        (browserVerdict.Kind, browserTarget).Should().Be((formVerdict.Kind, formTarget), "the browser reads the page as the form driver does");
        formVerdict.Kind.Should().Be(sample.Kind);
        formTarget.Should().Be(sample.Target);
    }
}
