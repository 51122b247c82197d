using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using OtpNet;

namespace Conformance.Checks.Areas;

/// <summary>
/// Okta's classic Authentication API (/api/v1/authn): session tokens, MFA, enumeration and brute force. Applies
/// only when the target answers an unknown user there with Okta's 401 E0000004.
/// </summary>
public static partial class AuthnApi
{
    private const string Area = "authn-api";
    private const string Exposed = "a target exposing Okta's Authentication API at /api/v1/authn";

    public static Check SessionTokenSingleUse { get; } = Define.Rule(new()
    {
        Id = "AUTHN-01",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "A sessionToken MUST be single use: redeeming it a second time at /authorize, in another user agent, MUST NOT create a session (prompt=none gets login_required).",
        Specs = "Okta-Authn; RFC6819 §5.1.5.4",
        Applicability = Exposed + " and a redirecting client",
        Remediation = "Invalidate the session token when it is first exchanged for a session.",
        Run = async c =>
        {
            c.RequireMetadata("response_types_supported", "code");
            var endpoint = await AuthnEndpointAsync(c, c.Server).ConfigureAwait(false);
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var sessionToken = await new OktaAuthnLoginDriver(c.Target.Http, c.Profile.Login).SessionTokenAsync(endpoint, c.User, c.Cancellation).ConfigureAwait(false);
            AuthorizationRequest Request() => c.OAuth(client).AuthorizationRequest().WithPkce(CodeVerifier.New()) with
            {
                Prompt = "none",
                Extra = new Dictionary<string, string> { ["sessionToken"] = sessionToken },
            };

            var first = Request();
            await using (var agent = c.LoginDriver.NewUserAgent())
            {
                var response = await agent.NavigateAsync(first.ToUri(), first.RedirectUri, c.Cancellation).ConfigureAwait(false);
                // consent_required also proves the token signed the user in: only consent is missing for this client.
                c.Precondition(response is { IsError: false, Code: not null } || response.Error == "consent_required",
                    $"the first redemption of the session token did not sign the user in: {Steps.Describe(response)}");
            }

            var second = Request();
            AuthorizationResponse replay;
            await using (var agent = c.LoginDriver.NewUserAgent())
            {
                try
                {
                    replay = await agent.NavigateAsync(second.ToUri(), second.RedirectUri, c.Cancellation).ConfigureAwait(false);
                }
                catch (LoginFailedException e)
                {
                    c.Note("the replayed session token created no session (the server showed a page): " + e.Message);
                    return;
                }
            }

            if (replay.IsError && replay.Error is not ("login_required" or "consent_required"))
            {
                c.Note($"the replay was refused with '{replay.Error}' rather than 'login_required'");
            }

            // consent_required or a code would mean the replayed token signed the user in again.
            c.Expect(replay is { IsError: true, Code: null } && replay.Error != "consent_required", "error 'login_required' and no code for the replayed session token", Steps.Describe(replay));
        },
        Threats = "RFC6819 §5.1.5.4; RFC9700 §4.5",
    });

