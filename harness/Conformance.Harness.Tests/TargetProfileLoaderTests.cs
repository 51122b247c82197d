using Conformance.Harness.Target;

namespace Conformance.Harness.Tests;

public class TargetProfileLoaderTests
{
    private static readonly Dictionary<string, string> Env = new()
    {
        ["WEB_SECRET"] = "s3cret-web-value",
        ["SVC_SECRET"] = "s3cret-svc-value",
        ["ALICE_PASSWORD"] = "alice-password-value",
        ["ALICE_TOTP"] = "JBSWY3DPEHPK3PXP",
    };

    private const string Valid = """
        {
          "name": "sample",
          "servers": [
            { "name": "org", "issuer": "https://id.example.com" },
            { "name": "default", "issuer": "https://id.example.com/oauth2/default", "audience": "api://default" }
          ],
          "clients": {
            "web": { "id": "web-app", "secret": "env:WEB_SECRET", "redirectUri": "https://app.test/callback" },
            "native": { "id": "native-app", "redirectUri": "com.example.app:/callback" },
            "service": { "id": "svc", "secret": "env:SVC_SECRET", "scopes": ["orders.read"], "servers": ["default"] }
          },
          "users": [ { "username": "alice@example.test", "password": "env:ALICE_PASSWORD", "totpSecret": "env:ALICE_TOTP" } ],
          "login": { "driver": "form" },
          "options": { "invasive": false, "maxConcurrency": 2, "timeoutSeconds": 5 }
        }
        """;

    private static TargetProfile Load(string json, IReadOnlyDictionary<string, string>? variables = null) =>
        new TargetProfileLoader(n => Env.GetValueOrDefault(n), variables).Load(json, "test.json");

    private static string Problems(string json) =>
        FluentActions.Invoking(() => Load(json)).Should().Throw<TargetProfileException>().Which.Message;

    [Test]
    public void A_valid_profile_resolves_servers_clients_users_and_secrets()
    {
        var profile = Load(Valid);

        profile.Servers.Select(s => s.Name).Should().Equal("org", "default");
        profile.Server("default").Audience.Should().Be("api://default");
        profile.Client("web")!.Secret!.Reveal().Should().Be("s3cret-web-value");
        profile.Client("native")!.IsConfidential.Should().BeFalse();
        profile.Client("service")!.ServesServer("org").Should().BeFalse();
        profile.Users[0].TotpSecret!.Reveal().Should().Be("JBSWY3DPEHPK3PXP");
        profile.Options.Timeout.Should().Be(TimeSpan.FromSeconds(5));
        profile.Options.MaxConcurrency.Should().Be(2);
    }

    [Test]
    public void A_secret_formats_as_its_reference_never_its_value()
    {
        var profile = Load(Valid);

        var secret = profile.Client("web")!.Secret!;
        secret.ToString().Should().Be("env:WEB_SECRET");
        $"{secret}".Should().NotContain("s3cret");
        profile.ToString().Should().NotContain("s3cret-web-value").And.NotContain("alice-password-value");
    }

    [Test]
    public void A_missing_issuer_is_named_by_its_path()
    {
        var message = Problems(Valid.Replace("\"issuer\": \"https://id.example.com\" ", ""));

        message.Should().Contain("$.servers[0].issuer: required");
    }

    [Test]
    public void A_missing_environment_variable_is_named_without_revealing_anything()
    {
        var message = Problems(Valid.Replace("env:WEB_SECRET", "env:NOT_SET_ANYWHERE"));

        message.Should().Contain("$.clients.web.secret: environment variable NOT_SET_ANYWHERE is not set");
    }

    [Test]
    public void A_literal_secret_is_refused_and_not_echoed()
    {
        var message = Problems(Valid.Replace("env:WEB_SECRET", "pasted-real-secret"));

        message.Should().Contain("$.clients.web.secret: secrets must be environment references");
        message.Should().NotContain("pasted-real-secret");
    }

    [Test]
    public void Every_problem_is_reported_at_once()
    {
        var json = Valid
            .Replace("\"name\": \"sample\",", "")
            .Replace("\"driver\": \"form\"", "\"driver\": \"telepathy\"")
            .Replace("\"maxConcurrency\": 2", "\"maxConcurrency\": 0");

        var exception = FluentActions.Invoking(() => Load(json)).Should().Throw<TargetProfileException>().Which;

        exception.Problems.Should().Contain("$.name: required");
        exception.Problems.Should().Contain(p => p.StartsWith("$.login.driver: 'telepathy' is not a login driver", StringComparison.Ordinal));
        exception.Problems.Should().Contain(p => p.StartsWith("$.options.maxConcurrency: must be a whole number", StringComparison.Ordinal));
    }

