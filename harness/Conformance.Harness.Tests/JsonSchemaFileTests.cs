using System.Text.Json.Nodes;
using Conformance.Harness.Target;

namespace Conformance.Harness.Tests;

/// <summary>
/// The shipped JSON Schemas: every example of the repository validates against them, and what they find reads as the
/// loader's messages always have, by JSON path.
/// </summary>
public class JsonSchemaFileTests
{
    private static string Root => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

    private static JsonNode? Read(string path) =>
        JsonNode.Parse(File.ReadAllText(path), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });

    private static IEnumerable<string> Profiles() => Directory.GetFiles(Path.Combine(Root, "fixtures", "profiles"), "*.json").Select(Path.GetFileName)!;

    [TestCaseSource(nameof(Profiles))]
    public void Every_example_profile_names_the_schema_and_validates_against_it(string file)
    {
        var path = Path.Combine(Root, "fixtures", "profiles", file);
        var profile = Read(path);

        profile!["$schema"]?.GetValue<string>().Should().Be("../../schemas/target-profile.schema.json");
        JsonSchemaFile.TargetProfile.Problems(profile).Should().BeEmpty();
    }

    [Test]
    public void The_example_waivers_file_names_the_schema_and_validates_against_it()
    {
        var waivers = Read(Path.Combine(Root, "reports", "waivers.json"));

        waivers!["$schema"]?.GetValue<string>().Should().Be("../schemas/waivers.schema.json");
        JsonSchemaFile.Waivers.Problems(waivers).Should().BeEmpty();
    }

    [TestCase("""{"maxConcurrency": 0}""", "$.options.maxConcurrency: must be a whole number from 1 to 64")]
    [TestCase("""{"invasive": "yes"}""", "$.options.invasive: must be true or false (found the string 'yes')")]
    [TestCase("""{"pacing": [ { "path": "/token", "limit": 3 } ]}""", "$.options.pacing[0].windowSeconds: required")]
    [TestCase("""{"timeout": 3}""", "$.options.timeout: unknown field (expected one of invasive, slow, maxConcurrency, timeoutSeconds, clockSkewSeconds, maxBodyMegabytes, maxInconclusive, pacing)")]
    public void Options_are_checked_by_the_schema_with_the_path_at_fault(string options, string expected)
    {
        var profile = JsonNode.Parse($$"""{"name": "x", "servers": [ { "name": "a", "issuer": "https://a.test" } ], "clients": {}, "users": [ { "username": "u", "password": "env:P" } ], "options": {{options}} }""");

        JsonSchemaFile.TargetProfile.Problems(profile).Should().Equal(expected);
    }

    [Test]
    public void Roles_drivers_and_literal_secrets_read_as_before_and_never_echo_a_secret()
    {
        var profile = JsonNode.Parse("""
            {"name": "x", "servers": [ { "name": "a", "issuer": "https://a.test" } ],
             "clients": { "nativ": { "id": "n" }, "web": { "id": "w", "secret": "pasted-s3cret", "redirectUri": "https://app.test/cb" } },
             "users": [ { "username": "u", "password": "env:P" } ], "login": { "drivers": [ "form", "selenium" ] } }
            """);

        var problems = JsonSchemaFile.TargetProfile.Problems(profile);

        problems.Should().Contain("$.clients.nativ: unknown client role 'nativ' (expected one of web, web2, native, spa, service, password, assertion, device)")
            .And.Contain("$.clients.web.secret: secrets must be environment references such as env:CONF_SECRET, not literal values")
            .And.Contain("$.login.drivers[1]: 'selenium' is not a login driver (expected one of form, browser, okta-authn)");
        string.Join("\n", problems).Should().NotContain("pasted-s3cret");
    }

    [Test]
    public void Shape_and_environment_problems_are_reported_together()
    {
        var json = """
            {"name": "x", "servers": [ { "name": "a", "issuer": "https://a.test" } ], "clients": {},
             "users": [ { "username": "u", "password": "env:NOT_SET_FOR_SCHEMA_TEST" } ], "options": { "maxBodyMegabytes": 999 } }
            """;

        var problems = FluentActions.Invoking(() => new TargetProfileLoader(_ => null).Load(json, "p.json")).Should().Throw<TargetProfileException>().Which.Problems;

        problems.Should().Contain("$.options.maxBodyMegabytes: must be a whole number from 1 to 256")
            .And.Contain("$.users[0].password: environment variable NOT_SET_FOR_SCHEMA_TEST is not set");
    }
}
