using System.Globalization;
using Conformance.Harness.Checks;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Conformance.Checks.Areas;

/// <summary>
/// The ID token of a refresh response against the original one (OIDC Core §12.2), beyond what RT-08 compares
/// (iss, sub, aud, auth_time): a new iat, the same azp, no other nonce.
/// </summary>
public static class IdTokenRefresh
{
    private const string Area = "id-token";
    private const string Applies = "a confidential web client that gets a refresh token from the code flow (offline_access) and an ID token on refresh";

    public static Check IssuedAtRenewed { get; } = Define.Rule(new()
    {
        Id = "IDT-09",
        Anchors = "OIDF: oidcc-refresh-token (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The iat of an ID token returned on refresh MUST be the time that new ID token was issued.",
        Specs = "OIDC-Core §12.2",
        Applicability = Applies,
        Remediation = "Stamp iat (and exp from it) when the refreshed ID token is issued; do not copy or back-date them.",
        Run = async c =>
        {
            var (original, renewed) = await RefreshedAsync(c).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            var skew = c.Profile.Options.ClockSkew;
            c.Precondition(renewed.TryGetPayloadValue<long>("iat", out var iat), "the refreshed ID token has no numeric iat (IDT-05 is about iat)");
            var issued = DateTimeOffset.FromUnixTimeSeconds(iat);
            var before = original.TryGetPayloadValue<long>("iat", out var originalIat) ? originalIat : (long?)null;

            c.Expect((now - issued).Duration() <= skew && !(iat < before),
                $"iat within {skew.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s of the refresh ({now:u}) and not before the original's",
                $"iat {issued:u}" + (before is null ? "" : $", original iat {DateTimeOffset.FromUnixTimeSeconds(before.Value):u}"));
        },
    });

    public static Check AuthorizedPartyKept { get; } = Define.Rule(new()
    {
        Id = "IDT-10",
        Anchors = "OIDF: oidcc-refresh-token (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The azp of an ID token returned on refresh MUST be the same as in the original ID token, and absent when the original had none.",
        Specs = "OIDC-Core §12.2",
        Applicability = Applies,
        Remediation = "Issue the refreshed ID token with the original's azp (or none when the original had none).",
        Run = async c =>
        {
            var (original, renewed) = await RefreshedAsync(c).ConfigureAwait(false);
            var (before, after) = (Azp(original), Azp(renewed));

            c.Expect(before == after, before is null ? "no azp, as in the original ID token" : $"azp '{before}', as in the original ID token",
                after is null ? "no azp" : $"azp '{after}'");
        },
    });

    public static Check NonceNotReplaced { get; } = Define.Rule(new()
    {
        Id = "IDT-11",
        Anchors = "OIDF: oidcc-refresh-token (partial)",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "An ID token returned on refresh MUST NOT carry a nonce other than the one of the original authentication request: none, or the original's.",
        Specs = "OIDC-Core §12.2; OIDC-Core §2",
        Applicability = Applies,
        Remediation = "Leave nonce out of refreshed ID tokens, or copy the original authentication's nonce unchanged; never mint one.",
        Run = async c =>
        {
            var (original, renewed) = await RefreshedAsync(c).ConfigureAwait(false);
            var before = original.TryGetPayloadValue<string>("nonce", out var n) ? n : null;
            var after = renewed.TryGetPayloadValue<string>("nonce", out var m) ? m : null;

            // Nonces are the client's own values: the verdict says whether they match, never what they are.
            c.Expect(after is null || after == before, "no nonce, or the original ID token's nonce",
                before is null ? "a nonce, although the original ID token had none" : "a nonce other than the original ID token's");
        },
    });

    /// <summary>The original ID token of a refreshable code flow and the one returned on refresh, both decoded.</summary>
    private static async Task<(JsonWebToken Original, JsonWebToken Renewed)> RefreshedAsync(CheckContext c)
    {
        var (client, tokens) = await Steps.RefreshableAsync(c).ConfigureAwait(false);
        var original = BackChannel.Jwt(tokens.IdToken);
        c.Precondition(original is not null, "the code flow returned no decodable ID token");

        var refreshed = await c.OAuth(client).RefreshAsync(tokens.RefreshToken!, ct: c.Cancellation).ConfigureAwait(false);

        c.Precondition(refreshed.IsSuccess, $"the honest refresh failed: {refreshed}");
        c.Require(refreshed.IdToken is not null, "the server returns no ID token on refresh (OIDC Core §12.2 allows that)");
        var renewed = BackChannel.Jwt(refreshed.IdToken);
        c.Precondition(renewed is not null, "the ID token returned on refresh is not a compact JWS");
        return (original!, renewed!);
    }

    private static string? Azp(JsonWebToken token) => token.TryGetPayloadValue<string>("azp", out var azp) ? azp : null;
}
