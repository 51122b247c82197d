using System.Net;
using System.Text.Json.Nodes;
using Conformance.ReferenceIssuer;
using OtpNet;

namespace Conformance.Fidelity.Tests;

/// <summary>
/// Okta's AuthJS (@okta/okta-auth-js, its browser bundle in headless Chromium) signing in, getting, renewing and
/// ending tokens and sessions against the reference issuer. Each test is one thing an Okta single-page app does.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class AuthJsTests
{
    private static SeedUser Alice => Fidelity.Issuer.Seed.User("alice@example.test");
    private static SeedUser Bob => Fidelity.Issuer.Seed.User("bob@example.test");

    [Test]
    public async Task SignInWithCredentials_without_mfa_returns_a_session_token()
    {
        await using var spa = await SpaPage.OpenAsync();
        var answer = await spa.CallAsync("signIn", "default", Alice.Username, Alice.Password, null);
        answer["first"]!.GetValue<string>().Should().Be("SUCCESS", "a user without a factor signs in with the password alone");
        answer["hasSessionToken"]!.GetValue<bool>().Should().BeTrue("AuthJS's transaction carries the sessionToken");
        answer["login"]!.GetValue<string>().Should().Be(Alice.Username, "_embedded.user.profile.login names the user");
    }

    [Test]
    public async Task SignInWithCredentials_with_totp_verifies_the_factor()
    {
        await using var spa = await SpaPage.OpenAsync();
        var answer = await spa.CallAsync("signIn", "default", Bob.Username, Bob.Password, Totp(Bob));
        answer["first"]!.GetValue<string>().Should().Be("MFA_REQUIRED", "Bob has a TOTP factor");
        answer["factor"]?["factorType"]?.GetValue<string>().Should().Be("token:software:totp", $"AuthJS finds the TOTP factor: {answer.ToJsonString()}");
        answer["status"]!.GetValue<string>().Should().Be("SUCCESS", "factor.verify({ passCode }) completes the transaction");
        answer["hasSessionToken"]!.GetValue<bool>().Should().BeTrue();
    }

    [TestCase("default")]
    [TestCase("aus-second")]
    [TestCase("org")]
    public async Task SessionToken_is_exchanged_for_tokens(string server)
    {
        await using var spa = await SpaPage.OpenAsync();
        var tokens = await SignInWithSessionTokenAsync(spa, server);
        ExpectTokens(tokens, server);
    }

    [Test]
    public async Task Authorization_code_with_pkce_through_the_sign_in_page()
    {
        await using var spa = await SpaPage.OpenAsync();
        await spa.LeaveAsync("startRedirect", Fidelity.Base + "/login", "default", null);
        // The issuer's hosted page is the real Sign-In Widget (classic build), drawn by its script: its own ids.
        await spa.Page.FillAsync("#okta-signin-username", Alice.Username);
        await spa.Page.FillAsync("#okta-signin-password", Alice.Password);
        await spa.ArriveAsync(() => spa.Page.ClickAsync("#okta-signin-submit"), spa.Origin + "/callback");
        var tokens = await spa.CallAsync("completeRedirect");
        ExpectTokens(tokens, "default");
    }

    [Test]
    public async Task Refresh_token_renews_the_tokens()
    {
        await using var spa = await SpaPage.OpenAsync();
        var first = await SignInWithSessionTokenAsync(spa, "default");
        first["refreshToken"]?.GetValue<string>().Should().NotBeNullOrEmpty("offline_access with a code gives a refresh token");

        var renewed = await spa.CallAsync("renew", "default");
        var after = renewed["after"]!;
        after["accessToken"]!.GetValue<string>().Should().NotBe(first["accessToken"]!.GetValue<string>(), "renewal issues a new access token");
        after["refreshToken"]?.GetValue<string>().Should().NotBeNullOrEmpty("the refreshed response carries the (rotated) refresh token");
        after["refreshToken"]!.GetValue<string>().Should().NotBe(first["refreshToken"]!.GetValue<string>(), "Okta rotates an SPA's refresh token");
        after["idClaims"]?["sub"]?.GetValue<string>().Should().Be(first["idClaims"]!["sub"]!.GetValue<string>(), "the renewed ID token is the same user's");
    }

    [Test]
    public async Task GetUserInfo_answers_for_the_access_token()
    {
        await using var spa = await SpaPage.OpenAsync();
        var tokens = await SignInWithSessionTokenAsync(spa, "default");
        var answer = await spa.CallAsync("userInfo", "default");
        answer["userInfo"]!["sub"]!.GetValue<string>().Should().Be(tokens["idClaims"]!["sub"]!.GetValue<string>(), "UserInfo's sub is the ID token's");
    }

    [Test]
    public async Task CloseSession_ends_the_okta_session()
    {
        await using var spa = await SpaPage.OpenAsync();
        await SignInWithSessionTokenAsync(spa, "default");
        (await spa.CallAsync("sessionExists", "default"))["exists"]!.GetValue<bool>()
            .Should().BeTrue($"redeeming the sessionToken at /authorize started an Okta session (GET /api/v1/sessions/me){Environment.NewLine}{spa.Log}");
        (await spa.CallAsync("closeSession", "default"))["closed"]!.GetValue<bool>()
            .Should().BeTrue($"DELETE /api/v1/sessions/me ended it (AuthJS answers false when Okta says there was none){Environment.NewLine}{spa.Log}");
        (await spa.CallAsync("sessionExists", "default"))["exists"]!.GetValue<bool>().Should().BeFalse("the session is gone");
    }

    [Test]
    public async Task SignOut_revokes_the_tokens_and_ends_the_session()
    {
        await using var spa = await SpaPage.OpenAsync();
        var tokens = await SignInWithSessionTokenAsync(spa, "default");
        await spa.LeaveAsync("signOut", Fidelity.Spa.PostLogoutRedirectUris[0], "default");
        spa.Page.Url.Should().Contain("state=fidelity-signed-out", "the end-session endpoint returns the state to the post-logout redirect URI");
        (await spa.CallAsync("sessionExists", "default"))["exists"]!.GetValue<bool>().Should().BeFalse("/logout ended the Okta session");

        // AuthJS revoked the refresh token before leaving (POST /revoke): it no longer refreshes.
        using var http = new HttpClient();
        using var refresh = await http.PostAsync($"{Fidelity.IssuerOf("default")}/v1/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = tokens["refreshToken"]!.GetValue<string>(),
            ["client_id"] = Fidelity.SpaClientId,
        }));
        refresh.StatusCode.Should().Be(HttpStatusCode.BadRequest, $"signOut revoked the refresh token: {await refresh.Content.ReadAsStringAsync()}");
    }

    /// <summary>signInWithCredentials, then token.getWithRedirect({ sessionToken }) and token.parseFromUrl() on /callback.</summary>
    private static async Task<JsonObject> SignInWithSessionTokenAsync(SpaPage spa, string server)
    {
        var signIn = await spa.CallAsync("signIn", server, Alice.Username, Alice.Password, null);
        var sessionToken = signIn["sessionToken"]!.GetValue<string>();
        await spa.LeaveAsync("startRedirect", spa.Origin + "/callback", server, sessionToken);
        return await spa.CallAsync("completeRedirect");
    }

    private static void ExpectTokens(JsonObject tokens, string server)
    {
        var issuer = Fidelity.IssuerOf(server);
        var id = tokens["idClaims"] ?? throw new AssertionException($"no ID token: {tokens.ToJsonString()}");
        id["iss"]!.GetValue<string>().Should().Be(issuer, "AuthJS validated the ID token's issuer");
        id["aud"]!.GetValue<string>().Should().Be(Fidelity.SpaClientId);
        id["nonce"]?.GetValue<string>().Should().NotBeNullOrEmpty("AuthJS sent a nonce and checked it came back");
        tokens["accessToken"]?.GetValue<string>().Should().NotBeNullOrEmpty();
        tokens["refreshToken"]?.GetValue<string>().Should().NotBeNullOrEmpty("offline_access was asked for with a code");
        if (server == "org") return; // org server access tokens are Okta's own business: AuthJS keeps them opaque.
        var access = tokens["accessClaims"] ?? throw new AssertionException($"AuthJS decoded no access token claims: {tokens.ToJsonString()}");
        access["iss"]!.GetValue<string>().Should().Be(issuer);
        access["aud"]!.GetValue<string>().Should().Be(Fidelity.Issuer.Seed.Server(server).Audience);
        access["cid"]!.GetValue<string>().Should().Be(Fidelity.SpaClientId);
        access["scp"]!.AsArray().Select(s => s!.GetValue<string>()).Should().Contain(["openid", "offline_access"]);
    }

    private static string Totp(SeedUser user) => new Totp(Base32Encoding.ToBytes(user.TotpSecret!)).ComputeTotp();
}
