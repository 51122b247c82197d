using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks.Areas;

/// <summary>id_token_hint as a statement about who the client expects (OIDC Core §3.1.2.1).</summary>
public static partial class OidcRequest
{
    public static Check IdTokenHintOfAnotherUser { get; } = Define.Rule(new()
    {
        Id = "OIDC-11",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "When the id_token_hint names a user other than the signed-in one, a prompt=none request SHOULD get an error such as login_required, not a code for the signed-in user.",
        Specs = "OIDC-Core §3.1.2.1; OIDC-Core §3.1.2.6",
        Applicability = CodeClient + ", and two users in the target profile",
        Remediation = "Compare the sub of id_token_hint with the session's user; when they differ, answer login_required (or ask for a login without prompt=none).",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var other = Pick.SpareUser(c, u => u != c.User);
            await using var agent = c.LoginDriver.NewUserAgent();
            await Steps.CodeAsync(c, client, agent: agent).ConfigureAwait(false);
            var hint = await OtherUsersIdTokenAsync(c, client, other).ConfigureAwait(false);
            var request = c.OAuth(client).AuthorizationRequest().WithPkce(CodeVerifier.New()) with
            {
                Prompt = "none",
                Extra = new Dictionary<string, string> { ["id_token_hint"] = hint },
            };

            AuthorizationResponse response;
            try
            {
                response = await agent.NavigateAsync(request.ToUri(), request.RedirectUri, c.Cancellation).ConfigureAwait(false);
            }
            catch (LoginFailedException e) when (e is not ScriptLoginPageException)
            {
                // Not answered from the session; a page for prompt=none is AUTHZ-10's subject, not this rule's.
                c.Note("the prompt=none request with another user's id_token_hint got a page: " + e.Message);
                return;
            }

            c.Expect(response.Code is null && response.IsError, $"an error (login_required) for the session of '{c.User.Username}' with the id_token_hint of '{other.Username}'",
                Steps.Describe(response));
        },
    });

    /// <summary>An ID token of <paramref name="user"/> from a code flow in a user agent of its own.</summary>
    private static async Task<string> OtherUsersIdTokenAsync(CheckContext c, ClientProfile client, UserProfile user)
    {
        var oauth = c.OAuth(client);
        var verifier = CodeVerifier.New();
        var request = oauth.AuthorizationRequest().WithPkce(verifier);
        await using var agent = c.LoginDriver.NewUserAgent();
        var response = await agent.AuthorizeAsync(request, user, c.Cancellation).ConfigureAwait(false);
        c.Precondition(response is { IsError: false, Code: not null }, $"the honest login of '{user.Username}' got no code: {Steps.Describe(response)}");
        var tokens = await oauth.RedeemCodeAsync(response.Code!, request.RedirectUri, verifier, ct: c.Cancellation).ConfigureAwait(false);
        c.Precondition(tokens.IsSuccess && !string.IsNullOrEmpty(tokens.IdToken), $"the honest code redemption for '{user.Username}' gave no ID token: {tokens}");
        return tokens.IdToken!;
    }
}
