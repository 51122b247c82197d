using System.Net;
using Conformance.Harness.Checks;

namespace Conformance.Checks.Areas;

/// <summary>Token introspection (RFC 7662).</summary>
public static partial class Introspection
{
    private const string Area = "introspection";
    private const string WebIntrospection = "an introspection_endpoint and a confidential web client using the code flow";

    public static Check RequiresAuthentication { get; } = Define.Rule(new()
    {
        Id = "INT-01",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The introspection endpoint MUST refuse a request without client authentication (HTTP 401), including a confidential client's client_id without its secret, and reveal nothing about the token.",
        Specs = "RFC7662 §2.1; RFC7662 §2.3; RFC7662 §4",
        Applicability = WebIntrospection,
        Remediation = "Require client authentication (or another authorization) at the introspection endpoint; answer 401 without it.",
        Run = async c =>
        {
            var endpoint = c.RequireEndpoint("introspection_endpoint");
            var (client, _, tokens) = await BackChannel.UserTokensAsync(c).ConfigureAwait(false);
            var attempts = new List<(string What, RawResponse Response)>
            {
                ("no authentication", await BackChannel.PostFormAsync(c, endpoint, [new("token", tokens.AccessToken!), new("token_type_hint", "access_token")]).ConfigureAwait(false)),
                ($"client_id '{client.ClientId}' without its secret", await BackChannel.PostFormAsync(c, endpoint, [new("token", tokens.AccessToken!), new("token_type_hint", "access_token"), new("client_id", client.ClientId)]).ConfigureAwait(false)),
            };

            var violations = new List<string>();
            foreach (var (what, response) in attempts)
            {
                var revealed = response.Json is { } j && j.TryGetProperty("active", out _);
                if (revealed || response.Status is not (HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest))
                {
                    violations.Add($"{what}: {response}");
                }
                else if (response.Status != HttpStatusCode.Unauthorized)
                {
                    c.Note($"{what}: refused with {response}; RFC 7662 §2.3 names 401 for a failed authentication");
                }
            }

            c.Expect(violations.Count == 0, "HTTP 401 (invalid_client) and no 'active' member, for each unauthenticated request", string.Join("; ", violations));
        },
        Threats = "RFC6819 §4.6.3",
    });

    public static Check ActiveTokenConsistent { get; } = Define.Rule(new()
    {
        Id = "INT-02",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "For a live access token the introspection response MUST say active true, and its client_id and scope (when present) MUST be those of the grant.",
        Specs = "RFC7662 §2.2",
        Applicability = WebIntrospection,
        Remediation = "Report the token's own client_id and granted scope; never the caller's or a default.",
        Run = async c =>
        {
            c.RequireEndpoint("introspection_endpoint");
            var (client, authorization, tokens) = await BackChannel.UserTokensAsync(c, "openid profile").ConfigureAwait(false);
            var granted = BackChannel.Scopes(tokens.Scope ?? authorization.Request.Scope);

            var introspection = await c.OAuth(client).IntrospectAsync(tokens.AccessToken!, "access_token", ct: c.Cancellation).ConfigureAwait(false);
            // RFC 7662 leaves the token types an endpoint handles to the server: one that declines its access tokens
            // (400 unsupported_token_type, e.g. JWTs meant to be validated locally, RFC 9068 §4) says nothing about them.
            c.Require(!(introspection.Active is null && introspection.Error == "unsupported_token_type"),
                $"the introspection endpoint of '{c.Server.Name}' does not introspect its access tokens ({introspection})");

            var problems = new List<string>();
            if (introspection.Active != true)
            {
                problems.Add($"active is {introspection.Active?.ToString().ToLowerInvariant() ?? "(absent)"}");
            }

            if (introspection.String("client_id") is { } clientId && clientId != client.ClientId)
            {
                problems.Add($"client_id '{clientId}' is not '{client.ClientId}'");
            }

            if (introspection.String("scope") is { } scope && !BackChannel.Scopes(scope).IsSubsetOf(granted))
            {
                problems.Add($"scope '{scope}' has values beyond the granted '{string.Join(' ', granted)}'");
            }

            c.Expect(problems.Count == 0, $"HTTP 200, active true, client_id '{client.ClientId}', scope within '{string.Join(' ', granted)}'", $"{introspection}: {string.Join("; ", problems)}");
        },
        Threats = "RFC6819 §5.1.5.8",
    });

    public static Check InactiveRevealsNothing { get; } = Define.Rule(new()
    {
        Id = "INT-03",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "For a token that is not active the introspection response SHOULD be exactly {\"active\": false}, with no other member.",
        Specs = "RFC7662 §2.2; RFC7662 §4",
        Applicability = "an introspection_endpoint and a confidential client",
        Remediation = "Answer an unknown, expired or revoked token with {\"active\": false} only; do not say why.",
        Run = async c =>
        {
            c.RequireEndpoint("introspection_endpoint");
            var client = BackChannel.ConfidentialClient(c);

            var introspection = await c.OAuth(client).IntrospectAsync(BackChannel.GarbageToken(), ct: c.Cancellation).ConfigureAwait(false);

            var members = introspection.Json is { } j ? j.EnumerateObject().Select(p => p.Name).ToList() : [];
            c.Precondition(introspection.Status == HttpStatusCode.OK, $"the authenticated introspection request was refused: {introspection}");
            c.Expect(introspection.Active == false && members.Count == 1,
                "HTTP 200 with exactly {\"active\": false}",
                introspection.Json is { } json ? $"HTTP 200, {json.GetRawText()}" : "HTTP 200 without a JSON object");
        },
        Threats = "RFC6819 §4.6.3",
    });
}
