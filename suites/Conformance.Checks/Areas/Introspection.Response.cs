using System.Net;
using System.Text.Json;
using Conformance.Harness.Checks;

namespace Conformance.Checks.Areas;

/// <summary>The shape of an introspection answer (RFC 7662 §2.2, §2.3): what a resource server parses.</summary>
public static partial class Introspection
{
    public static Check ActiveIsBoolean { get; } = Define.Rule(new()
    {
        Id = "INT-04",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The introspection response's active member MUST be a JSON boolean (true or false), never a string or a number.",
        Specs = "RFC7662 §2.2",
        Applicability = WebIntrospection,
        Remediation = "Serialise active as the JSON literal true or false.",
        Run = async c =>
        {
            c.RequireEndpoint("introspection_endpoint");
            var (client, _, tokens) = await BackChannel.UserTokensAsync(c).ConfigureAwait(false);

            var introspection = await c.OAuth(client).IntrospectAsync(tokens.AccessToken!, "access_token", ct: c.Cancellation).ConfigureAwait(false);
            c.Require(introspection.Error != "unsupported_token_type", $"the introspection endpoint of '{c.Server.Name}' does not introspect its access tokens ({introspection})");
            c.Precondition(introspection.Status == HttpStatusCode.OK, $"the authenticated introspection request was refused: {introspection}");

            // A resource server that reads "true" (a string) as truthy would also read "false" that way: the type
            // is the contract, so it is judged on the live token where active must be present.
            var active = introspection.Json is { } j && j.TryGetProperty("active", out var a) ? a : (JsonElement?)null;
            c.Expect(active is { ValueKind: JsonValueKind.True or JsonValueKind.False },
                "an active member that is the JSON literal true or false",
                active is { } value ? $"active is {value.ValueKind.ToString().ToLowerInvariant()} {value.GetRawText()}" : "no active member");
        },
        Threats = "RFC6819 §5.1.5.8",
    });

    public static Check AnswersJson { get; } = Define.Rule(new()
    {
        Id = "INT-05",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The introspection endpoint MUST answer with a JSON object in application/json format.",
        Specs = "RFC7662 §2.2",
        Applicability = "an introspection_endpoint and a confidential client",
        Remediation = "Send the introspection response with Content-Type: application/json.",
        Run = async c =>
        {
            c.RequireEndpoint("introspection_endpoint");
            var client = BackChannel.ConfidentialClient(c);

            var introspection = await c.OAuth(client).IntrospectAsync(BackChannel.GarbageToken(), ct: c.Cancellation).ConfigureAwait(false);
            c.Precondition(introspection.Status == HttpStatusCode.OK, $"the authenticated introspection request was refused: {introspection}");

            c.Expect(introspection.ContentType == "application/json" && introspection.Json is not null,
                "HTTP 200 with Content-Type application/json and a JSON object",
                $"Content-Type {introspection.ContentType ?? "(none)"}, {(introspection.Json is null ? "no JSON object" : "a JSON object")}");
        },
    });

    public static Check MissingTokenRefused { get; } = Define.Rule(new()
    {
        Id = "INT-06",
        Area = Area,
        // RFC 7662 §2.1 makes token REQUIRED and defers errors to RFC 6749 §5.2 (invalid_request for a missing
        // parameter); no sentence forbids another answer outright, so a server that says {"active": false}
        // instead is warned, not failed. What must never happen is an active answer.
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "An authenticated introspection request without the token parameter SHOULD be refused with HTTP 400 invalid_request, and MUST NOT be answered active.",
        Specs = "RFC7662 §2.1; RFC6749 §5.2",
        Applicability = "an introspection_endpoint and a confidential client",
        Remediation = "Validate that the token parameter is present and answer 400 invalid_request when it is not.",
        Run = async c =>
        {
            var endpoint = c.RequireEndpoint("introspection_endpoint");
            var client = BackChannel.ConfidentialClient(c);

            var response = await BackChannel.PostFormAsync(c, endpoint, [new("token_type_hint", "access_token")], BackChannel.Basic(client)).ConfigureAwait(false);
            c.Precondition(response.Status != HttpStatusCode.Unauthorized, $"the client's credentials were refused, so the missing token was never judged: {response}");

            c.Expect(response.Status == HttpStatusCode.BadRequest && response.Error == "invalid_request",
                "HTTP 400, error 'invalid_request'", response.ToString());
        },
    });
}