    public static Check SessionTokenShortLived { get; } = Define.Rule(new()
    {
        Id = "AUTHN-02",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "A SUCCESS transaction's sessionToken MUST expire within 5 minutes: expiresAt at most 5 minutes (plus 60 s of clock skew) after the response's Date.",
        Specs = "Okta-Authn",
        Applicability = Exposed + " and a test user who signs in with a password only",
        Remediation = "Give session tokens a lifetime of at most five minutes.",
        Run = async c =>
        {
            var endpoint = await AuthnEndpointAsync(c, AnyServer(c)).ConfigureAwait(false);
            var user = c.Profile.Users.FirstOrDefault(u => u.TotpSecret is null);
            c.Require(user is not null, "every test user has a second factor, so no transaction ends in SUCCESS after the password");
            var answer = await PostAsync(c, endpoint, Credentials(user!.Username, user.Password.Reveal())).ConfigureAwait(false);
            c.Precondition(answer.Status == HttpStatusCode.OK && answer.TransactionStatus == "SUCCESS", $"the honest primary authentication of '{user.Username}' did not succeed: {answer}");
            var expiresAt = answer.String("expiresAt");
            c.Precondition(DateTimeOffset.TryParse(expiresAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var expires), $"the SUCCESS transaction has no readable expiresAt ('{expiresAt}')");
            if (answer.Date is null)
            {
                c.Note("the response had no Date header; the local clock was used");
            }

            var issued = answer.Date ?? DateTimeOffset.UtcNow;
            var lifetime = expires - issued;

            c.Expect(lifetime <= TimeSpan.FromMinutes(6), "expiresAt at most 5 min (+60 s skew) after the response Date",
                $"expiresAt {expires:u}, Date {issued:u}: {lifetime.TotalSeconds:0} s");
        },
        Threats = "RFC6819 §5.1.5.3",
        PerTarget = true,
    });

    public static Check NoUserEnumeration { get; } = Define.Rule(new()
    {
        Id = "AUTHN-03",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "A wrong password for an existing user and any password for an unknown user SHOULD get the same status and body (apart from the errorId), so accounts cannot be enumerated.",
        Specs = "RFC6819 §4.4.3.6; Okta-Authn",
        Applicability = Exposed,
        Remediation = "Answer every failed primary authentication with the same 401 E0000004 'Authentication failed' body.",
        Run = async c =>
        {
            var endpoint = await AuthnEndpointAsync(c, AnyServer(c)).ConfigureAwait(false);
            // The main test user, not the spare one: AUTHN-05 throttles the spare user on purpose, and a probe that
            // ran inside that window would meet a 429 and end inconclusive (seen once in a run). One wrong password
            // for the main user, who signs in successfully all through the run, locks nothing.
            var user = c.User;
            string[] wrongSent = [user.Username, "Wrong-" + Harness.Protocol.Random.Token(12)];
            string[] unknownSent = [UnknownUser(), "Wrong-" + Harness.Protocol.Random.Token(12)];
            var wrong = await PostAsync(c, endpoint, Credentials(wrongSent[0], wrongSent[1])).ConfigureAwait(false);
            var unknown = await PostAsync(c, endpoint, Credentials(unknownSent[0], unknownSent[1])).ConfigureAwait(false);
            c.Precondition(wrong.Status != HttpStatusCode.OK, $"a wrong password for '{user.Username}' was accepted: {wrong}");

            // What each request sent is set aside: a server that echoes its input (the username, the password) tells
            // nothing about the account by doing so; only a difference beyond the echo enumerates accounts.
            var (wrongBody, unknownBody) = (wrong.Comparable(wrongSent), unknown.Comparable(unknownSent));
            c.Expect(wrong.Status == unknown.Status && wrongBody == unknownBody, "the same status and body for a wrong password and an unknown user",
                $"wrong password: {wrong} {wrongBody}; unknown user: {unknown} {unknownBody}");
        },
        Threats = "RFC6819 §4.4.3.6",
        PerTarget = true,
    });

