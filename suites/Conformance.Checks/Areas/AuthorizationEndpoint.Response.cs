using System.Text.Json;
using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks.Areas;

/// <summary>The authorization response itself: RFC 9207's iss (mix-up defence) and the error format of RFC 6749 §4.1.2.1.</summary>
public static partial class AuthorizationEndpoint
{
    private const string IssAdvertised = CodeClient + ", on a server whose metadata says authorization_response_iss_parameter_supported: true";

    public static Check IssOnSuccess { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-17",
        Anchors = "OIDF: oidcc-server (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A server that advertises authorization_response_iss_parameter_supported MUST send the iss parameter in every successful authorization response.",
        Specs = "RFC9207 §2; RFC9207 §3",
        Applicability = IssAdvertised,
        Remediation = "Add iss (the issuer identifier) to every authorization response, or stop advertising authorization_response_iss_parameter_supported.",
        Run = async c =>
        {
            RequireIssAdvertised(c);
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);

            c.Expect(authorization.Response.Iss is not null, "an iss parameter beside the code", "a successful authorization response without iss");
        },
        Threats = "RFC9700 §4.4; RFC9207 §1",
    });

    public static Check IssOnError { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-18",
        Anchors = "OIDF: oidcc-server (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "A server that advertises authorization_response_iss_parameter_supported MUST send the iss parameter in error responses to the client too (here: prompt=none without a session).",
        Specs = "RFC9207 §2; RFC6749 §4.1.2.1",
        Applicability = IssAdvertised,
        Remediation = "Add iss to authorization error responses that are redirected to the client, not only to successful ones.",
        Run = async c =>
        {
            RequireIssAdvertised(c);
            var response = await ErrorRedirectAsync(c).ConfigureAwait(false);

            c.Expect(response.Iss is not null, "an iss parameter beside the error", $"{Steps.Describe(response)} without iss");
        },
        Threats = "RFC9700 §4.4; RFC9207 §1",
    });

    public static Check IssIsTheIssuer { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-19",
        Anchors = "OIDF: oidcc-server (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The iss parameter of an authorization response (success or error) MUST be exactly the issuer of the server's metadata.",
        Specs = "RFC9207 §2; RFC9207 §2.4",
        Applicability = IssAdvertised,
        Remediation = "Send the issuer identifier byte for byte as the metadata's issuer (no added slash, no other server's issuer).",
        Run = async c =>
        {
            // RFC 9207 §2.4: the client compares iss with the issuer by simple string comparison, so the server must
            // send that very string. Whether iss is sent at all is AUTHZ-17 and AUTHZ-18; the ID token's own iss is IDT-03.
            RequireIssAdvertised(c);
            var issuer = c.Server.Metadata.Issuer;
            c.Precondition(issuer is not null, "the metadata has no issuer");
            // A metadata issuer other than the configured one is DISC-02's finding: then there is no single issuer
            // identifier the client would compare iss with.
            c.Precondition(issuer == c.Server.Issuer.OriginalString, $"the metadata's issuer '{issuer}' is not the configured issuer '{c.Server.Issuer.OriginalString}' (DISC-02)");
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var success = (await Steps.CodeAsync(c, client).ConfigureAwait(false)).Response;
            var error = await ErrorRedirectAsync(c).ConfigureAwait(false);
            var sent = new[] { ("successful", success.Iss), ("error", error.Iss) }.Where(r => r.Iss is not null).ToList();
            c.Precondition(sent.Count > 0, "neither the successful nor the error response carried iss (AUTHZ-17 and AUTHZ-18 judge that)");
            var wrong = sent.Where(r => !string.Equals(r.Iss, issuer, StringComparison.Ordinal)).ToList();

            c.Expect(wrong.Count == 0, $"iss '{issuer}'", string.Join("; ", wrong.Select(r => $"iss '{r.Iss}' in the {r.Item1} response")));
        },
        Threats = "RFC9700 §4.4; RFC9207 §1",
    });

    public static Check ErrorDescriptionCharacters { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-25",
        Anchors = "OIDF: oidcc-server (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The error_description of an authorization error response MUST NOT include characters outside %x20-21 / %x23-5B / %x5D-7E (no CR, LF, TAB, quote or backslash).",
        Specs = "RFC6749 §4.1.2.1",
        Applicability = CodeClient,
        Remediation = "Write error_description as printable ASCII without '\"' and '\\'; put details elsewhere (error_uri).",
        Run = async c =>
        {
            var response = await ErrorRedirectAsync(c).ConfigureAwait(false);
            if (response.ErrorDescription is not { } description)
            {
                c.Note($"{Steps.Describe(response)} came without error_description, which is OPTIONAL");
                return;
            }

            var bad = description.Where(ch => !AllowedInErrorDescription(ch)).Distinct().ToList();
            c.Expect(bad.Count == 0, "error_description within %x20-21 / %x23-5B / %x5D-7E",
                $"error '{response.Error}' with error_description holding {string.Join(", ", bad.Select(ch => $"U+{(int)ch:X4}"))}");
        },
    });

    /// <summary>RFC 6749 §4.1.2.1's set for error_description: printable ASCII except '"' (%x22) and '\' (%x5C).</summary>
    private static bool AllowedInErrorDescription(char ch) => ch is >= '\x20' and <= '\x7E' and not '"' and not '\\';

    private static void RequireIssAdvertised(CheckContext c)
    {
        var json = c.Server.Metadata.Json;
        var advertised = json.ValueKind == JsonValueKind.Object
            && json.TryGetProperty("authorization_response_iss_parameter_supported", out var flag) && flag.ValueKind == JsonValueKind.True;
        c.Require(advertised, "the metadata does not say authorization_response_iss_parameter_supported: true (RFC 9207 §3)");
    }

    /// <summary>
    /// An error response redirected to the client: prompt=none in a fresh user agent (no session), which OIDC Core
    /// §3.1.2.6 answers with login_required or interaction_required. AUTHZ-10 judges that answer; here it is only the
    /// error response to look at, so anything else leaves the check inconclusive.
    /// </summary>
    private static async Task<AuthorizationResponse> ErrorRedirectAsync(CheckContext c)
    {
        c.RequireMetadata("response_types_supported", "code");
        var client = Pick.RedirectingClient(c, false, "web", "native");
        var request = c.OAuth(client).AuthorizationRequest().WithPkce(CodeVerifier.New()) with { Prompt = "none" };
        AuthorizationResponse? response = null;
        await using (var agent = c.LoginDriver.NewUserAgent())
        {
            try
            {
                response = await agent.NavigateAsync(request.ToUri(), request.RedirectUri, c.Cancellation).ConfigureAwait(false);
            }
            catch (LoginFailedException e)
            {
                c.Note("prompt=none without a session was not redirected to the client (AUTHZ-10 judges that): " + e.Message);
            }
        }

        if (response is { IsError: true })
        {
            return response;
        }

        // A server that shows a page for prompt=none (LemonLDAP::NG does) still owes an error redirect for a
        // transformation it does not support (RFC 7636 §4.4.1: invalid_request to the redirect URI), after login
        // if it asks for one first.
        var unsupported = await Steps.AuthorizeAsync(c, client, change: r => r.WithPkce(CodeVerifier.New()) with { CodeChallengeMethod = "conformance-unknown" }).ConfigureAwait(false);
        c.Precondition(unsupported.Response.IsError,
            $"neither prompt=none without a session nor an unknown code_challenge_method came back as an error response: {Steps.Describe(unsupported.Response)}");
        return unsupported.Response;
    }
}
