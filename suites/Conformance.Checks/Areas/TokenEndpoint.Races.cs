using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>
/// One-time credentials redeemed in parallel: a server that checks "not yet used" and marks "used" in two steps lets
/// several requests through between them (OAuch Concurrency tests).
/// </summary>
public static partial class TokenEndpoint
{
    /// <summary>How many identical requests race; enough to meet in a check-then-act window, few enough for a real server.</summary>
    private const int Racers = 5;

    public static Check ParallelCodeRedemption { get; } = Define.Rule(new()
    {
        Id = "TOK-07",
        Anchors = "OAuch: Concurrency/SingleFastACExchangeTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = $"The same authorization code redeemed {Racers} times in parallel MUST give tokens at most once: the server denies every use but one.",
        Specs = "RFC6749 §4.1.2; RFC6749 §10.5",
        Applicability = "a confidential web client using the authorization code grant",
        Remediation = "Mark a code as used atomically with the check that it is unused (a conditional update or a lock), not in two steps.",
        Run = async c =>
        {
            var client = c.Client("web");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var oauth = c.OAuth(client);

            var answers = await RaceAsync(() => oauth.RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, authorization.Verifier, ct: c.Cancellation)).ConfigureAwait(false);

            ExpectAtMostOne(c, answers, "redemptions of one code");
        },
        Threats = "RFC6819 §4.4.1.1; RFC6819 §5.1.5.4",
    });

    public static Check ParallelRefreshRotation { get; } = Define.Rule(new()
    {
        Id = "TOK-08",
        Anchors = "OAuch: Concurrency/SingleFastRefreshTest",
        Area = Area,
        // RFC 9700 §4.14.2: with rotation the previous refresh token is invalidated when a new one is issued; two
        // new tokens from one old one mean it was not (RT-07 asks the same of a sequential replay).
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = $"A rotating refresh token redeemed {Racers} times in parallel MUST give tokens at most once.",
        Specs = "RFC9700 §4.14.2",
        Applicability = "a public native client whose refresh tokens are rotated",
        Remediation = "Invalidate a rotated refresh token atomically with the check that it is still valid, not in two steps.",
        Run = async c =>
        {
            var (client, tokens) = await Steps.RefreshableAsync(c, "native").ConfigureAwait(false);
            var oauth = c.OAuth(client);
            var rotated = await oauth.RefreshAsync(tokens.RefreshToken!, ct: c.Cancellation).ConfigureAwait(false);
            c.Precondition(rotated.IsSuccess, $"the honest refresh failed: {rotated}");
            c.Require(rotated.RefreshToken is not null && rotated.RefreshToken != tokens.RefreshToken, "the server does not rotate this client's refresh tokens (see RT-06), so a parallel reuse is no race");

            var answers = await RaceAsync(() => oauth.RefreshAsync(rotated.RefreshToken!, ct: c.Cancellation)).ConfigureAwait(false);

            ExpectAtMostOne(c, answers, "refreshes with one rotating refresh token");
        },
        Threats = "RFC6819 §5.2.2.3; RFC9700 §4.14",
    });

    /// <summary>Starts all requests before awaiting any, so they reach the server together.</summary>
    private static async Task<TokenResponse[]> RaceAsync(Func<Task<TokenResponse>> request) =>
        await Task.WhenAll(Enumerable.Range(0, Racers).Select(_ => Task.Run(request))).ConfigureAwait(false);

    private static void ExpectAtMostOne(CheckContext c, TokenResponse[] answers, string what)
    {
        var granted = answers.Count(a => a.IsSuccess);
        var summary = string.Join("; ", answers.GroupBy(Steps.Describe).Select(g => $"{g.Count()} × {g.Key}"));
        // None granted is safe but says nothing about the race: the honest request itself did not work.
        c.Precondition(granted >= 1, $"none of {Racers} parallel {what} got tokens: {summary}");
        c.Expect(granted <= 1, $"tokens for at most one of {Racers} parallel {what}", $"{granted} of {Racers} got tokens ({summary})");
    }
}
