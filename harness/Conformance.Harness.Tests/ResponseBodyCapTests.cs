using System.Diagnostics;
using System.Net;
using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Jose;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Harness.Tests;

/// <summary>
/// Issue 9, item 5: a discovery document of 64 MB was read whole before it was judged. Every body the harness
/// reads now has a cap; beyond it the exchange is recorded cut and the verdict is inconclusive.
/// </summary>
[NonParallelizable] // The allocation figures are process-wide.
public class ResponseBodyCapTests
{
    private const string WellKnown = "/.well-known/openid-configuration";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [TestCase(Framing.ContentLength)]
    [TestCase(Framing.Chunked)]
    public async Task A_64_MB_discovery_document_leaves_the_server_unavailable_within_the_timeout_without_buffering_it(Framing framing)
    {
        using var server = new BodyServer();
        server.Json("/warm" + WellKnown, 2048, framing);
        server.Json(WellKnown, 64L * HarnessHttp.Megabyte, framing);
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), Timeout);
        // One small discovery first, so the figures below are the big body's cost, not the first call's (JIT, pool).
        await Discovery.FetchAsync(http, server.Url("warm"));

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var target = await ConnectedTarget.ConnectAsync(Profile(server.Base), http);
        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        TestContext.Out.WriteLine($"{framing}: {allocated / 1024.0 / 1024.0:0.00} MB allocated, {clock.ElapsedMilliseconds} ms, {server.BodyBytesWritten / 1024.0 / 1024.0:0.0} MB sent by the server");

        target.Server("default").Unavailable.Should().StartWith($"body over 4 MB at {server.Url(WellKnown)}");
        clock.Elapsed.Should().BeLessThan(Timeout);
        allocated.Should().BeLessThan(16L * HarnessHttp.Megabyte, "the body is read with a bounded buffer, never whole");
    }

    [Test]
    public async Task A_declared_length_over_the_cap_is_refused_before_the_body_is_read_and_recorded_cut()
    {
        using var server = new BodyServer();
        server.Json(WellKnown, 64L * HarnessHttp.Megabyte, Framing.ContentLength);
        var recorder = new EvidenceRecorder();
        using var http = new HarnessHttp(new Redactor(), recorder, Timeout);
        using var scope = recorder.BeginScope("discovery");

        var tooLarge = (await FluentActions.Awaiting(() => Discovery.FetchAsync(http, server.Base)).Should().ThrowAsync<ResponseTooLargeException>()).Which;

        tooLarge.Message.Should().Be($"body over 4 MB at {server.Url(WellKnown)} (Content-Length 67108864; not read)");
        tooLarge.DeclaredLength.Should().Be(64L * HarnessHttp.Megabyte);
        tooLarge.BytesRead.Should().Be(64 * 1024, "only the prefix kept as evidence is read");
        var exchange = scope.Exchanges.Should().ContainSingle().Subject;
        exchange.Status.Should().Be(200);
        exchange.Failure.Should().Be(tooLarge.Message);
        exchange.ResponseBody.Should().StartWith("{\"issuer\":").And.EndWith($"[... cut: {tooLarge.Message}]");
        exchange.ResponseBody!.Length.Should().BeLessThan(70 * 1024);
    }

    [Test]
    public async Task A_chunked_body_without_a_length_is_cut_one_byte_past_the_cap()
    {
        using var server = new BodyServer();
        server.Json(WellKnown, 64L * HarnessHttp.Megabyte, Framing.Chunked);
        var recorder = new EvidenceRecorder();
        using var http = new HarnessHttp(new Redactor(), recorder, Timeout, maxBodyMegabytes: 1);
        using var scope = recorder.BeginScope("discovery");

        var tooLarge = (await FluentActions.Awaiting(() => Discovery.FetchAsync(http, server.Base)).Should().ThrowAsync<ResponseTooLargeException>()).Which;

        tooLarge.Message.Should().Be($"body over 1 MB at {server.Url(WellKnown)} (reading stopped after {HarnessHttp.Megabyte + 1} bytes)");
        tooLarge.Cap.Should().Be(HarnessHttp.Megabyte);
        tooLarge.DeclaredLength.Should().BeNull();
        var exchange = scope.Exchanges.Should().ContainSingle().Subject;
        exchange.ResponseBody.Should().EndWith($"[... cut: {tooLarge.Message}]");
        exchange.ResponseBody!.Length.Should().BeLessThan(70 * 1024);
    }

    [Test]
    public async Task A_body_that_inflates_past_its_content_length_is_cut_at_the_cap()
    {
        using var server = new BodyServer();
        server.Json(WellKnown, 64L * HarnessHttp.Megabyte, Framing.Gzip);
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), Timeout, maxBodyMegabytes: 1);

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var tooLarge = (await FluentActions.Awaiting(() => Discovery.FetchAsync(http, server.Base)).Should().ThrowAsync<ResponseTooLargeException>()).Which;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        TestContext.Out.WriteLine($"gzip, {server.BodyBytesWritten} compressed bytes sent: {allocated / 1024.0 / 1024.0:0.00} MB allocated");

        tooLarge.BytesRead.Should().Be(HarnessHttp.Megabyte + 1);
        allocated.Should().BeLessThan(16L * HarnessHttp.Megabyte);
    }

    [Test]
    public async Task A_content_length_lying_low_does_not_make_the_reader_take_more()
    {
        // The stream yields 8 MB under a Content-Length of 100: the length sizes nothing and bounds nothing.
        var recorder = new EvidenceRecorder();
        var handler = new RecordingHandler(recorder, new Redactor(), HarnessHttp.Megabyte) { InnerHandler = new Canned(_ => Endless(8L * HarnessHttp.Megabyte, declared: 100)) };
        using var client = new HttpClient(handler);
        using var scope = recorder.BeginScope("lying");

        var tooLarge = (await FluentActions.Awaiting(() => client.GetAsync("https://as.test/keys")).Should().ThrowAsync<ResponseTooLargeException>()).Which;

        tooLarge.Message.Should().Be($"body over 1 MB at https://as.test/keys (reading stopped after {HarnessHttp.Megabyte + 1} bytes)");
        tooLarge.DeclaredLength.Should().Be(100);
        scope.Exchanges.Should().ContainSingle().Which.Failure.Should().Be(tooLarge.Message);
    }

    [Test]
    public async Task A_content_length_lying_low_on_the_wire_ends_the_body_where_it_said()
    {
        // SocketsHttpHandler reads what the Content-Length announced and drops the connection with the rest.
        using var server = new BodyServer();
        server.Json("/page", 8L * HarnessHttp.Megabyte, Framing.LyingLow);
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), Timeout, maxBodyMegabytes: 1);

        var clock = Stopwatch.StartNew();
        using var response = await http.Client.GetAsync(server.Url("page"));

        (await response.Content.ReadAsByteArrayAsync()).Should().HaveCount(1000);
        clock.Elapsed.Should().BeLessThan(Timeout);
    }

    [TestCase(-1)]
    [TestCase(0)]
    public async Task A_body_up_to_the_cap_is_read_whole(int offset)
    {
        using var server = new BodyServer();
        server.Json(WellKnown, HarnessHttp.Megabyte + offset, Framing.Chunked);
        var recorder = new EvidenceRecorder();
        using var http = new HarnessHttp(new Redactor(), recorder, Timeout, maxBodyMegabytes: 1);
        using var scope = recorder.BeginScope("discovery");

        var metadata = await Discovery.FetchAsync(http, server.Base);

        metadata.Issuer.Should().Be(server.Base.OriginalString.TrimEnd('/'));
        metadata.Json.GetProperty("filler").GetString().Should().HaveLength(HarnessHttp.Megabyte + offset - metadata.Issuer!.Length - """{"issuer":"","filler":""}""".Length);
        var exchange = scope.Exchanges.Should().ContainSingle().Subject;
        exchange.Failure.Should().BeNull();
        exchange.ResponseBody.Should().Contain("more characters not recorded", "the evidence keeps its usual 64 KB, the check the whole body");
    }

    [Test]
    public async Task A_check_whose_token_response_is_over_the_cap_is_inconclusive_not_failed()
    {
        using var server = new BodyServer();
        server.Text(WellKnown, "application/json", $$"""
            {"issuer":"{{server.Base.OriginalString.TrimEnd('/')}}","token_endpoint":"{{server.Url("token")}}","jwks_uri":"{{server.Url("jwks")}}"}
            """);
        server.Json("/token", 2L * HarnessHttp.Megabyte, Framing.Chunked);
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), Timeout, maxBodyMegabytes: 1);
        var service = new ClientProfile("service", "svc", new Secret("env:SVC_SECRET", "svc-secret-value"), null, null, ["read"], []);
        var target = await ConnectedTarget.ConnectAsync(Profile(server.Base, service), http);
        var check = new RuleCheck(Definition, async c =>
        {
            var tokens = await c.OAuth("service").ClientCredentialsAsync("read", ct: c.Cancellation);
            c.Expect(tokens.AccessToken is not null, "an access token", "none");
        });

        var result = await new CheckRunner(target, null).RunAsync(check, target.Server("default"));

        result.Outcome.Should().Be(Outcome.Inconclusive);
        result.Message.Should().StartWith($"body over 1 MB at {server.Url("token")}");
        result.Exchanges.Should().ContainSingle().Which.ResponseBody.Should().EndWith($"[... cut: {result.Message}]");
    }

    [Test]
    public async Task A_jwks_over_the_cap_is_an_unreachable_issuer_naming_the_cap()
    {
        using var server = new BodyServer();
        server.Json("/jwks", 2L * HarnessHttp.Megabyte, Framing.Chunked);
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), Timeout, maxBodyMegabytes: 1);

        await FluentActions.Awaiting(() => new JwksCache(http, server.Url("jwks")).GetAsync())
            .Should().ThrowAsync<ResponseTooLargeException>().WithMessage($"body over 1 MB at {server.Url("jwks")} *");
    }

    [Test]
    public async Task A_login_page_over_the_cap_stops_the_form_driver()
    {
        using var server = new BodyServer();
        server.Json("/login", 2L * HarnessHttp.Megabyte, Framing.Chunked, "text/html");
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), Timeout, maxBodyMegabytes: 1);
        await using var agent = new FormLoginDriver(http, LoginProfile.Form).NewUserAgent();

        await FluentActions.Awaiting(() => agent.NavigateAsync(server.Url("login"), new Uri("https://client.test/callback")))
            .Should().ThrowAsync<ResponseTooLargeException>().WithMessage($"body over 1 MB at {server.Url("login")} *");
    }

    [Test]
    public async Task A_head_response_is_not_refused_for_the_length_it_announces()
    {
        var handler = new RecordingHandler(new EvidenceRecorder(), new Redactor(), HarnessHttp.Megabyte)
        {
            InnerHandler = new Canned(_ => Endless(0, declared: 64L * HarnessHttp.Megabyte)),
        };
        using var client = new HttpClient(handler);

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "https://as.test/big"));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        response.Content.Headers.ContentLength.Should().Be(64L * HarnessHttp.Megabyte, "the header is the server's, handed on unchanged");
        allocated.Should().BeLessThan(HarnessHttp.Megabyte, "no buffer is sized from a length that describes no body");
    }

    private static readonly CheckDefinition Definition = new()
    {
        Id = "CAP-01",
        Area = "test",
        Requirement = "The token endpoint MUST issue an access token.",
        Level = RequirementLevel.Must,
        Severity = Severity.Info,
        Specs = [SpecRef.Parse("RFC6749 §4.4")],
        Applicability = "a service client",
        Remediation = "none",
    };

    private static TargetProfile Profile(Uri issuer, params ClientProfile[] clients) => new(
        "capped",
        [new ServerProfile("default", issuer, null, [])],
        clients.ToDictionary(c => c.Role),
        [],
        LoginProfile.Form,
        TargetOptions.Default);

    private static HttpResponseMessage Endless(long size, long declared)
    {
        var content = new StreamContent(new FillerStream(size));
        content.Headers.ContentLength = declared;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    private sealed class Canned(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }

    /// <summary>A body of any size that costs no memory: 'a' after 'a', generated on read.</summary>
    private sealed class FillerStream(long size) : Stream
    {
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => size;

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, size - position);
            buffer.AsSpan(offset, n).Fill((byte)'a');
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
