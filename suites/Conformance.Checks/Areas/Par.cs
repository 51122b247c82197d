using Conformance.Harness.Checks;

namespace Conformance.Checks.Areas;

/// <summary>OAuth 2.0 Pushed Authorization Requests (RFC 9126): the PAR endpoint and the request_uri it hands out.</summary>
public static class Par
{
    private const string Area = "par";

    /// <summary>RFC 6749 §10.10: a guessable credential has at most a 2^-128 chance of being guessed.</summary>
    private const double MinimumBits = 128;

    public static Check RequestUriSingleUse { get; } = Define.Rule(new()
    {
        Id = "PAR-01",
        Anchors = "OAuch: ParEndpoint/IsRequestUriRevokedTest",
        Area = Area,
        // RFC 9126 §4: "Authorization servers SHOULD treat request_uri values as one-time use but MAY allow for
        // duplicate requests due to a user reloading": a SHOULD, so a reusable request_uri warns.
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "The authorization server SHOULD treat a request_uri as one-time use: once it has produced a code, the same request_uri gives no second code.",
        Specs = "RFC9126 §4",
        Applicability = Pushed.Applicability,
        Remediation = "Invalidate the pushed request when the authorization response is issued; answer a later use of its request_uri with invalid_request.",
        Run = async c =>
        {
            var (endpoint, client) = Pushed.Require(c);
            var pushed = await Pushed.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            await using var agent = c.LoginDriver.NewUserAgent();
            var (first, firstObserved) = await Pushed.CodeGivenAsync(c, agent, pushed.Front).ConfigureAwait(false);
            c.Precondition(first, $"the honest authorization request with the pushed request_uri got no code: {firstObserved}");

            // Same user agent, same session: only the request_uri's single use stands between it and a second code.
            var (second, observed) = await Pushed.CodeGivenAsync(c, agent, pushed.Front).ConfigureAwait(false);

            c.Expect(!second, "an error (invalid_request) and no code for the used request_uri", observed);
        },
        Threats = "RFC9126 §7.1",
    });

    public static Check CreatedWithLifetime { get; } = Define.Rule(new()
    {
        Id = "PAR-02",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "A successful pushed authorization request MUST be answered with HTTP 201 and a JSON body carrying request_uri and expires_in, a positive integer.",
        Specs = "RFC9126 §2.2",
        Applicability = Pushed.Applicability,
        Remediation = "Answer a valid push with 201 Created and {\"request_uri\": ..., \"expires_in\": <seconds>}.",
        Run = async c =>
        {
            var (endpoint, client) = Pushed.Require(c);
            var pushed = await Pushed.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            var expiresIn = ExpiresIn(pushed.Response);

            c.Expect((int)pushed.Response.Status == 201 && expiresIn is > 0,
                "HTTP 201 with request_uri and a positive integer expires_in",
                $"HTTP {(int)pushed.Response.Status}, expires_in {(expiresIn?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "absent")}");
        },
    });

    public static Check RequestUriShortLived { get; } = Define.Rule(new()
    {
        Id = "PAR-03",
        Area = Area,
        // RFC 9126 §2.2 leaves the lifetime to the server ("will typically be relatively short (e.g., between 5 and
        // 600 seconds)") with no keyword: a longer one is a warning, never a failure.
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "A request_uri SHOULD be short-lived: expires_in of at most 600 seconds, the upper end of RFC 9126's typical range.",
        Specs = "RFC9126 §2.2",
        Applicability = Pushed.Applicability,
        Remediation = "Keep pushed requests for seconds to a few minutes (Okta: 60 s); the client uses the request_uri at once.",
        Run = async c =>
        {
            var (endpoint, client) = Pushed.Require(c);
            var pushed = await Pushed.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            var expiresIn = ExpiresIn(pushed.Response);
            c.Precondition(expiresIn is > 0, $"the push answered no positive expires_in (PAR-02's rule): {pushed.Response}");

            c.Expect(expiresIn <= 600, "expires_in of at most 600 seconds", $"expires_in {expiresIn}");
        },
        Threats = "RFC9126 §7.1",
    });

