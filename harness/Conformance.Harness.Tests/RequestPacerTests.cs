using System.Diagnostics;
using System.Globalization;
using System.Net;
using Conformance.Harness.Http;
using Conformance.Harness.Target;

namespace Conformance.Harness.Tests;

public class RequestPacerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Answers 200 (with the given rate-limit headers) and notes when each request arrived.</summary>
    private sealed class Stub(Func<HttpResponseMessage>? answer = null) : HttpMessageHandler
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();

        public List<(string Path, TimeSpan At)> Arrivals { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Arrivals)
            {
                Arrivals.Add((request.RequestUri!.AbsolutePath, clock.Elapsed));
            }

            return Task.FromResult(answer?.Invoke() ?? new HttpResponseMessage(HttpStatusCode.OK));
        }
    }

    private static HttpResponseMessage Spent(long limit, long remaining, DateTimeOffset date, DateTimeOffset reset)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.Date = date;
        response.Headers.Add("X-Rate-Limit-Limit", limit.ToString(CultureInfo.InvariantCulture));
        response.Headers.Add("X-Rate-Limit-Remaining", remaining.ToString(CultureInfo.InvariantCulture));
        response.Headers.Add("X-Rate-Limit-Reset", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        return response;
    }

    [Test]
    public void A_sliding_window_never_admits_more_than_its_limit_in_any_window()
    {
        var window = new SlidingWindow(3, TimeSpan.FromSeconds(1));
        var random = new Random(20261201);
        var arrival = T0;
        var starts = new List<DateTimeOffset>();
        for (var i = 0; i < 300; i++)
        {
            arrival += TimeSpan.FromMilliseconds(random.Next(0, 400));
            starts.Add(arrival + window.Reserve(arrival));
        }

        starts.Should().BeInAscendingOrder("first come, first served");
        for (var i = 3; i < starts.Count; i++)
        {
            (starts[i] - starts[i - 3]).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1), $"request {i} and the third before it share a window");
        }
    }

    [Test]
    public void A_sliding_window_lets_requests_through_at_once_while_there_is_room()
    {
        var window = new SlidingWindow(2, TimeSpan.FromSeconds(1));

        window.Reserve(T0).Should().Be(TimeSpan.Zero);
        window.Reserve(T0).Should().Be(TimeSpan.Zero);
        window.Reserve(T0).Should().Be(TimeSpan.FromSeconds(1));
        window.Reserve(T0.AddSeconds(5)).Should().Be(TimeSpan.Zero, "the earlier starts have left the window");
    }

    [Test]
    public void A_pace_rule_matches_by_path_glob_and_counts_per_client_when_asked()
    {
        var rule = new PaceRule("*/v1/authorize", 50, TimeSpan.FromMinutes(1), Per: "client_id");

        rule.Matches(new Uri("https://acme.okta.com/oauth2/default/v1/authorize?client_id=a")).Should().BeTrue();
        rule.Matches(new Uri("https://acme.okta.com/oauth2/v1/authorize")).Should().BeTrue();
        rule.Matches(new Uri("https://acme.okta.com/oauth2/v1/authorize/callback")).Should().BeFalse();
        rule.Matches(new Uri("https://acme.okta.com/oauth2/v1/token")).Should().BeFalse();
        rule.Key(new Uri("https://x.test/v1/authorize?client_id=a&state=1"))
            .Should().NotBe(rule.Key(new Uri("https://x.test/v1/authorize?client_id=b&state=1")));
        rule.Key(new Uri("https://x.test/v1/authorize?client_id=a&state=1"))
            .Should().Be(rule.Key(new Uri("https://x.test/v1/authorize?state=2&client_id=a")));
        rule.Should().Be(new PaceRule("*/v1/authorize", 50, TimeSpan.FromMinutes(1), Per: "client_id"), "matching leaves no state in the rule");

        var middle = new PaceRule("/oauth2/*/v1/token", 3, TimeSpan.FromSeconds(1));
        middle.Matches(new Uri("https://acme.okta.com/oauth2/default/v1/token")).Should().BeTrue();
        middle.Matches(new Uri("https://acme.okta.com/oauth2/v1/token")).Should().BeFalse("the org server's path has no segment where the * stands");
        new PaceRule("/api/v1/authn*", 3, TimeSpan.FromSeconds(1)).Matches(new Uri("https://acme.okta.com/api/v1/authn/factors/f1/verify")).Should().BeTrue();
        new PaceRule("/token", 3, TimeSpan.FromSeconds(1)).Matches(new Uri("https://x.test/oauth2/token")).Should().BeFalse("without * the path must match whole");
    }

    [Test]
    public async Task A_rule_per_user_counts_the_username_a_request_sends_else_the_flows_lane_user_else_one_shared_bucket()
    {
        var rule = new PaceRule("*/v1/token", 3, TimeSpan.FromSeconds(1), Per: PaceRule.PerUser);
        var token = new Uri("https://acme.okta.com/oauth2/default/v1/token");
        async Task<string> KeyOf(HttpRequestMessage request)
        {
            using (request)
            {
                return rule.Key(token, await PaceIdentity.OfAsync(request, CancellationToken.None));
            }
        }

        HttpRequestMessage Form(params (string, string)[] fields) =>
            new(HttpMethod.Post, token) { Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))) };

        var alicePassword = await KeyOf(Form(("grant_type", "password"), ("username", "alice@example.test"), ("password", "pw")));
        var bobPassword = await KeyOf(Form(("grant_type", "password"), ("username", "bob@example.test"), ("password", "pw")));
        var shared = await KeyOf(Form(("grant_type", "authorization_code"), ("code", "c1")));
        string aliceLane;
        string aliceAuthn;
        using (PaceIdentity.ActAs("alice@example.test"))
        {
            aliceLane = await KeyOf(Form(("grant_type", "authorization_code"), ("code", "c2")));
            // The body wins over the lane: a check of alice's lane that signs a spare user in counts against that user.
            (await KeyOf(Form(("grant_type", "password"), ("username", "bob@example.test")))).Should().Be(bobPassword);
            aliceAuthn = await KeyOf(new HttpRequestMessage(HttpMethod.Post, token) { Content = System.Net.Http.Json.JsonContent.Create(new { stateToken = "s" }) });
        }

        string serviceInAliceLane;
        using (PaceIdentity.ActAs("alice@example.test"))
        {
            serviceInAliceLane = await KeyOf(Form(("grant_type", "client_credentials"), ("client_id", "svc"), ("scope", "orders.read")));
        }

        var serviceInErinLane = await KeyOf(Form(("grant_type", "client_credentials"), ("client_id", "svc"), ("scope", "orders.read")));
        serviceInAliceLane.Should().Be(serviceInErinLane, "a client's own grant counts against the client, whichever lane sends it").And.NotBe(alicePassword);

        var jsonAlice = await KeyOf(new HttpRequestMessage(HttpMethod.Post, token) { Content = System.Net.Http.Json.JsonContent.Create(new { username = "alice@example.test", password = "pw" }) });

        alicePassword.Should().NotBe(bobPassword, "Okta counts /token per user");
        aliceLane.Should().Be(alicePassword, "a code grant in alice's lane is alice's");
        aliceAuthn.Should().Be(alicePassword, "a factor verification names no user: the lane's");
        jsonAlice.Should().Be(alicePassword, "Okta's primary authentication names the user in its JSON body");
        shared.Should().NotBe(alicePassword).And.NotBe(bobPassword, "a request of no known user goes to the shared bucket");
        PaceIdentity.CurrentUser.Should().BeNull("the lane user is the flow's only while it acts as that user");
    }

    [Test]
    public async Task A_rule_per_client_counts_the_client_id_of_the_query_the_form_or_http_basic()
    {
        var rule = new PaceRule("*/v1/*", 50, TimeSpan.FromMinutes(1), Per: PaceRule.PerClient);
        async Task<string> KeyOf(HttpRequestMessage request)
        {
            using (request)
            {
                return rule.Key(request.RequestUri!, await PaceIdentity.OfAsync(request, CancellationToken.None));
            }
        }

        var query = await KeyOf(new HttpRequestMessage(HttpMethod.Get, "https://x.test/oauth2/v1/authorize?state=1&client_id=web-a"));
        var form = await KeyOf(new HttpRequestMessage(HttpMethod.Post, "https://x.test/oauth2/v1/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "refresh_token"), new("client_id", "web-a")]),
        });
        var basic = new HttpRequestMessage(HttpMethod.Post, "https://x.test/oauth2/v1/token");
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64.
        basic.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("web%2Da:se%3Acret"u8.ToArray()));
        var other = await KeyOf(new HttpRequestMessage(HttpMethod.Get, "https://x.test/oauth2/v1/authorize?client_id=web-b"));

        form.Should().Be(query);
        (await KeyOf(basic)).Should().Be(query, "a confidential client's HTTP Basic names it too");
        other.Should().NotBe(query);
        new PaceRule("*/v1/authorize", 50, TimeSpan.FromMinutes(1), Per: "client_id").Key(new Uri("https://x.test/v1/authorize?client_id=web-a"))
            .Should().NotBe(new PaceRule("*/v1/authorize", 50, TimeSpan.FromMinutes(1), Per: "client_id").Key(new Uri("https://x.test/v1/authorize?client_id=web-b")),
                "a query parameter name still counts per its value");
    }

    [Test]
    public async Task Requests_of_two_users_are_paced_apart_and_requests_of_one_user_together()
    {
        var stub = new Stub();
        using var pacer = new RequestPacer([new PaceRule("*/token", 1, TimeSpan.FromMilliseconds(600), Per: PaceRule.PerUser)]) { InnerHandler = stub };
        using var client = new HttpClient(pacer);
        async Task SendAs(string user)
        {
            using (PaceIdentity.ActAs(user))
            {
                (await client.PostAsync(new Uri($"http://issuer.test/oauth2/v1/token?u={user}"), new FormUrlEncodedContent([new("grant_type", "authorization_code")]))).Dispose();
            }
        }

        await Task.WhenAll(SendAs("alice"), SendAs("erin"));
        await SendAs("alice");

        var at = stub.Arrivals.Select(a => a.At).ToList();
        (at[1] - at[0]).Duration().Should().BeLessThan(TimeSpan.FromMilliseconds(400), "alice and erin each have their own window");
        (at[2] - at[0]).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(550), "alice's second request waits for her window");
    }

    [Test]
    public void A_nearly_spent_window_holds_until_its_reset_measured_against_the_server_date()
    {
        // The server's clock is an hour behind ours: only its own Date makes the reset meaningful.
        var date = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds());

        RequestPacer.HoldFor(Spent(60, 2, date, date.AddSeconds(20))).Should().Be(TimeSpan.FromSeconds(20));
        RequestPacer.HoldFor(Spent(60, 30, date, date.AddSeconds(20))).Should().BeNull("half the window is left");
        RequestPacer.HoldFor(Spent(4, 1, date, date.AddSeconds(1))).Should().Be(TimeSpan.FromSeconds(1), "a window of 4 with one left is held until its reset, without the 429 retry's margin");
        RequestPacer.HoldFor(Spent(0, 0, date, date.AddSeconds(20))).Should().BeNull("limit 0 is Okta's concurrency mode, whose reset is only a suggestion");
        RequestPacer.HoldFor(new HttpResponseMessage(HttpStatusCode.OK)).Should().BeNull("no headers, nothing to pace by");
    }

    [Test]
    public async Task Requests_matching_a_rule_are_spaced_and_others_pass_at_once()
    {
        var stub = new Stub();
        using var pacer = new RequestPacer([new PaceRule("*/token", 1, TimeSpan.FromMilliseconds(300))]) { InnerHandler = stub };
        using var client = new HttpClient(pacer);

        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync(new Uri("http://issuer.test/oauth2/v1/token"))).Dispose();
        }

        (await client.GetAsync(new Uri("http://issuer.test/oauth2/v1/keys"))).Dispose();

        var token = stub.Arrivals.Where(a => a.Path.EndsWith("/token", StringComparison.Ordinal)).Select(a => a.At).ToList();
        (token[1] - token[0]).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(280));
        (token[2] - token[1]).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(280));
        (stub.Arrivals[^1].At - token[2]).Should().BeLessThan(TimeSpan.FromMilliseconds(250), "/keys matches no rule and its window is not spent");
        pacer.Waited.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(560));
    }

    [Test]
    public async Task A_response_whose_window_is_spent_holds_the_next_request_to_that_path()
    {
        // A server's Date is in whole seconds.
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var calls = 0;
        // Reset one second after the server's Date: the hold is that second (an early hold takes no margin).
        var stub = new Stub(() => Interlocked.Increment(ref calls) == 1 ? Spent(60, 0, now, now.AddSeconds(1)) : new HttpResponseMessage(HttpStatusCode.OK));
        using var pacer = new RequestPacer([]) { InnerHandler = stub };
        using var client = new HttpClient(pacer);

        (await client.GetAsync(new Uri("http://issuer.test/api/v1/authn"))).Dispose();
        (await client.GetAsync(new Uri("http://issuer.test/oauth2/v1/keys"))).Dispose();
        (await client.GetAsync(new Uri("http://issuer.test/api/v1/authn"))).Dispose();

        (stub.Arrivals[1].At - stub.Arrivals[0].At).Should().BeLessThan(TimeSpan.FromMilliseconds(500), "another path is not held");
        (stub.Arrivals[2].At - stub.Arrivals[0].At).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950));
    }

    /// <summary>Answers the first request late with a spent window (X-Rate-Limit-Remaining 0), the others at once.</summary>
    private sealed class SlowSpentFirst : HttpMessageHandler
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private int calls;

        public List<TimeSpan> Arrivals { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Arrivals)
            {
                Arrivals.Add(clock.Elapsed);
            }

            if (Interlocked.Increment(ref calls) > 1)
            {
                return new HttpResponseMessage(HttpStatusCode.OK);
            }

            await Task.Delay(100, cancellationToken);
            var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            return Spent(4, 0, now, now.AddSeconds(1));
        }
    }

    [Test]
    public async Task A_request_queued_before_an_answer_said_the_window_is_spent_still_waits_for_the_hold()
    {
        var stub = new SlowSpentFirst();
        using var pacer = new RequestPacer([new PaceRule("*/token", 1, TimeSpan.FromMilliseconds(300), Per: PaceRule.PerUser)]) { InnerHandler = stub };
        using var client = new HttpClient(pacer);
        async Task Send()
        {
            using (PaceIdentity.ActAs("alice"))
            {
                (await client.PostAsync(new Uri("http://issuer.test/oauth2/default/v1/token"), new FormUrlEncodedContent([new("grant_type", "authorization_code")]))).Dispose();
            }
        }

        // The second is queued (300 ms) while the first is in flight; the first's answer then holds alice's token
        // requests (on every server) until the reset.
        await Task.WhenAll(Send(), Send());

        stub.Arrivals.Should().HaveCount(2);
        (stub.Arrivals[1] - stub.Arrivals[0]).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950), "the hold set after it was queued still applies");
    }

    [Test]
    public void The_okta_shorthand_paces_to_oktas_documented_limits_unless_the_profile_says_otherwise()
    {
        const string okta = """
            { "name": "acme", "okta": { "domain": "acme.okta.com", "servers": [ "default" ] },
              "clients": { "native": { "id": "n", "redirectUri": "com.example:/cb" } },
              "users": [ { "username": "u@example.test", "password": "env:PW" } ], "login": { "driver": "form" } OPTIONS }
            """;
        TargetProfile Load(string options) =>
            new TargetProfileLoader(_ => "value").Load(okta.Replace("OPTIONS", options, StringComparison.Ordinal), "okta.json");

        Load("").Options.Pacing.Should().BeEquivalentTo(TargetOptions.OktaPacing);
        TargetOptions.OktaPacing.Select(r => r.Per).Should().Equal(PaceRule.PerClient, PaceRule.PerUser, PaceRule.PerUser);
        Load(""", "options": { "pacing": [] }""").Options.Pacing.Should().BeEmpty("an empty list switches pacing off");
        Load(""", "options": { "pacing": [ { "path": "/oauth2/*/v1/token", "limit": 2, "windowSeconds": 1 } ] }""").Options.Pacing
            .Should().Equal(new PaceRule("/oauth2/*/v1/token", 2, TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void Each_wrong_pace_rule_is_named_by_its_path()
    {
        var json = """
            { "name": "x", "servers": [ { "name": "main", "issuer": "https://id.example.com" } ],
              "clients": { "native": { "id": "n", "redirectUri": "com.example:/cb" } },
              "users": [ { "username": "u", "password": "env:PW" } ], "login": { "driver": "form" },
              "options": { "pacing": [ { "path": "v1/token", "limit": 2, "windowSeconds": 1 }, { "path": "/token", "windowSeconds": 0 }, 7 ] } }
            """;

        var message = FluentActions.Invoking(() => new TargetProfileLoader(_ => "value").Load(json, "x.json"))
            .Should().Throw<TargetProfileException>().Which.Message;

        message.Should().Contain("$.options.pacing[0].path: 'v1/token' must be a URL path")
            .And.Contain("$.options.pacing[1].limit: required")
            .And.Contain("$.options.pacing[1].windowSeconds: must be a whole number from 1 to 3600")
            .And.Contain("$.options.pacing[2]: must be an object");
    }

    [Test]
    public async Task A_held_request_tells_its_flow_how_long_it_was_held_and_the_http_timeout_does_not_count_it()
    {
        // Timeout 1 s, pacing 1 per 1.5 s: the second call waits longer than the timeout and must still succeed.
        using var server = new System.Net.HttpListener();
        var port = FreePort();
        server.Prefixes.Add($"http://127.0.0.1:{port}/");
        server.Start();
        _ = Task.Run(async () =>
        {
            while (server.IsListening)
            {
                try
                {
                    var context = await server.GetContextAsync();
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
                catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        });
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), TimeSpan.FromSeconds(1), pacing: [new PaceRule("/token", 1, TimeSpan.FromMilliseconds(1500))]);
        var held = TimeSpan.Zero;

        using (RequestPacer.ObserveWaits(wait => held += wait))
        {
            (await http.Client.GetAsync(new Uri($"http://127.0.0.1:{port}/token"))).StatusCode.Should().Be(HttpStatusCode.OK);
            (await http.Client.GetAsync(new Uri($"http://127.0.0.1:{port}/token"))).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        held.Should().BeGreaterThan(TimeSpan.FromSeconds(1));
        http.Pacer.Waited.Should().Be(held);
    }

    [Test]
    public async Task A_server_that_never_answers_times_out_after_the_profile_timeout_with_a_sentence()
    {
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var act = () => Conformance.Harness.Protocol.Discovery.FetchAsync(http, new Uri($"http://127.0.0.1:{port}/oauth2/default"));

        (await act.Should().ThrowAsync<IssuerUnreachableException>()).WithMessage("*no response*");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the timeout is 1 s; nothing may hang");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