    [Test]
    public void A_typo_in_a_field_name_is_reported()
    {
        Problems(Valid.Replace("\"redirectUri\": \"https://app.test/callback\"", "\"redirectUrl\": \"https://app.test/callback\""))
            .Should().Contain("$.clients.web.redirectUrl: unknown field")
            .And.Contain("$.clients.web.redirectUri: required");
    }

    [Test]
    public void Plain_http_is_refused_for_a_remote_issuer_but_allowed_on_loopback()
    {
        Problems(Valid.Replace("https://id.example.com\"", "http://id.example.com\""))
            .Should().Contain("$.servers[0].issuer: 'http://id.example.com' must use https");

        Load(Valid.Replace("https://id.example.com\"", "http://127.0.0.1:5001\"")).Servers[0].Issuer.Port.Should().Be(5001);
    }

    [Test]
    public void An_unknown_client_role_and_an_unknown_server_reference_are_reported()
    {
        var json = Valid.Replace("\"native\":", "\"nativ\":").Replace("\"servers\": [\"default\"]", "\"servers\": [\"defualt\"]");

        Problems(json).Should().Contain("$.clients.nativ: unknown client role 'nativ'")
            .And.Contain("$.clients.service.servers: 'defualt' is not the name of a server");
    }

    [Test]
    public void A_public_client_with_a_secret_is_refused()
    {
        Problems(Valid.Replace("\"id\": \"native-app\",", "\"id\": \"native-app\", \"secret\": \"env:WEB_SECRET\","))
            .Should().Contain("$.clients.native.secret: a native client is public and must not have a secret");
    }

    [Test]
    public void Broken_json_names_the_line()
    {
        Problems("{\n  \"name\": \"x\",\n  \"servers\": [ oops ]\n}").Should().Contain("not valid JSON at line 3");
    }

    [Test]
    public void The_okta_shorthand_expands_to_the_org_server_and_custom_servers()
    {
        var start = Valid.IndexOf("\"servers\"", StringComparison.Ordinal);
        var end = Valid.IndexOf("\"clients\"", StringComparison.Ordinal);
        var json = Valid[..start]
            + """ "okta": { "domain": "acme.okta.com", "servers": [ "default", { "id": "aus9x", "name": "orders", "audience": "api://orders" } ] }, """
            + Valid[end..].Replace("\"servers\": [\"default\"]", "\"servers\": [\"orders\"]");

        var profile = Load(json);

        profile.Servers.Select(s => (s.Name, s.Issuer.OriginalString, s.Audience)).Should().Equal(
            ("org", "https://acme.okta.com", null),
            ("default", "https://acme.okta.com/oauth2/default", "api://default"),
            ("orders", "https://acme.okta.com/oauth2/aus9x", "api://orders"));
    }

    [Test]
    public void Placeholders_are_replaced_and_unknown_ones_reported()
    {
        var json = Valid.Replace("https://id.example.com", "{{embedded}}");

        Load(json, new Dictionary<string, string> { ["embedded"] = "http://127.0.0.1:4444" })
            .Server("default").Issuer.OriginalString.Should().Be("http://127.0.0.1:4444/oauth2/default");
        Problems(json).Should().Contain("unknown placeholder {{embedded}}");
    }

    [Test]
    public void Plain_settings_can_come_from_the_environment()
    {
        var json = Valid.Replace("\"id\": \"web-app\"", "\"id\": \"{{env:WEB_CLIENT_ID}}\"");

        Problems(json).Should().Contain("$.clients.web.id: environment variable WEB_CLIENT_ID is not set");
        new TargetProfileLoader(n => n == "WEB_CLIENT_ID" ? "0oa123" : Env.GetValueOrDefault(n)).Load(json, "t.json")
            .Client("web")!.ClientId.Should().Be("0oa123");
    }

    [Test]
    public void The_body_cap_defaults_to_4_MB_and_takes_the_profile_option()
    {
        Load(Valid).Options.MaxBodyMegabytes.Should().Be(4);
        Load(Valid.Replace("\"timeoutSeconds\": 5", "\"timeoutSeconds\": 5, \"maxBodyMegabytes\": 16")).Options.MaxBodyMegabytes.Should().Be(16);
    }

    [TestCase("0")]
    [TestCase("257")]
    [TestCase("2.5")]
    [TestCase("\"4\"")]
    public void A_body_cap_out_of_range_is_named_by_its_path(string value)
    {
        Problems(Valid.Replace("\"timeoutSeconds\": 5", $"\"timeoutSeconds\": 5, \"maxBodyMegabytes\": {value}"))
            .Should().Contain("$.options.maxBodyMegabytes: must be a whole number from 1 to 256");
    }

    [Test]
    public void A_missing_file_is_named()
    {
        FluentActions.Invoking(() => TargetProfileLoader.LoadFile("/nowhere/profile.json"))
            .Should().Throw<TargetProfileException>().WithMessage("*/nowhere/profile.json*file not found*");
    }
}