    public static Check RequestUriBoundToClient { get; } = Define.Rule(new()
    {
        Id = "PAR-04",
        Anchors = "OAuch: ParEndpoint/IsClientBoundToUriTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The request_uri MUST be bound to the client that pushed it: used with another client's client_id, it gives no code.",
        Specs = "RFC9126 §2.2; RFC9126 §4",
        Applicability = Pushed.Applicability + ", and a second client ('web2' or 'native')",
        Remediation = "Store the pushing client with the request and refuse an authorization request whose client_id differs (invalid_request).",
        Run = async c =>
        {
            var (endpoint, client) = Pushed.Require(c);
            var other = Pick.RedirectingClient(c, false, "web2", "native");
            var pushed = await Pushed.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            await using var agent = c.LoginDriver.NewUserAgent();

            var (code, observed) = await Pushed.CodeGivenAsync(c, agent, pushed.Front with { ClientId = other.ClientId }).ConfigureAwait(false);

            c.Expect(!code, $"an error and no code: the request_uri was pushed by '{client.ClientId}', not '{other.ClientId}'", observed);
        },
        Threats = "RFC9126 §7.1",
    });

    public static Check PushRequiresClientAuthentication { get; } = Define.Rule(new()
    {
        Id = "PAR-05",
        Anchors = "OAuch: ParEndpoint/IsParAuthenticationRequiredTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The PAR endpoint MUST authenticate a confidential client as the token endpoint does: a push with the client_id alone is refused.",
        Specs = "RFC9126 §2; RFC9126 §2.1; RFC6749 §3.2.1",
        Applicability = Pushed.Applicability,
        Remediation = "Apply the token endpoint's client authentication at the PAR endpoint; answer a confidential client without credentials with 401 invalid_client.",
        Run = async c =>
        {
            var (endpoint, client) = Pushed.Require(c);
            await Pushed.HonestAsync(c, endpoint, client).ConfigureAwait(false);

            var unauthenticated = await Pushed.PushAsync(c, endpoint, client, Pushed.CodeRequest(c, client), authenticate: false).ConfigureAwait(false);

            c.Expect(unauthenticated.RequestUri is null && unauthenticated.Response.Error is not null,
                "HTTP 401, error 'invalid_client', and no request_uri", unauthenticated.Response.ToString());
        },
        Threats = "RFC9126 §7.1",
    });

    public static Check RequiredWhenAdvertised { get; } = Define.Rule(new()
    {
        Id = "PAR-06",
        Anchors = "OAuch: ParEndpoint/IsParRequiredTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "A server that advertises require_pushed_authorization_requests=true MUST refuse an authorization request that was not pushed.",
        Specs = "RFC9126 §5; RFC9126 §4",
        Applicability = "a server whose metadata says require_pushed_authorization_requests: true, and a confidential 'web' client",
        Remediation = "Enforce what the metadata says: answer an authorization request without a request_uri from the PAR endpoint with invalid_request.",
        Run = async c =>
        {
            var (_, client) = Pushed.Require(c);
            c.Require(c.Server.Metadata.Json.TryGetProperty("require_pushed_authorization_requests", out var required) && required.ValueKind == System.Text.Json.JsonValueKind.True,
                $"server '{c.Server.Name}' does not advertise require_pushed_authorization_requests: true");
            await using var agent = c.LoginDriver.NewUserAgent();

            var (code, observed) = await Pushed.CodeGivenAsync(c, agent, Pushed.CodeRequest(c, client)).ConfigureAwait(false);

            c.Expect(!code, "an error (invalid_request) and no code for a request that was not pushed", observed);
        },
    });

