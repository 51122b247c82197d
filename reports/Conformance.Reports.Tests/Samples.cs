using System.Text;
using System.Text.Json;
using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Jose;
using Conformance.Harness.Results;

namespace Conformance.Reports.Tests;

/// <summary>
/// Run files built in memory: every outcome, two servers, exchanges that carried the reference issuer's real
/// secrets and whole tokens and were redacted by the harness's <see cref="Redactor"/> on the way in, as a run does.
/// </summary>
internal static class Samples
{
    public static readonly DateTimeOffset Started = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);

    /// <summary>The secrets of fixtures/ReferenceIssuer/seed.json (client secrets, passwords, TOTP secrets), by a name that says where each came from.</summary>
    public static IReadOnlyDictionary<string, string> SeedSecrets { get; } = LoadSeedSecrets();

    // Whole bearer artefacts the exchanges carried before redaction: none may reach an artifact.
    public static readonly string AccessToken = Jwt(new { iss = "https://id.acme.test/oauth2/default", sub = "00u1alice", aud = "api://default", scp = new[] { "openid", "orders.read" }, exp = 1772447400 });
    public static readonly string IdToken = Jwt(new { iss = "https://id.acme.test/oauth2/default", sub = "00u1alice", aud = "web-app", nonce = "n-0S6_WzA2Mj", email = "alice@example.test", exp = 1772447400 });
    public const string RefreshToken = "rt.Wq2lP9vX3mZ7kD4sT8bY1cN6hJ0fR5gU";
    public const string AuthorizationCode = "code.H7pQ2xL9vB4nM8sK3dF6tY1wZ5cJ0rG";
    public const string SessionToken = "20111Xk9mZ2pQ7vL4sD8bT1cN6hJ0fR5gU3wY";

    public static IReadOnlyDictionary<string, string> AllSecrets => SeedSecrets
        .Concat(new Dictionary<string, string>
        {
            ["access_token"] = AccessToken,
            ["id_token"] = IdToken,
            ["refresh_token"] = RefreshToken,
            ["authorization code"] = AuthorizationCode,
            ["sessionToken"] = SessionToken,
        })
        .ToDictionary(p => p.Key, p => p.Value);

    public static RunFile Run(string target = "acme", string issuerBase = "https://id.acme.test", string runId = "20260302T093000Z-aaaa", IReadOnlyList<string>? attachments = null)
    {
        var redactor = new Redactor(SeedSecrets.Values);
        var defaultIssuer = issuerBase + "/oauth2/default";
        var secondIssuer = issuerBase + "/oauth2/aus-second";
        var screenshot = attachments ?? [];
        return new RunFile
        {
            RunId = runId,
            HarnessVersion = "0.1.0",
            StartedAt = Started,
            FinishedAt = Started.AddSeconds(42),
            Target = new RunTarget(
                target,
                [new RunServer("default", defaultIssuer, "api://default", null), new RunServer("second", secondIssuer, "api://second", null)],
                [new RunClient("web", "web-app", true), new RunClient("native", "native-app", false)],
                ["form"],
                []),
            Checks =
            [
                Check("PKCE-01", "pkce", "The token endpoint MUST refuse a wrong code_verifier.", RequirementLevel.Must, Severity.Critical, "default", Outcome.Pass,
                    exchanges: [TokenExchange(redactor, defaultIssuer, 1)], tokens: [DecodedToken.From("id_token", IdToken), DecodedToken.From("access_token", AccessToken)]),
                Check("PKCE-01", "pkce", "The token endpoint MUST refuse a wrong code_verifier.", RequirementLevel.Must, Severity.Critical, "second", Outcome.Pass,
                    exchanges: [TokenExchange(redactor, secondIssuer, 2)]),
                Check("REV-01", "revocation", "A revoked refresh token MUST no longer be usable at the token endpoint.", RequirementLevel.Must, Severity.Critical, "default", Outcome.Fail,
                    expected: "refresh refused with invalid_grant", observed: "refresh: HTTP 200, token_type Bearer",
                    exchanges: [RevokeExchange(redactor, defaultIssuer, 3), TokenExchange(redactor, defaultIssuer, 4)]),
                Check("REV-01", "revocation", "A revoked refresh token MUST no longer be usable at the token endpoint.", RequirementLevel.Must, Severity.Critical, "second", Outcome.Pass,
                    exchanges: [RevokeExchange(redactor, secondIssuer, 5)]),
                Check("AUTHZ-12", "authorization-endpoint", "The redirect that carries the code SHOULD send Referrer-Policy: no-referrer.", RequirementLevel.Should, Severity.Low, "default", Outcome.Warning,
                    expected: "Referrer-Policy: no-referrer", observed: "HTTP 302 with Referrer-Policy: (none)", exchanges: [AuthorizeExchange(redactor, defaultIssuer, 6)]),
                Check("AUTHZ-12", "authorization-endpoint", "The redirect that carries the code SHOULD send Referrer-Policy: no-referrer.", RequirementLevel.Should, Severity.Low, "second", Outcome.Warning,
                    expected: "Referrer-Policy: no-referrer", observed: "HTTP 302 with Referrer-Policy: (none)", exchanges: [AuthorizeExchange(redactor, secondIssuer, 7)]),
                Check("CC-01", "client-credentials", "The token endpoint MUST refuse a scope the service client is not granted.", RequirementLevel.Must, Severity.High, "default", Outcome.Pass),
                Check("CC-01", "client-credentials", "The token endpoint MUST refuse a scope the service client is not granted.", RequirementLevel.Must, Severity.High, "second", Outcome.NotApplicable,
                    message: "server 'second' does not list 'client_credentials' in grant_types_supported"),
                Check("AUTHN-05", "authn-api", "Repeated wrong passwords SHOULD be throttled.", RequirementLevel.Should, Severity.Medium, null, Outcome.Inconclusive,
                    message: "precondition failed: the primary authentication of the test user did not succeed", exchanges: [AuthnExchange(redactor, issuerBase, 8)]),
                Check("DISC-02", "discovery", "The issuer in the metadata MUST be identical to the issuer URL.", RequirementLevel.Must, Severity.High, "second", Outcome.Fail,
                    expected: "issuer https://id.acme.test/oauth2/aus-second", observed: "issuer <script>alert('xss')</script>",
                    exchanges: [HostileExchange(secondIssuer, 9)]),
            ],
            Flows =
            [
                new RunFlow("AuthorizationCode(default,form)", ["flow:authorization-code", "server:default", "driver:form"], Outcome.Pass, null, 812,
                    [AuthorizeExchange(redactor, defaultIssuer, 10), TokenExchange(redactor, defaultIssuer, 11)], screenshot),
                new RunFlow("Implicit(second,form)", ["flow:implicit", "server:second", "driver:form"], Outcome.Fail, "expected an id_token in the fragment, got none", 95,
                    [AuthorizeExchange(redactor, secondIssuer, 12)], []),
            ],
        };
    }

    public static RunCheck Check(
        string id, string area, string requirement, RequirementLevel level, Severity severity, string? server, Outcome outcome,
        string? message = null, string? expected = null, string? observed = null,
        IReadOnlyList<HttpExchange>? exchanges = null, IReadOnlyList<DecodedToken>? tokens = null) =>
        new(id, area, requirement, level, severity,
            [new RunSpec("RFC7636 §4.6", "https://www.rfc-editor.org/rfc/rfc7636.html#section-4.6")],
            [new RunSpec("RFC6819 §5.2.2.4", "https://www.rfc-editor.org/rfc/rfc6819.html#section-5.2.2.4"), new RunSpec("RFC9700 §4.8", "https://www.rfc-editor.org/rfc/rfc9700.html#section-4.8")],
            "a public native client with PKCE",
            $"Fix {id}: make the server do what the requirement says.",
            server, outcome, message ?? requirement, expected, observed, outcome == Outcome.Pass ? [] : [$"note for {id}"], 120.5,
            exchanges ?? [], tokens ?? [], []);

    /// <summary>A token request with Basic client authentication, a code, a verifier and a password, answered with tokens.</summary>
    private static HttpExchange TokenExchange(Redactor r, string issuer, int sequence)
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("web-app:" + SeedSecrets["clients[web-app].clientSecret"]));
        var form = $"grant_type=authorization_code&code={AuthorizationCode}&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&redirect_uri=https%3A%2F%2Fapp.test%2Fcallback&client_secret={Uri.EscapeDataString(SeedSecrets["clients[web-app].clientSecret"])}";
        var body = JsonSerializer.Serialize(new { access_token = AccessToken, token_type = "Bearer", expires_in = 3600, refresh_token = RefreshToken, id_token = IdToken, scope = "openid offline_access" });
        return Exchange(r, sequence, "POST", issuer + "/v1/token",
            [new("Authorization", "Basic " + basic), new("Content-Type", "application/x-www-form-urlencoded")], "application/x-www-form-urlencoded", form,
            200, [new("Content-Type", "application/json"), new("Set-Cookie", "sid=" + SessionToken + "; path=/; httponly")], "application/json", body);
    }

    private static HttpExchange RevokeExchange(Redactor r, string issuer, int sequence) =>
        Exchange(r, sequence, "POST", issuer + "/v1/revoke",
            [new("Authorization", "Bearer " + AccessToken)], "application/x-www-form-urlencoded", $"token={RefreshToken}&token_type_hint=refresh_token",
            200, [], null, null);

    private static HttpExchange AuthorizeExchange(Redactor r, string issuer, int sequence) =>
        Exchange(r, sequence, "GET", issuer + "/v1/authorize?client_id=web-app&response_type=code&state=xyz&sessionToken=" + SessionToken, [], null, null,
            302, [new("Location", $"https://app.test/callback?code={AuthorizationCode}&state=xyz#id_token={IdToken}")], null, null);

    private static HttpExchange AuthnExchange(Redactor r, string issuerBase, int sequence)
    {
        var user = SeedSecrets.First(s => s.Key.EndsWith(".password", StringComparison.Ordinal));
        var totp = SeedSecrets.First(s => s.Key.EndsWith(".totpSecret", StringComparison.Ordinal));
        var request = JsonSerializer.Serialize(new { username = "alice@example.test", password = user.Value, passCode = "123456", note = "seeded with " + totp.Value });
        var response = JsonSerializer.Serialize(new { status = "SUCCESS", sessionToken = SessionToken, expiresAt = "2026-03-02T09:35:00Z" });
        return Exchange(r, sequence, "POST", issuerBase + "/api/v1/authn", [new("Content-Type", "application/json")], "application/json", request, 200, [], "application/json", response);
    }

    /// <summary>What a hostile or broken target might answer: markup everywhere a report could render it.</summary>
    private static HttpExchange HostileExchange(string issuer, int sequence) => new(
        sequence, Started.AddSeconds(sequence), TimeSpan.FromMilliseconds(12), "GET", issuer + "/.well-known/openid-configuration?x=<b>bold</b>",
        [], null, 200,
        [new("Content-Type", "text/html"), new("X-Evil", "\"><img src=x onerror=alert(1)>")],
        "{\"issuer\":\"<script>alert('xss')</script>\",\"note\":\"</pre><iframe src=https://evil.test>\"}", null);

    private static HttpExchange Exchange(
        Redactor r, int sequence, string method, string url, List<KeyValuePair<string, string>> requestHeaders, string? requestType, string? requestBody,
        int status, List<KeyValuePair<string, string>> responseHeaders, string? responseType, string? responseBody) => new(
        sequence,
        Started.AddSeconds(sequence),
        TimeSpan.FromMilliseconds(30 + sequence),
        method,
        r.Url(url),
        requestHeaders.Select(h => new KeyValuePair<string, string>(h.Key, r.Header(h.Key, h.Value))).ToList(),
        requestBody is null ? null : r.Body(requestType, requestBody),
        status,
        responseHeaders.Select(h => new KeyValuePair<string, string>(h.Key, r.Header(h.Key, h.Value))).ToList(),
        responseBody is null ? null : r.Body(responseType, responseBody),
        null);

    private static string Jwt(object claims)
    {
        static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", kid = "k-2026", typ = "JWT" }));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = B64(System.Security.Cryptography.SHA512.HashData(Encoding.UTF8.GetBytes(header + payload)));
        return $"{header}.{payload}.{signature}";
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "fixtures", "ReferenceIssuer", "seed.json")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("fixtures/ReferenceIssuer/seed.json not found above " + AppContext.BaseDirectory);
    }

    private static Dictionary<string, string> LoadSeedSecrets()
    {
        using var seed = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "fixtures", "ReferenceIssuer", "seed.json")));
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var client in seed.RootElement.GetProperty("clients").EnumerateArray())
        {
            if (client.TryGetProperty("clientSecret", out var secret) && secret.GetString() is { Length: > 0 } value)
            {
                secrets[$"clients[{client.GetProperty("clientId").GetString()}].clientSecret"] = value;
            }
        }

        foreach (var user in seed.RootElement.GetProperty("users").EnumerateArray())
        {
            var name = user.GetProperty("username").GetString();
            foreach (var field in new[] { "password", "totpSecret" })
            {
                if (user.TryGetProperty(field, out var value) && value.GetString() is { Length: > 0 } text)
                {
                    secrets[$"users[{name}].{field}"] = text;
                }
            }
        }

        return secrets;
    }

    /// <summary>A real (tiny) PNG: 16×10 red pixels.</summary>
    public static string WritePng(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "final-page.png");
        File.WriteAllBytes(path, Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAABAAAAAKCAIAAAAy3EnLAAAAFElEQVR4nGM4oaFBEmIY1TA0NQAA6rOvAUQgoEAAAAAASUVORK5CYII="));
        return path;
    }
}
