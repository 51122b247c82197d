using System.Net;
using Conformance.Harness.Assertions;
using Conformance.Harness.Jose;
using Conformance.Harness.Protocol;
using RestSharp;

namespace Conformance.Harness.Tests;

/// <summary>The FluentAssertions extensions: they pass on what the rule allows and say expected versus observed when not.</summary>
public class TokenAssertionsTests
{
    private static TokenResponse Response(HttpStatusCode status, string body, string? cacheControl = "no-store", string? pragma = "no-cache")
    {
        var headers = new List<HeaderParameter>();
        if (cacheControl is not null)
        {
            headers.Add(new HeaderParameter("Cache-Control", cacheControl));
        }

        if (pragma is not null)
        {
            headers.Add(new HeaderParameter("Pragma", pragma));
        }

        return new TokenResponse(new RestResponse(new RestRequest())
        {
            StatusCode = status,
            Content = body,
            ContentType = "application/json",
            Headers = headers,
            ResponseStatus = ResponseStatus.Completed,
        });
    }

    private static readonly TokenResponse InvalidGrant =
        Response(HttpStatusCode.BadRequest, """{"error":"invalid_grant","error_description":"The authorization code is invalid or has expired."}""");

    private static readonly TokenResponse Success =
        Response(HttpStatusCode.OK, """{"access_token":"at-1","token_type":"Bearer","expires_in":3600}""");

    private static async Task<TokenValidation> ValidationAsync(bool valid)
    {
        var issuer = new JoseTestIssuer();
        var claims = issuer.IdTokenClaims();
        if (!valid)
        {
            claims["nonce"] = "other";
        }

        return await new IdTokenValidator().ValidateAsync(JoseTestIssuer.Sign(claims), issuer.Server, new IdTokenExpectations(JoseTestIssuer.ClientId, JoseTestIssuer.Nonce));
    }

    [Test]
    public async Task BeValid_passes_on_a_valid_token_and_lists_the_broken_rules_otherwise()
    {
        var valid = await ValidationAsync(true);
        var invalid = await ValidationAsync(false);

        valid.Should().BeValid();
        var act = () => invalid.Should().BeValid("OIDC Core §3.1.3.7 step {0}", 11);

        act.Should().Throw<Exception>().WithMessage(
            "Expected the \"ID token\" \"[sha256:*]\" to be valid because OIDC Core §3.1.3.7 step 11, but it broke 1 rule(s): \"nonce does not match the one sent in the authorization request\".");
    }

    [Test]
    public async Task BeRejectedFor_passes_when_a_failure_names_the_rule()
    {
        var invalid = await ValidationAsync(false);

        invalid.Should().BeRejectedFor("nonce").And.NotBeRejectedFor("iss ");
    }

    [Test]
    public async Task BeRejectedFor_fails_on_a_valid_token_and_on_a_token_rejected_for_something_else()
    {
        var valid = await ValidationAsync(true);
        var invalid = await ValidationAsync(false);

        var accepted = () => valid.Should().BeRejectedFor("at_hash", "the access token was swapped");
        var otherReason = () => invalid.Should().BeRejectedFor("at_hash");

        accepted.Should().Throw<Exception>().WithMessage("Expected the \"ID token\" * to be rejected for \"at_hash\" because the access token was swapped, but it was accepted as valid.");
        otherReason.Should().Throw<Exception>().WithMessage("Expected the \"ID token\" * to be rejected for \"at_hash\", but it was rejected only for: \"nonce does not match*\".");
    }

    [Test]
    public async Task NotBeRejectedFor_names_the_failure_it_found()
    {
        var invalid = await ValidationAsync(false);

        var act = () => invalid.Should().NotBeRejectedFor("nonce");

        act.Should().Throw<Exception>().WithMessage("Expected the \"ID token\" * not to be rejected for \"nonce\", but it was: \"nonce does not match*\".");
    }

    [Test]
    public async Task HaveClaim_states_expected_and_found()
    {
        var valid = await ValidationAsync(true);

        valid.Should().HaveClaim("sub", "00u1alice");
        var act = () => valid.Should().HaveClaim("sub", "00u1bob");

        act.Should().Throw<Exception>().WithMessage("Expected the token's \"sub\" to be \"00u1bob\", but found \"00u1alice\".");
    }

