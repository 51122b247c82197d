using System.Diagnostics;
using System.Net.Http.Headers;
using Conformance.ReferenceIssuer;

namespace Conformance.Checks.Tests;

/// <summary>
/// The benchmark's per-request probe (scripts/bench.sh --runs exchanges): CPU time and latency of each kind of request
/// against the embedded issuer alone, sequential, after a warm-up, so the issuer's own cost is seen apart from the
/// harness and from parallelism. Explicit: a measurement, not part of the proof; it asserts only that each request got
/// its expected status, so a figure is never taken from error pages.
/// </summary>
[TestFixture, Explicit("a benchmark; run by scripts/bench.sh --runs exchanges")]
public class ExchangeCostBenchmark
{
    [Test]
    public async Task Cost_of_each_kind_of_request()
    {
        await using var issuer = await EmbeddedIssuer.StartAsync(new HashSet<string>());
        var secret = issuer.Environment("REFERENCE_SECRET_SVC_APP")!;
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = issuer.BaseUrl };
        var basic = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("svc-app:" + secret));
        using var issued = await http.SendAsync(Form("/oauth2/default/v1/token", basic, "grant_type=client_credentials&scope=orders.read"));
        var accessToken = System.Text.Json.JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        var password = issuer.Environment("REFERENCE_PASSWORD_ALICE")!;
        var kinds = new (string Name, int Status, Func<HttpRequestMessage> Make)[]
        {
            ("discovery", 200, () => new(HttpMethod.Get, "/oauth2/default/.well-known/openid-configuration")),
            ("jwks", 200, () => new(HttpMethod.Get, "/oauth2/default/v1/keys")),
            ("token client_credentials", 200, () => Form("/oauth2/default/v1/token", basic, "grant_type=client_credentials&scope=orders.read")),
            ("token unknown grant", 400, () => Form("/oauth2/default/v1/token", basic, "grant_type=unknown")),
            ("introspect live token", 200, () => Form("/oauth2/default/v1/introspect", basic, "token=" + accessToken)),
            ("revoke unknown token", 200, () => Form("/oauth2/default/v1/revoke", basic, "token=abc")),
            ("authn (password only)", 200, () => new(HttpMethod.Post, "/api/v1/authn") { Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { username = "alice@example.test", password }), System.Text.Encoding.UTF8, "application/json") }),
            ("introspect unknown token", 200, () => Form("/oauth2/default/v1/introspect", basic, "token=abc")),
            ("authorize (to the login page)", 302, () => new(HttpMethod.Get, "/oauth2/default/v1/authorize?client_id=web-app&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fapp.test%2Fcallback&state=abcdefgh&nonce=n1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256")),
        };
        // The same requests through the harness's own HTTP layer (recording, redaction, pacing, limits) inside an
        // evidence scope, as a check sends them: the difference is the harness's cost per exchange.
        using var harness = new Conformance.Harness.Http.HarnessHttp(new Conformance.Harness.Http.Redactor(), new Conformance.Harness.Http.EvidenceRecorder(), TimeSpan.FromSeconds(30));
        harness.Redactor.AddSecret(secret);
        harness.Redactor.AddSecret(password);
        using var scope = harness.Recorder.BeginScope("benchmark");
        foreach (var (client, via) in new[] { (http, "direct"), (harness.Client, "harness") })
        foreach (var (name, expected, make) in kinds)
        {
            for (var i = 0; i < 20; i++) (await client.SendAsync(Absolute(make(), issuer.BaseUrl))).Dispose();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime; var wall = Stopwatch.StartNew(); var lat = new List<double>();
            int status = 0;
            for (var i = 0; i < 200; i++)
            {
                var t = Stopwatch.StartNew();
                using var r = await client.SendAsync(Absolute(make(), issuer.BaseUrl)); await r.Content.ReadAsStringAsync(); status = (int)r.StatusCode;
                lat.Add(t.Elapsed.TotalMilliseconds);
            }
            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / 200;
            status.Should().Be(expected, $"{name} must get its normal answer, or the figure measures an error page");
            lat.Sort();
            TestContext.Progress.WriteLine($"{via,-8} {name,-32} status {status} cpu/request {cpuMs,6:0.00} ms  median {lat[100],6:0.00} ms  p95 {lat[190],6:0.00} ms");
        }
    }

    private static HttpRequestMessage Absolute(HttpRequestMessage request, Uri baseUrl)
    {
        request.RequestUri = new Uri(baseUrl, request.RequestUri!);
        return request;
    }

    private static HttpRequestMessage Form(string path, string auth, string body)
    {
        var m = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded") };
        m.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        m.Headers.TryAddWithoutValidation("Authorization", auth);
        return m;
    }
}
