using System.Net;
using Conformance.Harness.Http;

namespace Conformance.Harness.Tests;

public class RateLimitHandlerTests
{
    private sealed class Script(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        public List<string?> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken));
            return answers[Math.Min(Bodies.Count - 1, answers.Length - 1)](request);
        }
    }

    private static HttpResponseMessage TooMany(DateTimeOffset serverNow, long? reset = null, TimeSpan? retryAfter = null)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.Date = serverNow;
        if (reset is not null)
        {
            response.Headers.Add("X-Rate-Limit-Reset", reset.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (retryAfter is not null)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(retryAfter.Value);
        }

        return response;
    }

    [Test]
    public void The_wait_is_measured_against_the_server_date_not_the_local_clock()
    {
        // The server's clock is a day behind ours: only its own Date makes the reset meaningful.
        var serverNow = DateTimeOffset.UtcNow.AddDays(-1);
        using var response = TooMany(serverNow, reset: serverNow.AddSeconds(3).ToUnixTimeSeconds());

        RateLimitHandler.WaitFor(response).Should().BeCloseTo(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1));
    }

    [Test]
    public void Retry_after_is_used_when_there_is_no_reset_header()
    {
        using var response = TooMany(DateTimeOffset.UtcNow, retryAfter: TimeSpan.FromSeconds(2));

        RateLimitHandler.WaitFor(response).Should().Be(TimeSpan.FromSeconds(3));
    }

    [Test]
    public async Task A_429_is_waited_out_and_the_same_request_replayed()
    {
        var script = new Script(_ => TooMany(DateTimeOffset.UtcNow, reset: DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5), _ => new HttpResponseMessage(HttpStatusCode.OK));
        using var client = new HttpClient(new RateLimitHandler(maxRetries: 2) { InnerHandler = script });

        var response = await client.PostAsync("https://as.test/token", new FormUrlEncodedContent([new("grant_type", "client_credentials")]));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        script.Bodies.Should().Equal("grant_type=client_credentials", "grant_type=client_credentials");
    }

    [Test]
    public async Task A_one_time_request_is_never_replayed()
    {
        var script = new Script(_ => TooMany(DateTimeOffset.UtcNow, retryAfter: TimeSpan.Zero), _ => new HttpResponseMessage(HttpStatusCode.OK));
        using var client = new HttpClient(new RateLimitHandler() { InnerHandler = script });
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://as.test/token") { Content = new StringContent("grant_type=authorization_code") };
        request.Options.Set(RateLimitHandler.OneTime, true);

        var act = () => client.SendAsync(request);

        (await act.Should().ThrowAsync<RateLimitedException>()).WithMessage("*one-time step*not replayed*");
        script.Bodies.Should().ContainSingle();
    }

    [Test]
    public async Task Retries_are_bounded_and_end_in_a_rate_limited_verdict()
    {
        var script = new Script(_ => TooMany(DateTimeOffset.UtcNow, retryAfter: TimeSpan.Zero));
        using var client = new HttpClient(new RateLimitHandler(maxRetries: 2) { InnerHandler = script });

        var act = () => client.GetAsync("https://as.test/userinfo");

        (await act.Should().ThrowAsync<RateLimitedException>()).WithMessage("rate limited (HTTP 429) 3 times at GET https://as.test/userinfo");
        script.Bodies.Should().HaveCount(3);
    }

    [Test]
    public async Task A_wait_longer_than_the_cap_is_not_attempted()
    {
        var script = new Script(_ => TooMany(DateTimeOffset.UtcNow, retryAfter: TimeSpan.FromMinutes(10)));
        using var client = new HttpClient(new RateLimitHandler(maxWait: TimeSpan.FromSeconds(5)) { InnerHandler = script });

        var act = () => client.GetAsync("https://as.test/keys");

        (await act.Should().ThrowAsync<RateLimitedException>()).WithMessage("*asks for 601 s, more than the 5 s*");
    }
}