    [Test]
    public void BeOAuthError_passes_on_the_expected_error()
    {
        InvalidGrant.Should().BeOAuthError("invalid_grant", "RFC 6749 §5.2").And.HaveNoStoreCacheControl();
    }

    [Test]
    public void BeOAuthError_fails_on_another_error_with_expected_and_observed()
    {
        var act = () => InvalidGrant.Should().BeOAuthError("invalid_request", "the {0} parameter was missing", "code_verifier");

        act.Should().Throw<Exception>().WithMessage(
            "Expected the OAuth error \"invalid_request\" (RFC 6749 §5.2) because the code_verifier parameter was missing, but found \"error 'invalid_grant': HTTP 400, error 'invalid_grant' (The authorization code is invalid or has expired.)\".");
    }

    [Test]
    public void BeOAuthError_fails_when_the_server_issued_tokens()
    {
        var act = () => Success.Should().BeOAuthError("invalid_grant", "the code was already redeemed");

        act.Should().Throw<Exception>().WithMessage(
            "Expected the OAuth error \"invalid_grant\" (\"HTTP 400\", RFC 6749 §5.2) because the code was already redeemed, but the server issued an access token: \"HTTP 200, token_type Bearer*\".");
    }

    [Test]
    public void BeOAuthError_fails_on_the_wrong_status()
    {
        var act = () => Response(HttpStatusCode.InternalServerError, """{"error":"invalid_grant"}""").Should().BeOAuthError("invalid_grant");

        act.Should().Throw<Exception>().WithMessage("Expected the OAuth error \"invalid_grant\" with \"HTTP 400\" (RFC 6749 §5.2), but found HTTP 500.");
    }

    [Test]
    public void BeOAuthError_accepts_401_for_invalid_client_only()
    {
        Response(HttpStatusCode.Unauthorized, """{"error":"invalid_client"}""").Should().BeOAuthError("invalid_client");
        var act = () => Response(HttpStatusCode.Unauthorized, """{"error":"invalid_grant"}""").Should().BeOAuthError("invalid_grant");

        act.Should().Throw<Exception>().WithMessage("*but found HTTP 401.");
    }

    [Test]
    public void BeOAuthError_fails_on_a_body_that_is_not_json()
    {
        var act = () => Response(HttpStatusCode.BadRequest, "<html>Bad Request</html>").Should().BeOAuthError("invalid_grant");

        act.Should().Throw<Exception>().WithMessage("Expected the OAuth error \"invalid_grant\" in a JSON object body (RFC 6749 §5.2), but found HTTP 400 with content type \"application/json\" and no JSON object.");
    }

    [Test]
    public void HaveNoStoreCacheControl_accepts_no_store_among_other_directives_in_any_case()
    {
        Response(HttpStatusCode.OK, "{}", "private, No-Store, max-age=0").Should().HaveNoStoreCacheControl();
    }

    [Test]
    public void HaveNoStoreCacheControl_states_what_was_found()
    {
        var missing = () => Response(HttpStatusCode.OK, "{}", cacheControl: null).Should().HaveNoStoreCacheControl("RFC 6749 §5.1");
        var wrong = () => Response(HttpStatusCode.OK, "{}", cacheControl: "no-cache, max-age=0").Should().HaveNoStoreCacheControl();

        missing.Should().Throw<Exception>().WithMessage("Expected Cache-Control to contain no-store (RFC 6749 §5.1) because RFC 6749 §5.1, but found \"no Cache-Control header\".");
        wrong.Should().Throw<Exception>().WithMessage("Expected Cache-Control to contain no-store (RFC 6749 §5.1), but found \"Cache-Control: no-cache, max-age=0\".");
    }

    [Test]
    public void HaveNoCachePragma_and_BeSuccessful()
    {
        Success.Should().BeSuccessful().And.HaveNoCachePragma();
        var act = () => Response(HttpStatusCode.OK, "{}", pragma: null).Should().HaveNoCachePragma();
        var failed = () => InvalidGrant.Should().BeSuccessful();

        act.Should().Throw<Exception>().WithMessage("Expected Pragma: no-cache (RFC 6749 §5.1), but found \"no Pragma header\".");
        failed.Should().Throw<Exception>().WithMessage("Expected a successful token response (HTTP 200 with an access_token, RFC 6749 §5.1), but found \"HTTP 400, error 'invalid_grant'*\".");
    }
}
