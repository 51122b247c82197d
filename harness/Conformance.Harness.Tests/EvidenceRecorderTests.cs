using System.Net;
using System.Net.Sockets;
using System.Text;
using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Harness.Tests;

public class EvidenceRecorderTests
{
    private sealed class Canned(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }

    private static (HttpClient Client, EvidenceRecorder Recorder) Recording(Func<HttpRequestMessage, HttpResponseMessage> answer, Redactor? redactor = null)
    {
        var recorder = new EvidenceRecorder();
        var handler = new RecordingHandler(recorder, redactor ?? new Redactor(["the-client-secret"])) { InnerHandler = new Canned(answer) };
        return (new HttpClient(handler), recorder);
    }

    [Test]
    public async Task An_exchange_is_recorded_in_the_scope_that_made_it_with_secrets_redacted()
    {
        var (client, recorder) = Recording(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent("""{"access_token":"at-secret-1","token_type":"Bearer"}""", Encoding.UTF8, "application/json"),
            Headers = { { "Cache-Control", "no-store" } },
        });

        using var scope = recorder.BeginScope("check");
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://as.test/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_secret", "the-client-secret")]),
        };
        request.Headers.Add("Authorization", "Basic d2ViOnNlY3JldA==");
        (await client.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK);

        var exchange = scope.Exchanges.Should().ContainSingle().Subject;
        exchange.Method.Should().Be("POST");
        exchange.Url.Should().Be("https://as.test/token");
        exchange.Status.Should().Be(200);
        exchange.RequestBody.Should().Be("grant_type=client_credentials&client_secret=***");
        exchange.RequestHeaders.Should().Contain(new KeyValuePair<string, string>("Authorization", "Basic ***"));
        exchange.ResponseHeaders.Should().Contain(new KeyValuePair<string, string>("Cache-Control", "no-store"));
        exchange.ResponseBody.Should().NotContain("at-secret-1").And.Contain("\"token_type\":\"Bearer\"");
        exchange.ToString().Should().NotContain("the-client-secret").And.NotContain("at-secret-1");
    }

    [Test]
    public async Task Parallel_scopes_keep_their_own_exchanges()
    {
        var (client, recorder) = Recording(r => new HttpResponseMessage(HttpStatusCode.NoContent) { RequestMessage = r });

        async Task<EvidenceScope> Run(string name)
        {
            using var scope = recorder.BeginScope(name);
            for (var i = 0; i < 5; i++)
            {
                await Task.Yield();
                await client.GetAsync($"https://as.test/{name}/{i}");
            }

            return scope;
        }

        var scopes = await Task.WhenAll(Run("a"), Run("b"), Run("c"));

        foreach (var scope in scopes)
        {
            scope.Exchanges.Should().HaveCount(5).And.OnlyContain(e => e.Url.Contains($"/{scope.Name}/", StringComparison.Ordinal));
            scope.Exchanges.Select(e => e.Sequence).Should().BeInAscendingOrder();
        }
    }

    [Test]
    public async Task A_nested_scope_returns_control_to_its_parent_when_disposed()
    {
        var (client, recorder) = Recording(_ => new HttpResponseMessage(HttpStatusCode.OK));
        using var outer = recorder.BeginScope("outer");
        using (var inner = recorder.BeginScope("inner"))
        {
            await client.GetAsync("https://as.test/inner");
            inner.Exchanges.Should().ContainSingle();
        }

        await client.GetAsync("https://as.test/outer");

        outer.Exchanges.Should().ContainSingle().Which.Url.Should().EndWith("/outer");
    }

    [Test]
    public async Task A_refused_connection_is_recorded_and_described_in_words()
    {
        var port = FreePort();
        var recorder = new EvidenceRecorder();
        using var http = new HarnessHttp(new Redactor(), recorder, TimeSpan.FromSeconds(5));
        using var scope = recorder.BeginScope("dead");

        var act = () => Discovery.FetchAsync(http, new Uri($"http://127.0.0.1:{port}/oauth2/default"));

        (await act.Should().ThrowAsync<IssuerUnreachableException>())
            .WithMessage($"discovery at http://127.0.0.1:{port}/oauth2/default/.well-known/openid-configuration: connection refused*");
        scope.Exchanges.Should().ContainSingle().Which.Failure.Should().Contain("connection refused");
    }

    [Test]
    public async Task Connecting_a_target_with_a_dead_server_marks_it_unavailable_with_the_reason()
    {
        var port = FreePort();
        var profile = new TargetProfile(
            "dead",
            [new ServerProfile("default", new Uri($"http://127.0.0.1:{port}/oauth2/default"), null, [])],
            new Dictionary<string, ClientProfile>(),
            [],
            LoginProfile.Form,
            TargetOptions.Default);
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), TimeSpan.FromSeconds(5));

        var target = await ConnectedTarget.ConnectAsync(profile, http);

        target.Server("default").Unavailable.Should().Contain("connection refused");
        FluentActions.Invoking(() => target.Server("default").Metadata).Should().Throw<IssuerUnreachableException>().WithMessage("*'default' is unavailable*");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