    public static Check WrongTotpRefused { get; } = Define.Rule(new()
    {
        Id = "AUTHN-04",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The factor verification MUST refuse a wrong TOTP passCode with 403 E0000068.",
        Specs = "Okta-Authn; RFC6238 §5.2",
        Applicability = Exposed + " and a test user enrolled in a TOTP factor (totpSecret in the profile)",
        Remediation = "Verify the passCode against the user's TOTP secret (RFC 6238) and refuse anything else with 403 E0000068.",
        Run = async c =>
        {
            var endpoint = await AuthnEndpointAsync(c, AnyServer(c)).ConfigureAwait(false);
            var user = c.Profile.Users.FirstOrDefault(u => u.TotpSecret is not null);
            c.Require(user is not null, "no test user has a totpSecret in the profile");
            var primary = await PostAsync(c, endpoint, Credentials(user!.Username, user.Password.Reveal())).ConfigureAwait(false);
            c.Precondition(primary.Status == HttpStatusCode.OK && primary.TransactionStatus == "MFA_REQUIRED", $"the primary authentication of '{user.Username}' did not ask for a factor: {primary}");
            var stateToken = primary.String("stateToken");
            var verify = TotpVerifyLink(primary.Json);
            c.Precondition(stateToken is not null && verify is not null, "MFA_REQUIRED without a stateToken or a token:software:totp factor with a verify link");
            c.Target.Http.Redactor.AddArtefact(stateToken);

            var answer = await PostAsync(c, verify!, new JsonObject { ["stateToken"] = stateToken, ["passCode"] = WrongCode(user) }).ConfigureAwait(false);

            c.Expect(answer.Status == HttpStatusCode.Forbidden && answer.ErrorCode == "E0000068", "HTTP 403, errorCode E0000068", answer.ToString());
        },
        Threats = "RFC6819 §5.1.4.2.3",
        PerTarget = true,
    });

    public static Check BruteForceThrottled { get; } = Define.Rule(new()
    {
        Id = "AUTHN-05",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.High,
        Requirement = "Repeated wrong passwords for one user SHOULD be throttled (HTTP 429) or lock the account within 20 attempts.",
        Specs = "RFC6819 §5.1.4.2.3; Okta-RateLimits; Okta-Authn",
        Applicability = Exposed + "; invasive (it throttles or locks a test user)",
        Remediation = "Limit failed primary authentications per user (rate limit with 429, or lockout after a few attempts).",
        Run = async c =>
        {
            var endpoint = await AuthnEndpointAsync(c, AnyServer(c)).ConfigureAwait(false);
            var user = Pick.SpareUser(c);
            c.Note($"wrong passwords are sent for '{user.Username}'");
            AuthnAnswer? last = null;
            for (var attempt = 1; attempt <= 20; attempt++)
            {
                try
                {
                    last = await PostAsync(c, endpoint, Credentials(user.Username, "Wrong-" + Harness.Protocol.Random.Token(12)), oneTime: true).ConfigureAwait(false);
                }
                catch (RateLimitedException)
                {
                    c.Note($"throttled (HTTP 429) at attempt {attempt}");
                    return;
                }

                if (last.TransactionStatus == "LOCKED_OUT" || last.ErrorCode == "E0000069" || last.Status == (HttpStatusCode)423)
                {
                    c.Note($"locked out at attempt {attempt}: {last}");
                    return;
                }
            }

            c.Expect(false, "HTTP 429 or a lockout within 20 wrong passwords", $"20 wrong passwords, the last answered {last}");
        },
        Threats = "RFC6819 §4.4.3.6; RFC6819 §5.1.4.2.3",
        Invasive = true,
        PerTarget = true,
    });

    /// <summary>The Authentication API endpoint of the org serving this server, or not applicable when the target has none.</summary>
    private static async Task<Uri> AuthnEndpointAsync(CheckContext c, AuthorizationServer server)
    {
        var authorize = server.Metadata.AuthorizationEndpoint;
        c.Require(authorize is not null, $"server '{server.Name}' publishes no authorization_endpoint");
        var endpoint = OktaAuthnLoginDriver.AuthnEndpoint(authorize!);
        var probe = await PostAsync(c, endpoint, Credentials(UnknownUser(), "Wrong-" + Harness.Protocol.Random.Token(12))).ConfigureAwait(false);
        c.Require(probe.Status == HttpStatusCode.Unauthorized && probe.ErrorCode == "E0000004",
            $"the target exposes no Okta Authentication API at {endpoint} (an unknown user got {probe}, not 401 E0000004)");
        return endpoint;
    }

