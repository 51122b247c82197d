using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Checks.Areas;

/// <summary>Request objects (OIDC Core §6): processed when offered, otherwise refused with the OIDC error codes, never silently dropped.</summary>
public static partial class OidcRequest
{
    public static Check RequestObjectProcessedOrRefused { get; } = Define.Rule(new()
    {
        Id = "OIDC-07",
        Anchors = "OIDF: oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "An authentication request with a request object SHOULD either be processed (its nonce reaches the ID token) or be refused; an OP that does not offer the request parameter SHOULD answer request_not_supported rather than ignore it.",
        Specs = "OIDC-Core §6.1; OIDC-Core §3.1.2.6; OIDC-Discovery §3",
        Applicability = CodeClient,
        Remediation = "Either process the request parameter (and say so with request_parameter_supported) or refuse it with error=request_not_supported.",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
            c.RequireMetadata("response_types_supported", "code");
            var offered = Offered(c, "request_parameter_supported", byDefault: false);
            var nonce = Harness.Protocol.Random.Token();

            // The nonce travels only inside the (unsigned) request object: an OP that drops the object loses it.
            Authorization authorization;
            try
            {
                authorization = await Steps.AuthorizeAsync(c, client, change: r => r with
                {
                    Nonce = null,
                    Extra = new Dictionary<string, string>(r.Extra) { ["request"] = UnsignedRequestObject(c, r, nonce) },
                }).ConfigureAwait(false);
            }
            catch (LoginFailedException e) when (e is not ScriptLoginPageException)
            {
                // An error page instead of a redirect (LemonLDAP::NG shows one) refuses the object too; only an OP
                // that does not offer the parameter owes the specific request_not_supported code (§6.1).
                c.Expect(offered, "error=request_not_supported from an OP whose metadata does not offer the request parameter", "an error page, not a redirect: " + e.Message);
                c.Note("the request object was refused with an error page: " + e.Message);
                return;
            }

            var response = authorization.Response;

            if (response.IsError)
            {
                c.Expect(offered || response.Error == "request_not_supported",
                    "error=request_not_supported from an OP whose metadata does not offer the request parameter", Steps.Describe(response));
                return;
            }

            c.Precondition(response.Code is not null, $"the request with a request object got neither a code nor an error: {Steps.Describe(response)}");
            var idToken = await IdTokenAsync(c, client, authorization).ConfigureAwait(false);
            var carried = idToken.TryGetPayloadValue<string>("nonce", out var value) ? value : null;
            c.Expect(carried == nonce, "the request object's nonce in the ID token (the object was processed), or an error",
                carried is null ? "a code, and an ID token without the request object's nonce: the request object was ignored" : "a nonce other than the request object's");
        },
    });

    public static Check RequestUriRefused { get; } = Define.Rule(new()
    {
        Id = "OIDC-08",
        Anchors = "OIDF: oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported (partial)",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "An OP whose metadata says request_uri_parameter_supported false SHOULD refuse a request_uri with error=request_uri_not_supported rather than ignore it.",
        Specs = "OIDC-Core §6.2; OIDC-Core §3.1.2.6; OIDC-Discovery §3",
        Applicability = CodeClient + ", at a server that declares request_uri_parameter_supported false",
        Remediation = "Refuse request_uri with error=request_uri_not_supported when you do not fetch request objects.",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
            c.RequireMetadata("response_types_supported", "code");
            // OIDC Discovery §3: absent means true, and the harness hosts no request object for a server to fetch.
            c.Require(!Offered(c, "request_uri_parameter_supported", byDefault: true),
                $"server '{c.Server.Name}' does not declare request_uri_parameter_supported false (absent means true), and the harness hosts no request object to fetch");
            var location = new UriBuilder(client.RedirectUri!) { Path = "/request-objects/" + Harness.Protocol.Random.Token(8), Query = "" }.Uri;

            var authorization = await Steps.AuthorizeAsync(c, client,
                change: r => r with { Extra = new Dictionary<string, string>(r.Extra) { ["request_uri"] = location.AbsoluteUri } }).ConfigureAwait(false);

            c.Expect(authorization.Response.Error == "request_uri_not_supported", "error=request_uri_not_supported", Steps.Describe(authorization.Response));
        },
    });

    /// <summary>A boolean of the server's metadata, with the default OIDC Discovery §3 gives it.</summary>
    private static bool Offered(CheckContext c, string field, bool byDefault) =>
        c.Server.Metadata.Json.ValueKind == JsonValueKind.Object && c.Server.Metadata.Json.TryGetProperty(field, out var value)
            ? value.ValueKind == JsonValueKind.True
            : byDefault;

    /// <summary>
    /// The request's own parameters as an unsigned request object (alg none, OIDC Core §6.1), plus the nonce; the
    /// OAuth parameters stay in the query too, as §6.1 requires.
    /// </summary>
    private static string UnsignedRequestObject(CheckContext c, Harness.Protocol.AuthorizationRequest request, string nonce)
    {
        var claims = new JsonObject
        {
            ["iss"] = request.ClientId,
            ["aud"] = c.Server.Metadata.Issuer ?? c.Server.Issuer.OriginalString,
            ["nonce"] = nonce,
        };
        foreach (var (name, value) in request.Parameters())
        {
            claims[name] = value;
        }

        static string Encode(JsonNode node) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(node.ToJsonString()));
        return Encode(new JsonObject { ["alg"] = "none" }) + "." + Encode(claims) + ".";
    }
}
