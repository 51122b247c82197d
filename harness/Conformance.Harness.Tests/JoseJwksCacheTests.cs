using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Conformance.Harness.Assertions;
using Conformance.Harness.Http;
using Conformance.Harness.Jose;
using Conformance.Harness.Protocol;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Harness.Tests;

/// <summary>The JWKS cache over real HTTP (an in-process listener on 127.0.0.1), through the harness's HTTP layer.</summary>
public class JoseJwksCacheTests
{
    /// <summary>Serves a JWKS that can change between requests, and counts the requests.</summary>
    private sealed class JwksEndpoint : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;
        private int requests;

        public JwksEndpoint()
        {
            var port = FreePort();
            Uri = new Uri($"http://127.0.0.1:{port}/oauth2/default/v1/keys");
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            loop = Task.Run(ServeAsync);
        }

        public Uri Uri { get; }

        public int Requests => Volatile.Read(ref requests);

        public List<JsonWebKey> Keys { get; } = [];

        public void Dispose()
        {
            stop.Cancel();
            listener.Close();
            try
            {
                loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // The loop ends with the listener's disposal.
            }

            stop.Dispose();
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        private async Task ServeAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                Interlocked.Increment(ref requests);
                var body = JsonSerializer.Serialize(new
                {
                    keys = Keys.Select(k => new { kty = k.Kty, kid = k.Kid, use = k.Use, n = k.N, e = k.E }),
                });
                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
                context.Response.Close();
            }
        }
    }

    [Test]
    public async Task An_unknown_kid_refetches_the_jwks_over_http_once_and_finds_a_rotated_key()
    {
        using var endpoint = new JwksEndpoint();
        endpoint.Keys.Add(JoseTestIssuer.PublicJwk(JoseTestIssuer.SigningKey));
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), TimeSpan.FromSeconds(10));
        var issuer = new JoseTestIssuer();
        var server = AuthorizationServer.Discovered(issuer.Server.Profile, issuer.Server.Metadata, new JwksCache(http, endpoint.Uri));
        var validator = new IdTokenValidator();
        var expected = new IdTokenExpectations(JoseTestIssuer.ClientId, JoseTestIssuer.Nonce);

        var first = await validator.ValidateAsync(JoseTestIssuer.Sign(issuer.IdTokenClaims()), server, expected);
        var unknown = await validator.ValidateAsync(JoseTestIssuer.Sign(issuer.IdTokenClaims(), JoseTestIssuer.NewRsaKey("x")), server, expected);
        var afterUnknown = endpoint.Requests;
        endpoint.Keys.Add(JoseTestIssuer.PublicJwk(JoseTestIssuer.NextKey));
        var rotated = await validator.ValidateAsync(JoseTestIssuer.Sign(issuer.IdTokenClaims(), JoseTestIssuer.NextKey), server, expected);

        first.Should().BeValid();
        unknown.Should().BeRejectedFor($"kid 'x' is not in the JWKS of 'default' ({endpoint.Uri}), even after refetching it once");
        afterUnknown.Should().Be(2, "one load, then exactly one refetch for the unknown kid");
        rotated.Should().BeValid("the refetch finds the key the server rotated in");
        endpoint.Requests.Should().Be(3);
        server.Jwks.Fetches.Should().Be(3);
    }

    [Test]
    public async Task Concurrent_validations_with_the_same_unknown_kid_share_the_refetch_that_finds_it()
    {
        var issuer = new JoseTestIssuer();
        (await issuer.Jwks.GetAsync()).Keys.Should().ContainSingle();
        issuer.Publish(JoseTestIssuer.NextKey);
        var token = JoseTestIssuer.Sign(issuer.IdTokenClaims(), JoseTestIssuer.NextKey);
        var validator = new IdTokenValidator();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            validator.ValidateAsync(token, issuer.Server, new IdTokenExpectations(JoseTestIssuer.ClientId, JoseTestIssuer.Nonce))));

        results.Should().AllSatisfy(r => r.IsValid.Should().BeTrue());
        issuer.Jwks.Fetches.Should().Be(2, "waiters on the refetch reuse its result");
    }

    [Test]
    public async Task An_unreachable_jwks_is_an_unreachable_issuer_not_a_verdict()
    {
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), TimeSpan.FromSeconds(5));
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var issuer = new JoseTestIssuer();
        var server = AuthorizationServer.Discovered(issuer.Server.Profile, issuer.Server.Metadata,
            new JwksCache(http, new Uri($"http://127.0.0.1:{port}/keys")));

        var act = () => new IdTokenValidator().ValidateAsync(JoseTestIssuer.Sign(issuer.IdTokenClaims()), server, new IdTokenExpectations(JoseTestIssuer.ClientId, null));

        await act.Should().ThrowAsync<IssuerUnreachableException>().WithMessage("*JWKS at*");
    }
}
