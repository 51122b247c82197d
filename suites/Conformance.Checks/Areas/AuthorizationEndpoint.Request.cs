using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>Malformed authorization requests: repeated, missing and unknown parameters, an unknown client.</summary>
public static partial class AuthorizationEndpoint
{
    public static Check RepeatedParameterRefused { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-20",
        Anchors = "OAuch: AuthEndpoint/SameParameterTwiceDisallowedTest",
        Area = Area,
        // SHOULD, not MUST: RFC 6749 §3.1's "MUST NOT be included more than once" binds the sender (the client), and
        // §4.1.2.1 only names invalid_request as the answer to such a request; no clause tells the server it MUST
        // refuse. The product's rule: a clause that binds the client makes the server's tolerance SHOULD at most.
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "An authorization request with a parameter included twice (state) SHOULD be refused (invalid_request, or an error page), not answered with a code.",
        Specs = "RFC6749 §3.1; RFC6749 §4.1.2.1",
        Applicability = CodeClient,
        Remediation = "Refuse requests that repeat a parameter with invalid_request instead of picking one of the values.",
        Run = async c =>
        {
            c.RequireMetadata("response_types_supported", "code");
            var client = Pick.RedirectingClient(c, false, "web", "native");
            // The repeated state goes into the endpoint's query, so it is sent first and the honest one second.
            var (_, response, page) = await HonestThenChangedAsync(c, client,
                r => r with { Endpoint = WithQuery(r.Endpoint, "state=" + Harness.Protocol.Random.Token(8)) }).ConfigureAwait(false);
            if (response is null)
            {
                c.Note("refused with an error page rather than a redirect: " + page);
                return;
            }

            NoteIfNot(c, response, "invalid_request");
            c.Expect(response.IsError && response.Code is null, "an error response (invalid_request) and no code", Steps.Describe(response));
        },
        Threats = "RFC6819 §4.4.1.8",
    });

    public static Check ResponseTypeMissingRefused { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-21",
        Anchors = "OIDF: oidcc-response-type-missing",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "An authorization request without response_type MUST be refused: an error page, or a redirect with error=invalid_request, and never a code.",
        Specs = "RFC6749 §3.1.1; RFC6749 §4.1.2.1; OIDC-Core §3.1.2.2",
        Applicability = CodeClient,
        Remediation = "Refuse a request without response_type with invalid_request instead of assuming 'code'.",
        Run = async c =>
        {
            c.RequireMetadata("response_types_supported", "code");
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var (_, response, page) = await HonestThenChangedAsync(c, client, r => r with { Omit = new HashSet<string> { "response_type" } }).ConfigureAwait(false);
            if (response is null)
            {
                c.Note("refused with an error page rather than a redirect: " + page);
                return;
            }

            c.Expect(response.Error == "invalid_request" && response.Code is null, "an error response with error 'invalid_request'", Steps.Describe(response));
        },
    });

    public static Check ResponseTypeUnknownRefused { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-22",
        Anchors = "OAuch: AuthEndpoint/IsResponseTypeCheckedTest; OAuch: AuthEndpoint/AutomaticRedirectInvalidResponseTypeTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "An authorization request with a response_type the server does not understand MUST be refused (unsupported_response_type), never answered as if it were another response type.",
        Specs = "RFC6749 §3.1.1; RFC6749 §4.1.2.1",
        Applicability = CodeClient,
        Remediation = "Check response_type against the supported ones and answer unsupported_response_type for any other value.",
        Run = async c =>
        {
            c.RequireMetadata("response_types_supported", "code");
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var unknown = "conformance_unknown_" + Harness.Protocol.Random.Token(4).ToLowerInvariant().Replace('-', 'x').Replace('_', 'y');
            c.Require(!c.Server.Metadata.ResponseTypesSupported.Contains(unknown), "the probe response type is listed in response_types_supported");
            var (_, response, page) = await HonestThenChangedAsync(c, client, r => r with { ResponseType = unknown }).ConfigureAwait(false);
            if (response is null)
            {
                // §3.1.1 asks for an error response; a page that tells the user is the cautious reading when the
                // server cannot know how the client wants the response delivered for a type it does not know.
                c.Note("refused with an error page rather than a redirect: " + page);
                return;
            }

            // invalid_request ("an invalid parameter value") also names the fault, if less precisely.
            var issued = response.Code is not null || response.IdToken is not null || response.AccessToken is not null;
            NoteIfNot(c, response, "unsupported_response_type");
            c.Expect(response.Error is "unsupported_response_type" or "invalid_request" && !issued,
                "an error response with error 'unsupported_response_type'", Steps.Describe(response));
        },
    });

    public static Check UnknownClientNotRedirected { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-23",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "When the client_id is unknown, the authorization server MUST NOT automatically redirect the user agent to the redirect_uri of the request.",
        Specs = "RFC6749 §4.1.2.1; RFC6749 §3.1.2.4",
        Applicability = Redirecting,
        Remediation = "For an unknown client, show the user an error page; a redirect_uri cannot be validated without a client, so never redirect to it.",
        Run = async c =>
        {
            c.RequireMetadata("response_types_supported", "code");
            var client = Pick.RedirectingClient(c, true, "web", "spa", "web2", "native");
            var unknown = "conformance-unknown-" + Harness.Protocol.Random.Token(8);
            Authorization authorization;
            try
            {
                authorization = await Steps.AuthorizeAsync(c, client, change: r => r with { ClientId = unknown }).ConfigureAwait(false);
            }
            catch (LoginFailedException e)
            {
                await BaselineAsync(c, client, pkce: true, responseType: "code").ConfigureAwait(false);
                c.Note($"refused client_id '{unknown}' without redirecting: {e.Message}");
                return;
            }

            c.Expect(false, $"an error page and no redirect to {client.RedirectUri}", $"redirected to {client.RedirectUri} with {Steps.Describe(authorization.Response)}");
        },
        Threats = "RFC9700 §4.11; RFC6819 §4.2.4",
    });

    public static Check RedirectUriMissingRefused { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-24",
        Anchors = "OAuch: AuthEndpoint/RedirectUriRequiredTest; OIDF: oidcc-ensure-redirect-uri-in-authorization-request",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "An OpenID Connect authentication request without redirect_uri (REQUIRED there) MUST be refused: no code is issued.",
        Specs = "OIDC-Core §3.1.2.1; OIDC-Core §3.1.2.2; RFC6749 §3.1.2.3; RFC6749 §4.1.2.1",
        Applicability = CodeClient + ", with scope openid",
        Remediation = "Require redirect_uri in every OpenID Connect request, even when the client has a single registered redirect URI; show an error page when it is missing.",
        Run = async c =>
        {
            // OIDC Core §3.1.2.2: the server MUST verify that all REQUIRED parameters are present. A plain OAuth request
            // may omit redirect_uri when one is registered (RFC 6749 §3.1.2.3), so the request carries scope openid.
            c.RequireMetadata("response_types_supported", "code");
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var (_, response, page) = await HonestThenChangedAsync(c, client, r => r with { Omit = new HashSet<string> { "redirect_uri" } }).ConfigureAwait(false);
            if (response is null)
            {
                c.Note("refused with an error page: " + page);
                return;
            }

            if (response.IsError)
            {
                c.Note($"refused by a redirect to the registered redirect URI ({Steps.Describe(response)}); an error page is the safer answer (RFC 6749 §4.1.2.1)");
            }

            c.Expect(response.IsError && response.Code is null, "an error page (or an error response) and no code", Steps.Describe(response));
        },
        Threats = "RFC6819 §4.4.1.7",
    });

    private static Uri WithQuery(Uri endpoint, string parameter) =>
        new UriBuilder(endpoint) { Query = string.IsNullOrEmpty(endpoint.Query) ? parameter : endpoint.Query.TrimStart('?') + "&" + parameter }.Uri;

    private static void NoteIfNot(CheckContext c, AuthorizationResponse response, string error)
    {
        if (response.IsError && response.Error != error)
        {
            c.Note($"refused with {Steps.Describe(response)} rather than '{error}'");
        }
    }
}
