using Conformance.Harness.Protocol;
using System.Net;
using System.Text.Json;
using Conformance.Harness.Checks;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Checks.Areas;

/// <summary>Provider metadata and signing keys as published (OpenID Connect Discovery 1.0, RFC 8414, RFC 7517).</summary>
public static class Discovery
{
    private const string Area = "discovery";
    private const string AnyServer = "any authorization server (discovery is always available)";

    public static Check ConfigurationIsJson { get; } = Define.Rule(new()
    {
        Id = "DISC-01",
        Anchors = "OIDF: oidcc-discovery-endpoint-verification",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The OpenID Provider configuration at {issuer}/.well-known/openid-configuration MUST be returned with HTTP 200 as a JSON object with Content-Type application/json.",
        Specs = "OIDC-Discovery §4; OIDC-Discovery §4.2",
        Applicability = AnyServer,
        Remediation = "Serve the metadata document with status 200, Content-Type: application/json, and a single JSON object as the body.",
        Run = async c =>
        {
            var uri = Harness.Protocol.Discovery.OpenIdConfigurationUri(c.Server.Issuer);
            using var response = await RawHttp.GetAsync(c, uri).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(c.Cancellation).ConfigureAwait(false);
            var media = response.Content.Headers.ContentType?.MediaType;
            var isObject = JsonBody.Parse(body) is { ValueKind: JsonValueKind.Object };

            c.Expect(response.StatusCode == HttpStatusCode.OK && string.Equals(media, "application/json", StringComparison.OrdinalIgnoreCase) && isObject,
                "HTTP 200, Content-Type application/json, a JSON object",
                $"HTTP {(int)response.StatusCode}, Content-Type {RawHttp.Header(response, "Content-Type") ?? "(none)"}, body {(isObject ? "a JSON object" : "not a JSON object")}");
        },
        Threats = "RFC9700 §4.4",
    });

    public static Check IssuerMatches { get; } = Define.Rule(new()
    {
        Id = "DISC-02",
        Anchors = "OIDF: oidcc-discovery-endpoint-verification",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The issuer value in the provider metadata MUST be identical to the issuer URL the configuration was retrieved for.",
        Specs = "OIDC-Discovery §4.3; RFC8414 §3.3",
        Applicability = AnyServer,
        Remediation = "Publish as issuer exactly the URL clients are configured with (same scheme, host, port and path, no added or removed trailing slash).",
        Run = c =>
        {
            var configured = c.Server.Issuer.OriginalString;
            var published = c.Server.Metadata.Issuer;

            c.Expect(published == configured, $"issuer '{configured}'", published is null ? "no issuer string in the metadata" : $"issuer '{published}'");
            return Task.CompletedTask;
        },
        Threats = "RFC9700 §4.4; RFC6819 §4.6.7",
    });

    public static Check Rfc8414IssuerMatches { get; } = Define.Rule(new()
    {
        Id = "DISC-03",
        Anchors = "OIDF: oidcc-discovery-endpoint-verification",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "Authorization server metadata published at the RFC 8414 well-known URL MUST carry an issuer identical to the issuer it was retrieved for.",
        Specs = "RFC8414 §3; RFC8414 §3.3",
        Applicability = "a server that publishes RFC 8414 metadata at /.well-known/oauth-authorization-server inserted before the issuer's path",
        Remediation = "Publish the same issuer in the RFC 8414 document as in the OpenID configuration, identical to the issuer URL.",
        Run = async c =>
        {
            var issuer = c.Server.Issuer;
            var path = issuer.AbsolutePath.TrimEnd('/');
            var uri = new Uri(issuer.GetLeftPart(UriPartial.Authority) + "/.well-known/oauth-authorization-server" + path);
            using var response = await RawHttp.GetAsync(c, uri).ConfigureAwait(false);
            c.Require(response.StatusCode == HttpStatusCode.OK, $"server '{c.Server.Name}' publishes no RFC 8414 metadata at {uri} (HTTP {(int)response.StatusCode})");
            var json = JsonBody.Parse(await response.Content.ReadAsStringAsync(c.Cancellation).ConfigureAwait(false));
            // RFC 8414 metadata is optional for an OpenID provider: a URL that answers with something other than a
            // JSON object (an HTML portal page, say) publishes no metadata, which is not a violation.
            c.Require(json is { ValueKind: JsonValueKind.Object }, $"server '{c.Server.Name}' publishes no RFC 8414 metadata at {uri}: HTTP 200 with a body that is not a JSON object ({response.Content.Headers.ContentType?.MediaType ?? "no content type"})");
            var published = JsonBody.String(json, "issuer");

            c.Expect(published == issuer.OriginalString, $"a JSON object with issuer '{issuer.OriginalString}' at {uri}",
                published is null ? "no issuer string" : $"issuer '{published}'");
        },
        Threats = "RFC9700 §4.4",
    });