    public static Check PushWithRequestUriRefused { get; } = Define.Rule(new()
    {
        Id = "PAR-07",
        Area = Area,
        // RFC 9126 §2.1 forbids the client to send request_uri, and tells the server to "reject the request if the
        // request_uri authorization request parameter is provided": a MUST on the server.
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The PAR endpoint MUST reject a pushed request that carries a request_uri parameter.",
        Specs = "RFC9126 §2.1",
        Applicability = Pushed.Applicability,
        Remediation = "Refuse a push containing request_uri with 400 invalid_request; never store or chain it.",
        Run = async c =>
        {
            var (endpoint, client) = Pushed.Require(c);
            var honest = await Pushed.HonestAsync(c, endpoint, client).ConfigureAwait(false);

            var chained = await Pushed.PushAsync(c, endpoint, client, Pushed.CodeRequest(c, client), extra: [new("request_uri", honest.RequestUri!)]).ConfigureAwait(false);

            c.Expect(chained.RequestUri is null && chained.Response.Error is not null, "HTTP 400, error 'invalid_request', and no request_uri", chained.Response.ToString());
        },
    });

    public static Check RequestUriUnguessable { get; } = Define.Rule(new()
    {
        Id = "PAR-08",
        Anchors = "OAuch: ParEndpoint/RequestUriEntropyMinReqTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "A request_uri MUST contain a part from a cryptographically strong random source, infeasible to guess: at least 128 bits as estimated from its characters, and different each time.",
        Specs = "RFC9126 §2.2; RFC6749 §10.10",
        Applicability = Pushed.Applicability,
        Remediation = "Build request_uri from 128 bits or more of a CSPRNG, e.g. urn:ietf:params:oauth:request_uri:<base64url of 32 random bytes>.",
        Run = async c =>
        {
            var (endpoint, client) = Pushed.Require(c);
            var first = await Pushed.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            var second = await Pushed.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            var bits = Math.Min(Entropy.EstimatedBits(Reference(first.RequestUri!)), Entropy.EstimatedBits(Reference(second.RequestUri!)));

            c.Expect(first.RequestUri != second.RequestUri && bits >= MinimumBits,
                $"two different request_uri values with at least {MinimumBits} bits each",
                $"{(first.RequestUri == second.RequestUri ? "the same value twice" : "two values")} of about {bits:0} bits");
        },
        Threats = "RFC9126 §7.1; RFC6819 §5.1.4.2.2",
    });

    public static Check PushWithWrongSecretRefused { get; } = Define.Rule(new()
    {
        Id = "PAR-09",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The PAR endpoint MUST verify a confidential client's credentials: a push with a wrong client secret is refused.",
        Specs = "RFC9126 §2.1; RFC6749 §2.3.1",
        Applicability = Pushed.Applicability,
        Remediation = "Check the client secret at the PAR endpoint as at the token endpoint; answer a wrong one with 401 invalid_client.",
        Run = async c =>
        {
            var (endpoint, client) = Pushed.Require(c);
            await Pushed.HonestAsync(c, endpoint, client).ConfigureAwait(false);

            var wrong = await Pushed.PushAsync(c, endpoint, BackChannel.WithWrongSecret(client), Pushed.CodeRequest(c, client)).ConfigureAwait(false);

            c.Expect(wrong.RequestUri is null && wrong.Response.Error is not null, "HTTP 401, error 'invalid_client', and no request_uri", wrong.Response.ToString());
        },
        Threats = "RFC9126 §7.1; RFC6819 §4.3.1",
    });

    /// <summary>expires_in as an integer number, or null when absent or not one.</summary>
    private static long? ExpiresIn(RawResponse response) =>
        response.Json is { } json && json.TryGetProperty("expires_in", out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Number && value.TryGetInt64(out var seconds) ? seconds : null;

    /// <summary>The part after the urn:ietf:params:oauth:request_uri: prefix (RFC 9126 §2.2), or the whole value.</summary>
    private static string Reference(string requestUri)
    {
        const string prefix = "urn:ietf:params:oauth:request_uri:";
        return requestUri.StartsWith(prefix, StringComparison.Ordinal) ? requestUri[prefix.Length..] : requestUri;
    }
}