    private static AuthorizationServer AnyServer(CheckContext c) =>
        c.Target.Servers.FirstOrDefault(s => s.Unavailable is null) ?? throw new IssuerUnreachableException("no authorization server of the target is reachable");

    private static JsonObject Credentials(string username, string password) => new() { ["username"] = username, ["password"] = password };

    private static string UnknownUser() => $"conformance-{Harness.Protocol.Random.Token(9).ToLowerInvariant().Replace('_', 'x').Replace('-', 'y')}@example.invalid";

    private static async Task<AuthnAnswer> PostAsync(CheckContext c, Uri endpoint, JsonObject body, bool oneTime = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await RawHttp.SendAsync(c, request, oneTime).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(c.Cancellation).ConfigureAwait(false);
        var answer = new AuthnAnswer(response.StatusCode, JsonBody.Parse(text), response.Headers.Date, text);
        c.Target.Http.Redactor.AddArtefact(answer.String("sessionToken"));
        return answer;
    }

    private static Uri? TotpVerifyLink(JsonElement? transaction)
    {
        if (transaction is { ValueKind: JsonValueKind.Object } t && t.TryGetProperty("_embedded", out var embedded) && embedded.ValueKind == JsonValueKind.Object
            && embedded.TryGetProperty("factors", out var factors) && factors.ValueKind == JsonValueKind.Array)
        {
            foreach (var factor in factors.EnumerateArray())
            {
                if (JsonBody.String(factor, "factorType") == "token:software:totp"
                    && factor.TryGetProperty("_links", out var links) && links.ValueKind == JsonValueKind.Object
                    && links.TryGetProperty("verify", out var verify) && JsonBody.String(verify, "href") is { } href
                    && Uri.TryCreate(href, UriKind.Absolute, out var uri))
                {
                    return uri;
                }
            }
        }

        return null;
    }

    /// <summary>A six-digit code that is valid in none of the five 30-second steps around now.</summary>
    private static string WrongCode(UserProfile user)
    {
        var totp = new Totp(Base32Encoding.ToBytes(user.TotpSecret!.Reveal()));
        var now = DateTime.UtcNow;
        var valid = Enumerable.Range(-2, 5).Select(i => totp.ComputeTotp(now.AddSeconds(30 * i))).ToHashSet();
        var candidate = System.Security.Cryptography.RandomNumberGenerator.GetInt32(0, 1_000_000);
        while (valid.Contains(candidate.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)))
        {
            candidate = (candidate + 1) % 1_000_000;
        }

        return candidate.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed record AuthnAnswer(HttpStatusCode Status, JsonElement? Json, DateTimeOffset? Date, string Body)
    {
        public string? String(string name) => JsonBody.String(Json, name);

        public string? ErrorCode => String("errorCode");

        public string? TransactionStatus => String("status");

        /// <summary>
        /// The body without errorId (unique per response), members sorted, and each value the request sent (in any
        /// encoding) replaced by "(sent)", for comparing two failures.
        /// </summary>
        public string Comparable(IEnumerable<string> sent)
        {
            var text = Body;
            if (Json is { ValueKind: JsonValueKind.Object } json)
            {
                var members = json.EnumerateObject().Where(p => p.Name != "errorId").OrderBy(p => p.Name, StringComparer.Ordinal)
                    .Select(p => $"\"{p.Name}\":{p.Value.GetRawText()}");
                text = "{" + string.Join(",", members) + "}";
            }

            foreach (var form in sent.SelectMany(v => Harness.Http.SecretForms.Of(v)).Select(f => f.Text).Where(f => f.Length > 0).Distinct().OrderByDescending(f => f.Length))
            {
                text = text.Replace(form, "(sent)", StringComparison.Ordinal);
            }

            return text;
        }

        public override string ToString() =>
            $"HTTP {(int)Status}" + (ErrorCode is null ? "" : $" {ErrorCode}") + (TransactionStatus is null ? "" : $", status {TransactionStatus}");
    }
}
