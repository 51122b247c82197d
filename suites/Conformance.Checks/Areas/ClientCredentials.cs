using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks.Areas;

/// <summary>The client credentials grant (RFC 6749 §4.4), access policies, and the password grant (RFC 6749 §4.3).</summary>
public static class ClientCredentials
{
    private const string Area = "client-credentials";

    public static Check PublicClientRefused { get; } = Define.Rule(new()
    {
        Id = "CC-01",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST refuse the client_credentials grant from a public client.",
        Specs = "RFC6749 §4.4; RFC6749 §2.1",
        Applicability = "a server that supports client_credentials, a public native client, and a scope of the server (from the profile)",
        Remediation = "Allow client_credentials only to confidential clients that authenticate; answer unauthorized_client or invalid_client otherwise.",
        Run = async c =>
        {
            Steps.RequireGrant(c, "client_credentials");
            var native = c.Client("native");
            c.Require(!native.IsConfidential, "the 'native' client of the profile has a secret");
            var scope = (c.Profile.Client("service") is { } service ? BackChannel.ServiceScope(c.Server, service) : null) ?? c.Server.Profile.Scopes.FirstOrDefault();
            c.Require(scope is not null, $"the profile names no custom scope for server '{c.Server.Name}'");

            var tokens = await c.OAuth(native).ClientCredentialsAsync(scope!, ct: c.Cancellation).ConfigureAwait(false);

            c.Expect(!tokens.IsSuccess, "HTTP 400 'unauthorized_client' (or 401 'invalid_client'): no token for a public client", Steps.Describe(tokens));
            c.Note($"refused with {Steps.Describe(tokens)}");
        },
        Threats = "RFC6819 §4.4.4; RFC6819 §5.2.3.1",
    });

    public static Check ScopeOutsidePolicyRefused { get; } = Define.Rule(new()
    {
        Id = "CC-02",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The authorization server MUST refuse a client_credentials request for a scope that no access-policy rule grants to the client.",
        Specs = "RFC6749 §3.3; RFC6749 §5.2; Okta-AuthServers",
        Applicability = "a service client, and a scope the server knows (profile server scopes) that is not among the service client's scopes",
        Remediation = "Evaluate the access policies for every requested scope; refuse (invalid_scope or access_denied) when no rule grants it.",
        Run = async c =>
        {
            Steps.RequireGrant(c, "client_credentials");
            var service = c.Client("service");
            var scope = c.Server.Profile.Scopes.FirstOrDefault(s => !service.Scopes.Contains(s));
            c.Require(scope is not null, $"every scope the profile names for server '{c.Server.Name}' is granted to the service client");
            var allowed = BackChannel.ServiceScope(c.Server, service);
            if (allowed is not null)
            {
                var honest = await c.OAuth(service).ClientCredentialsAsync(allowed, ct: c.Cancellation).ConfigureAwait(false);
                Steps.RequireGranted(c, "client_credentials", honest);
            }

            var tokens = await c.OAuth(service).ClientCredentialsAsync(scope!, ct: c.Cancellation).ConfigureAwait(false);

            var granted = tokens.IsSuccess && (tokens.Scope is null || BackChannel.Scopes(tokens.Scope).Contains(scope!));
            c.Expect(!granted, $"an error (invalid_scope or access_denied) for '{scope}'", tokens.IsSuccess ? $"{Steps.Describe(tokens)}: '{scope}' was granted" : Steps.Describe(tokens));
        },
        Threats = "RFC6819 §5.1.5.1",
    });

    public static Check WrongPasswordRefused { get; } = Define.Rule(new()
    {
        Id = "PW-01",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The token endpoint MUST refuse a resource owner password grant with a wrong password, with invalid_grant.",
        Specs = "RFC6749 §4.3.2; RFC6749 §5.2",
        Applicability = "a server that supports the password grant and a password client (one wrong password per server: invasive)",
        Remediation = "Verify the resource owner's credentials; answer invalid_grant when they are wrong.",
        Run = async c =>
        {
            Steps.RequireGrant(c, "password");
            var client = c.Client("password");
            var wrong = c.User with { Password = new Secret("a deliberately wrong password", "Wrong-" + Conformance.Harness.Protocol.Random.Token(9)) };

            var tokens = await c.OAuth(client).PasswordAsync(wrong, "openid", ct: c.Cancellation).ConfigureAwait(false);

            if (Offering.RefusedAsNotOffered(c.Server, "password", tokens) is { } notOffered)
            {
                throw new NotApplicableException(notOffered);
            }

            c.Expect(!tokens.IsSuccess && tokens.Error == "invalid_grant", "HTTP 400, error 'invalid_grant'", Steps.Describe(tokens));
        },
        Threats = "RFC6819 §4.4.3.6",
        Invasive = true,
    });
}
