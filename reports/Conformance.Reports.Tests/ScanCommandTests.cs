using System.Net;
using System.Text;

namespace Conformance.Reports.Tests;

/// <summary>
/// The scan of what a run leaves after it ends: TRX, JUnit and the console log, read with the profile's secrets and
/// each confidential client's Basic credential; findings named by file and encoding, never by value.
/// </summary>
[NonParallelizable]
public class ScanCommandTests
{
    private const string Password = "Al ice+P&ss=w0rd<\"é\">";
    private const string ClientSecret = "w3b s3cret+&=/:";

    private string root = null!;
    private string profile = null!;

    [SetUp]
    public void SetUp()
    {
        root = Path.Combine(Path.GetTempPath(), "conformance-scan-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        profile = Path.Combine(root, "profile.json");
        File.WriteAllText(profile, """
            {
              "name": "scan-test",
              "servers": [ { "name": "default", "issuer": "https://issuer.test/oauth2/default" } ],
              "clients": { "web": { "id": "web-app", "secret": "env:SCAN_TEST_SECRET", "redirectUri": "https://app.test/cb" } },
              "users": [ { "username": "alice@example.test", "password": "env:SCAN_TEST_PASSWORD" } ]
            }
            """);
        Environment.SetEnvironmentVariable("SCAN_TEST_SECRET", ClientSecret);
        Environment.SetEnvironmentVariable("SCAN_TEST_PASSWORD", Password);
    }

    [TearDown]
    public void TearDown()
    {
        Environment.SetEnvironmentVariable("SCAN_TEST_SECRET", null);
        Environment.SetEnvironmentVariable("SCAN_TEST_PASSWORD", null);
        Directory.Delete(root, recursive: true);
    }

    private (int Code, string Output, string Error) Scan(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = Program.Run(["scan", .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Test]
    public void Secrets_in_a_trx_a_junit_file_and_a_console_log_are_found_by_file_and_encoding_never_shown()
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("web-app:" + Uri.EscapeDataString(ClientSecret)));
        File.WriteAllText(Path.Combine(root, "conformance.trx"), $"<Message>the server said Authorization: Basic {basic}</Message>");
        File.WriteAllText(Path.Combine(root, "conformance.junit.xml"), $"<failure message=\"{WebUtility.HtmlEncode(Password)}\"/>");
        File.WriteAllText(Path.Combine(root, "console.log"), "echo: password=" + WebUtility.UrlEncode(Password));

        var (code, output, _) = Scan("--profile", profile, "--path", root);

        code.Should().Be(1);
        output.Should().Contain("conformance.trx: HTTP Basic credential of web-app (env:SCAN_TEST_SECRET)").And.Contain("form-encoded first");
        output.Should().Contain("conformance.junit.xml: env:SCAN_TEST_PASSWORD (HTML-encoded)");
        output.Should().Contain("console.log: env:SCAN_TEST_PASSWORD (form-encoded)");
        output.Should().NotContain(Password).And.NotContain(ClientSecret).And.NotContain(basic);
        output.Should().Contain("3 findings");
    }

    [Test]
    public void A_clean_run_reads_as_zero_findings()
    {
        File.WriteAllText(Path.Combine(root, "console.log"), "password=*** Authorization: Basic ***");

        var (code, output, _) = Scan("--profile", profile, "--path", root);

        code.Should().Be(0);
        output.Should().Contain("2 secrets").And.Contain("1 Basic credentials").And.Contain(": 0 findings");
    }

    [Test]
    public void A_whole_jwt_is_a_finding_too()
    {
        File.WriteAllText(Path.Combine(root, "console.log"), "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZUBleGFtcGxlIn0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU");

        Scan("--profile", profile, "--path", root).Output.Should().Contain("a whole JWT (compact serialization)");
    }

    [Test]
    public void A_missing_path_or_an_unset_secret_is_bad_input_named_in_one_line()
    {
        var missing = Scan("--profile", profile, "--path", Path.Combine(root, "nowhere"));
        Environment.SetEnvironmentVariable("SCAN_TEST_PASSWORD", null);
        var unset = Scan("--profile", profile, "--path", root);

        missing.Code.Should().Be(2);
        missing.Error.Should().Contain("no such file or directory").And.Contain("nowhere");
        unset.Code.Should().Be(2);
        unset.Error.Should().Contain("SCAN_TEST_PASSWORD").And.NotContain("   at ");
    }
}