    public static Check RequiredMembers { get; } = Define.Rule(new()
    {
        Id = "DISC-04",
        Anchors = "OIDF: oidcc-discovery-endpoint-verification",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The provider metadata MUST contain issuer, authorization_endpoint, token_endpoint, jwks_uri, response_types_supported, subject_types_supported and id_token_signing_alg_values_supported.",
        Specs = "OIDC-Discovery §3",
        Applicability = AnyServer,
        Remediation = "Publish every REQUIRED member of OpenID Connect Discovery §3 with a value of the right type.",
        Run = c =>
        {
            var metadata = c.Server.Metadata;
            string[] strings = ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"];
            string[] arrays = ["response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported"];
            var missing = strings.Where(s => string.IsNullOrEmpty(metadata.String(s)))
                .Concat(arrays.Where(a => metadata.Strings(a).Count == 0))
                .ToList();

            c.Expect(missing.Count == 0, "all REQUIRED members present: " + string.Join(", ", strings.Concat(arrays)),
                "missing or not of the right type: " + string.Join(", ", missing));
            return Task.CompletedTask;
        },
    });

    public static Check SigningAlgorithms { get; } = Define.Rule(new()
    {
        Id = "DISC-05",
        Anchors = "OIDF: oidcc-discovery-endpoint-verification",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "id_token_signing_alg_values_supported MUST include RS256: every OP MUST support signing ID tokens with RS256.",
        Specs = "OIDC-Discovery §3; OIDC-Core §15.1",
        Applicability = AnyServer,
        Remediation = "Support RS256 for ID tokens and list it in id_token_signing_alg_values_supported.",
        Run = c =>
        {
            // Listing 'none' is allowed (Discovery §3: it MAY be supported, for response types that return no ID
            // token from the authorization endpoint); an ID token actually signed with none is judged by IDT-01.
            var algs = c.Server.Metadata.IdTokenSigningAlgValuesSupported;
            if (algs.Any(a => a.Equals("none", StringComparison.OrdinalIgnoreCase)))
            {
                c.Note("'none' is listed; ID tokens from the authorization endpoint must still never use it (IDT-01)");
            }

            c.Expect(algs.Contains("RS256"), "RS256 listed", $"id_token_signing_alg_values_supported [{string.Join(", ", algs)}]");
            return Task.CompletedTask;
        },
        Threats = "RFC6819 §4.6.7",
    });

    public static Check ScopesIncludeOpenId { get; } = Define.Rule(new()
    {
        Id = "DISC-06",
        Anchors = "OIDF: oidcc-discovery-endpoint-verification",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "scopes_supported, when published, MUST list the openid scope, which an OpenID Provider MUST support.",
        Specs = "OIDC-Discovery §3",
        Applicability = "a server that publishes scopes_supported",
        Remediation = "Add 'openid' to scopes_supported.",
        Run = c =>
        {
            c.Require(c.Server.Metadata.Has("scopes_supported"), $"server '{c.Server.Name}' publishes no scopes_supported");
            var scopes = c.Server.Metadata.ScopesSupported;

            c.Expect(scopes.Contains("openid"), "scopes_supported contains 'openid'", $"scopes_supported [{string.Join(", ", scopes)}]");
            return Task.CompletedTask;
        },
    });

