using System.Text.Json;
using Conformance.Reports.Allure;

namespace Conformance.Reports.Tests;

public sealed class AllureResultsTests
{
    private string directory = "";
    private List<JsonElement> results = [];

    [OneTimeSetUp]
    public void WriteResults()
    {
        var root = Directory.CreateTempSubdirectory("allure-").FullName;
        var png = Samples.WritePng(Path.Combine(root, "shots"));
        var data = ReportData.Merge([Samples.Run(attachments: [png])]);
        var waivers = new[] { new Waiver("REV-01", "default", null, "vendor fix due in June", new DateOnly(2026, 6, 30)) };
        var gate = Gate.Evaluate(data, waivers, new GateOptions { Today = new DateOnly(2026, 3, 2) });
        directory = Path.Combine(root, "allure-results");
        new AllureResults(data, gate, new Attachments([root])).Write(directory);
        results = Directory.GetFiles(directory, "*-result.json").Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement).ToList();
    }

    private JsonElement Result(string fullNameEnd) => results.Single(r => r.GetProperty("fullName").GetString()!.EndsWith(fullNameEnd, StringComparison.Ordinal));

    [Test]
    public void One_result_per_verdict_with_the_documented_fields()
    {
        results.Should().HaveCount(Samples.Run().Checks.Count + Samples.Run().Flows.Count);
        foreach (var r in results)
        {
            var file = r.GetProperty("uuid").GetString() + "-result.json";
            File.Exists(Path.Combine(directory, file)).Should().BeTrue();
            Guid.TryParse(r.GetProperty("uuid").GetString(), out _).Should().BeTrue();
            r.GetProperty("historyId").GetString().Should().MatchRegex("^[0-9a-f]{32}$");
            r.GetProperty("name").GetString().Should().NotBeNullOrEmpty();
            r.GetProperty("fullName").GetString().Should().StartWith("conformance.acme.");
            r.GetProperty("status").GetString().Should().BeOneOf("passed", "failed", "broken", "skipped");
            r.GetProperty("stage").GetString().Should().Be("finished");
            r.GetProperty("statusDetails").GetProperty("message").GetString().Should().NotBeNullOrEmpty();
            r.GetProperty("stop").GetInt64().Should().BeGreaterThanOrEqualTo(r.GetProperty("start").GetInt64());
            r.GetProperty("start").GetInt64().Should().BeGreaterThan(1_700_000_000_000, "times are epoch milliseconds");
            var labels = r.GetProperty("labels").EnumerateArray().Select(l => l.GetProperty("name").GetString()).ToHashSet();
            labels.Should().Contain(["parentSuite", "suite", "subSuite", "feature", "severity", "host"]);
            r.GetProperty("titlePath").GetArrayLength().Should().Be(3);
        }

        results.Select(r => r.GetProperty("uuid").GetString()).Should().OnlyHaveUniqueItems();
        results.Select(r => r.GetProperty("historyId").GetString()).Should().OnlyHaveUniqueItems();
    }

    [Test]
    public void Outcomes_map_to_allure_statuses_with_a_prefix_the_categories_match()
    {
        Status(".default.PKCE-01").Should().Be(("passed", "The token endpoint MUST refuse a wrong code_verifier."));
        Status(".second.DISC-02").Should().Be(("failed", "[MUST] The issuer in the metadata MUST be identical to the issuer URL.\nexpected: issuer https://id.acme.test/oauth2/aus-second\nobserved: issuer <script>alert('xss')</script>"));
        Status(".default.AUTHZ-12").Status.Should().Be("broken");
        Status(".default.AUTHZ-12").Message.Should().StartWith("[SHOULD] ");
        Status(".(target-wide).AUTHN-05").Message.Should().StartWith("[INCONCLUSIVE] precondition failed");
        Status(".second.CC-01").Should().Be(("skipped", "[NOT APPLICABLE] server 'second' does not list 'client_credentials' in grant_types_supported"));
        Status(".flows.Implicit(second,form)").Status.Should().Be("failed");

        (string Status, string Message) Status(string name)
        {
            var r = Result(name);
            return (r.GetProperty("status").GetString()!, r.GetProperty("statusDetails").GetProperty("message").GetString()!);
        }
    }

    [Test]
    public void A_waived_failure_is_known_and_says_until_when()
    {
        var details = Result(".default.REV-01").GetProperty("statusDetails");
        details.GetProperty("known").GetBoolean().Should().BeTrue();
        details.GetProperty("message").GetString().Should().StartWith("[WAIVED until 2026-06-30: vendor fix due in June] [MUST] ");
        details.GetProperty("trace").GetString().Should().StartWith("remediation: Fix REV-01");
        details.GetProperty("expected").GetString().Should().Be("refresh refused with invalid_grant");
    }

    [Test]
    public void Labels_and_links_carry_suite_severity_tags_and_specs()
    {
        var r = Result(".default.REV-01");
        var labels = r.GetProperty("labels").EnumerateArray().Select(l => (l.GetProperty("name").GetString(), l.GetProperty("value").GetString())).ToList();
        labels.Should().Contain([("parentSuite", "acme"), ("suite", "default"), ("subSuite", "revocation"), ("feature", "revocation"), ("story", "REV-01"),
            ("severity", "blocker"), ("tag", "MUST"), ("tag", "RFC9700 §4.8"), ("host", "id.acme.test")]);
        var links = r.GetProperty("links").EnumerateArray().Select(l => (l.GetProperty("name").GetString(), l.GetProperty("url").GetString(), l.GetProperty("type").GetString())).ToList();
        links.Should().Contain(("RFC7636 §4.6", "https://www.rfc-editor.org/rfc/rfc7636.html#section-4.6", "link"));
        links.Should().Contain(("threat: RFC6819 §5.2.2.4", "https://www.rfc-editor.org/rfc/rfc6819.html#section-5.2.2.4", "link"));
    }

    [Test]
    public void Each_http_exchange_is_a_step_with_the_exchange_as_a_text_attachment()
    {
        var steps = Result(".default.REV-01").GetProperty("steps").EnumerateArray().ToList();
        steps.Should().HaveCount(2);
        steps[0].GetProperty("name").GetString().Should().Be("POST https://id.acme.test/oauth2/default/v1/revoke → 200");
        steps[0].GetProperty("status").GetString().Should().Be("passed");
        var attachment = steps[0].GetProperty("attachments")[0];
        attachment.GetProperty("type").GetString().Should().Be("text/plain");
        var source = attachment.GetProperty("source").GetString()!;
        source.Should().MatchRegex("^[0-9a-f-]{36}-attachment\\.txt$");
        var text = File.ReadAllText(Path.Combine(directory, source));
        text.Should().StartWith("POST https://id.acme.test/oauth2/default/v1/revoke").And.Contain("token=[sha256:").And.NotContain(Samples.RefreshToken);
    }

    [Test]
    public void Decoded_tokens_and_screenshots_are_attachments()
    {
        var pkce = Result(".default.PKCE-01").GetProperty("attachments").EnumerateArray().ToList();
        pkce.Should().ContainSingle(a => a.GetProperty("type").GetString() == "application/json");
        File.ReadAllText(Path.Combine(directory, pkce[0].GetProperty("source").GetString()!)).Should().Contain("\"kid\": \"k-2026\"");

        var flow = Result(".flows.AuthorizationCode(default,form)").GetProperty("attachments")[0];
        flow.GetProperty("type").GetString().Should().Be("image/png");
        File.ReadAllBytes(Path.Combine(directory, flow.GetProperty("source").GetString()!)).Take(4).Should().Equal(0x89, 0x50, 0x4E, 0x47);
    }

    [Test]
    public void A_container_per_run_lists_every_result_and_the_discovery_setup()
    {
        var containers = Directory.GetFiles(directory, "*-container.json");
        var container = JsonDocument.Parse(File.ReadAllText(containers.Should().ContainSingle().Which)).RootElement;
        container.GetProperty("children").EnumerateArray().Select(c => c.GetString()).Should().BeEquivalentTo(results.Select(r => r.GetProperty("uuid").GetString()));
        container.GetProperty("befores")[0].GetProperty("name").GetString().Should().Be("connect to acme: discovery of 2 authorization servers");
    }

    [Test]
    public void Categories_environment_and_executor_are_written()
    {
        var categories = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "categories.json"))).RootElement;
        categories.EnumerateArray().Select(c => c.GetProperty("name").GetString()).Should().StartWith(["Waived deviations", "MUST violations", "SHOULD warnings", "Inconclusive"]);
        categories[1].GetProperty("messageRegex").GetString().Should().Be(@"\[MUST\].*");

        var environment = File.ReadAllText(Path.Combine(directory, "environment.properties"));
        environment.Should().Contain("target=acme\n").And.Contain("server.default=https://id.acme.test/oauth2/default").And.Contain("harness.version=0.1.0");

        var executor = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "executor.json"))).RootElement;
        executor.GetProperty("reportName").GetString().Should().Be("Conformance: acme");
        executor.GetProperty("buildName").GetString().Should().Be("20260302T093000Z-aaaa");
    }

    [Test]
    public void The_allure_mapping_helpers_cover_every_outcome_and_severity()
    {
        AllureResults.Status(Harness.Checks.Outcome.Inconclusive).Should().Be("broken");
        AllureResults.Severity(Harness.Checks.Severity.Info).Should().Be("trivial");
        AllureResults.Severity(Harness.Checks.Severity.High).Should().Be("critical");
    }
}