    public static Check PkceAdvertised { get; } = Define.Rule(new()
    {
        Id = "DISC-07",
        Anchors = "OAuch: Pkce/HashedPkceDisabledTest; OIDF: oidcc-discovery-endpoint-verification",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The metadata MUST publish code_challenge_methods_supported listing S256, so clients can tell that PKCE is supported.",
        Specs = "RFC9700 §2.1.1; RFC8414 §2",
        Applicability = AnyServer,
        Remediation = "Publish code_challenge_methods_supported: [\"S256\"].",
        Run = c =>
        {
            var metadata = c.Server.Metadata;
            var methods = metadata.CodeChallengeMethodsSupported;

            c.Expect(methods.Contains("S256"), "code_challenge_methods_supported containing S256",
                metadata.Has("code_challenge_methods_supported") ? $"code_challenge_methods_supported [{string.Join(", ", methods)}]" : "no code_challenge_methods_supported");
            return Task.CompletedTask;
        },
        Threats = "RFC9700 §4.8",
    });

    public static Check NoEmptyArrays { get; } = Define.Rule(new()
    {
        Id = "DISC-08",
        Anchors = "OIDF: oidcc-discovery-endpoint-verification",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "Metadata members with zero elements MUST be omitted rather than published as empty arrays.",
        Specs = "RFC8414 §3.2",
        Applicability = AnyServer,
        Remediation = "Leave out any metadata member whose list is empty.",
        Run = c =>
        {
            var json = c.Server.Metadata.Json;
            var empty = json.ValueKind == JsonValueKind.Object
                ? json.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() == 0).Select(p => p.Name).ToList()
                : [];

            c.Expect(empty.Count == 0, "no member is an empty array", "empty arrays: " + string.Join(", ", empty));
            return Task.CompletedTask;
        },
    });

    public static Check JwksIsSound { get; } = Define.Rule(new()
    {
        Id = "DISC-09",
        Anchors = "OAuch: IdTokens/SigningKeySecureTest; OIDF: oidcc-discovery-endpoint-verification",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The JWK Set at jwks_uri MUST be a parseable set of public keys only, with distinct kid values and RSA keys of at least 2048 bits.",
        Specs = "RFC7517 §5; RFC7517 §4.5; RFC7518 §3.3; RFC7518 §6.3.1; OIDC-Core §10.1",
        Applicability = "a server that publishes jwks_uri",
        Remediation = "Publish only the public members of each signing key (never d, p, q, dp, dq, qi, oth or k), give every key its own kid, and use RSA keys of 2048 bits or more.",
        Run = async c =>
        {
            var uri = c.RequireEndpoint("jwks_uri");
            using var response = await RawHttp.GetAsync(c, uri).ConfigureAwait(false);
            var json = JsonBody.Parse(await response.Content.ReadAsStringAsync(c.Cancellation).ConfigureAwait(false));
            var parseable = response.StatusCode == HttpStatusCode.OK && json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("keys", out var k) && k.ValueKind == JsonValueKind.Array;
            c.Expect(parseable, $"HTTP 200 with a JSON object holding a 'keys' array at {uri}",
                $"HTTP {(int)response.StatusCode}, {(json is { ValueKind: JsonValueKind.Object } ? "a JSON object without a 'keys' array" : "a body that is not a JSON object")}");

            string[] privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
            var problems = new List<string>();
            var kids = new List<string>();
            var index = 0;
            foreach (var key in json!.Value.GetProperty("keys").EnumerateArray())
            {
                var name = JsonBody.String(key, "kid") is { } kid ? $"kid '{kid}'" : $"key #{index}";
                index++;
                if (key.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{name} is not a JSON object");
                    continue;
                }

                if (JsonBody.String(key, "kid") is { } id)
                {
                    kids.Add(id);
                }

                var leaked = privateMembers.Where(m => key.TryGetProperty(m, out _)).ToList();
                if (leaked.Count > 0)
                {
                    problems.Add($"{name} publishes private or secret members {string.Join(", ", leaked)}");
                }

                if (JsonBody.String(key, "kty") == "RSA")
                {
                    var bits = ModulusBits(JsonBody.String(key, "n"));
                    if (bits is null)
                    {
                        problems.Add($"{name} is an RSA key without a readable modulus n");
                    }
                    else if (bits < 2048)
                    {
                        problems.Add($"{name} has a {bits}-bit RSA modulus");
                    }
                }
            }

            problems.AddRange(kids.GroupBy(x => x, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"kid '{g.Key}' is used by {g.Count()} keys"));

            c.Expect(problems.Count == 0, "public keys only, distinct kids, RSA moduli of at least 2048 bits", string.Join("; ", problems));
        },
        Threats = "RFC6819 §5.1.4.1.1; RFC9700 §4.4",
    });

    public static Check ServersAreDistinct { get; } = Define.Rule(new()
    {
        Id = "DISC-10",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "Each authorization server of a target MUST have its own issuer identifier and MUST NOT share a signing key (kid or RSA modulus) with another server.",
        Specs = "RFC8414 §2; RFC9700 §4.4; Okta-AuthServers",
        Applicability = "a target with at least two reachable authorization servers",
        Remediation = "Give every authorization server its own issuer and its own key pair, so a token of one server can never be accepted as a token of another.",
        Run = async c =>
        {
            var servers = c.Target.Servers.Where(s => s.Unavailable is null).ToList();
            c.Require(servers.Count >= 2, "the target has fewer than two reachable authorization servers");
            var problems = new List<string>();
            problems.AddRange(servers.GroupBy(s => s.Metadata.Issuer ?? s.Issuer.OriginalString, StringComparer.Ordinal).Where(g => g.Count() > 1)
                .Select(g => $"servers {string.Join(", ", g.Select(s => $"'{s.Name}'"))} publish the same issuer '{g.Key}'"));

            var keys = new List<(string Server, string? Kid, string? Modulus)>();
            foreach (var server in servers)
            {
                var set = await server.Jwks.GetAsync(c.Cancellation).ConfigureAwait(false);
                keys.AddRange(set.Keys.Where(k => k.Use is null or "sig").Select(k => (server.Name, (string?)k.Kid, (string?)k.N)));
            }

            for (var i = 0; i < keys.Count; i++)
            {
                for (var j = i + 1; j < keys.Count; j++)
                {
                    var (a, b) = (keys[i], keys[j]);
                    if (a.Server == b.Server)
                    {
                        continue;
                    }

                    if (!string.IsNullOrEmpty(a.Modulus) && a.Modulus == b.Modulus)
                    {
                        problems.Add($"'{a.Server}' and '{b.Server}' publish the same RSA key (kid '{a.Kid}' / '{b.Kid}')");
                    }
                    else if (!string.IsNullOrEmpty(a.Kid) && a.Kid == b.Kid)
                    {
                        problems.Add($"'{a.Server}' and '{b.Server}' both publish kid '{a.Kid}'");
                    }
                }
            }

            c.Expect(problems.Count == 0, $"distinct issuers and signing keys across {string.Join(", ", servers.Select(s => $"'{s.Name}'"))}", string.Join("; ", problems.Distinct()));
        },
        Threats = "RFC9700 §4.4; RFC6819 §4.6.7",
        PerTarget = true,
    });

    /// <summary>Bit length of a base64url big-endian modulus, leading zero octets ignored.</summary>
    private static int? ModulusBits(string? n)
    {
        if (string.IsNullOrEmpty(n))
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = Base64UrlEncoder.DecodeBytes(n);
        }
        catch (FormatException)
        {
            return null;
        }

        var start = Array.FindIndex(bytes, b => b != 0);
        if (start < 0)
        {
            return 0;
        }

        var top = bytes[start];
        var topBits = 0;
        while (top != 0)
        {
            topBits++;
            top >>= 1;
        }

        return ((bytes.Length - start - 1) * 8) + topBits;
    }
}
