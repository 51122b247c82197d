using System.Globalization;
using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>What issued tokens look like: unguessable (RFC 6749 §10.10) and short-lived (RFC 6819 §5.1.5.3).</summary>
public static partial class TokenEndpoint
{
    /// <summary>RFC 6749 §10.10: the probability of guessing a token MUST be at most 2^-128.</summary>
    private const double MinimumBits = 128;

    /// <summary>The longest access token lifetime RFC 6819 §5.1.5.3's "short expiration time" is taken to allow here (Okta's default).</summary>
    private static readonly TimeSpan LongestAccessTokenLifetime = TimeSpan.FromHours(1);

    private const string EstimateMethod =
        "estimated as AUTHZ-16 does, length × bits per character of the smallest usual alphabet (hex 4, a UUID counting its 32 digits; base64url 6), over the random part: " +
        "an opaque token or a JWE as a whole, a signed JWT's jti (its other claims are predictable; its signature, not its length, stops forgery)";

    public static Check AccessTokenEntropy { get; } = Define.Rule(new()
    {
        Id = "TOK-09",
        Anchors = "OAuch: Tokens/AccessTokenEntropyMinReqTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = $"Access tokens MUST be unguessable: at least 128 bits in each of {Samples} samples, all different ({EstimateMethod}).",
        Specs = "RFC6749 §10.10; RFC6819 §5.1.4.2.2",
        Applicability = "a confidential client that gets an access token from any grant (password, code, client_credentials)",
        Remediation = "Generate access token handles (or a JWT's jti) from a CSPRNG with at least 128 bits, e.g. 32 random bytes, base64url.",
        Run = async c =>
        {
            var samples = new List<string>();
            for (var i = 0; i < Samples; i++)
            {
                var (_, tokens) = await Steps.AnyAccessTokenAsync(c).ConfigureAwait(false);
                samples.Add(tokens.AccessToken!);
            }

            ExpectUnguessable(c, "access token", samples);
        },
        Threats = "RFC6819 §4.5.3; RFC6819 §5.1.4.2.2",
    });

    public static Check RefreshTokenEntropy { get; } = Define.Rule(new()
    {
        Id = "TOK-10",
        Anchors = "OAuch: Tokens/RefreshTokenEntropyMinReqTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = $"Refresh tokens MUST be unguessable: at least 128 bits in each of {RefreshSamples} samples, all different ({EstimateMethod}).",
        Specs = "RFC6749 §10.10; RFC6819 §5.1.4.2.2",
        Applicability = "a confidential web client that gets a refresh token from the code flow (offline_access)",
        Remediation = "Generate refresh token handles from a CSPRNG with at least 128 bits, e.g. 32 random bytes, base64url.",
        Run = async c =>
        {
            var samples = new List<string>();
            for (var i = 0; i < RefreshSamples; i++)
            {
                var (_, tokens) = await Steps.RefreshableAsync(c).ConfigureAwait(false);
                samples.Add(tokens.RefreshToken!);
            }

            ExpectUnguessable(c, "refresh token", samples);
        },
        Threats = "RFC6819 §4.5.3; RFC6819 §5.1.4.2.2",
    });

    public static Check AccessTokenLifetime { get; } = Define.Rule(new()
    {
        Id = "TOK-11",
        Anchors = "OAuch: Tokens/TokenTimeoutTest",
        Area = Area,
        // No MUST bounds an access token's life: RFC 6819 §5.1.5.3 recommends short-lived tokens and RFC 9700
        // §4.14 leans on them; one hour is the bound OAuch and Okta use. A longer lifetime is a warning.
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "Access tokens SHOULD be short-lived: at most one hour, read from expires_in or else from a JWT's exp − iat.",
        Specs = "RFC6819 §5.1.5.3; RFC6749 §5.1",
        Applicability = "a confidential client that gets an access token from any grant, with expires_in or a JWT exp",
        Remediation = "Issue access tokens for an hour or less and let clients refresh them.",
        Run = async c =>
        {
            var (_, tokens) = await Steps.AnyAccessTokenAsync(c).ConfigureAwait(false);
            var (lifetime, source) = Lifetime(tokens);
            c.Require(lifetime is not null, "the token response has no expires_in and the access token is no JWT with exp: its lifetime is not observable");

            c.Expect(lifetime <= LongestAccessTokenLifetime, $"a lifetime of at most {LongestAccessTokenLifetime.TotalSeconds:0} s",
                $"{source}: {lifetime!.Value.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s");
        },
        Threats = "RFC6819 §4.6.3; RFC9700 §4.14",
    });

    /// <summary>RFC 6749 §4.1.2's recommended maximum code lifetime, and the margin the check waits beyond it.</summary>
    private static readonly TimeSpan LongestCodeLifetime = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan CodeAgeMargin = TimeSpan.FromSeconds(30);

    public static Check OldCodeRefused { get; } = Define.Rule(new()
    {
        Id = "TOK-12",
        Anchors = "OAuch: TokenEndpoint/AuthorizationCodeTimeoutTest",
        Area = Area,
        // RFC 6749 §4.1.2: a code MUST expire "shortly after it is issued"; the 10-minute maximum is RECOMMENDED, so
        // a code still honoured after 10 minutes is a warning, not a failure.
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "An authorization code SHOULD be refused once it is older than 10 minutes (RFC 6749 §4.1.2's recommended maximum lifetime): redeemed honestly 10 min 30 s after issue, it gets no tokens.",
        Specs = "RFC6749 §4.1.2",
        Applicability = "a confidential web client using the authorization code grant",
        Remediation = "Give authorization codes a lifetime of at most 10 minutes (a minute or less is common) and refuse expired ones with invalid_grant.",
        Run = async c =>
        {
            var client = c.Client("web");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);

            await c.WaitAsync(LongestCodeLifetime + CodeAgeMargin).ConfigureAwait(false);
            var tokens = await c.OAuth(client).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, authorization.Verifier, ct: c.Cancellation).ConfigureAwait(false);

            Steps.ExpectRefused(c, tokens, $"no tokens for a code {(LongestCodeLifetime + CodeAgeMargin).TotalSeconds:0} s old (HTTP 400, error 'invalid_grant')", "invalid_grant");
        },
        Threats = "RFC6819 §4.4.1.1; RFC6819 §5.1.5.3",
        Slow = true,
    });

    private const int Samples = 3;

    /// <summary>Refresh tokens each cost a login, so fewer samples.</summary>
    private const int RefreshSamples = 2;

    private static void ExpectUnguessable(CheckContext c, string kind, List<string> samples)
    {
        var estimates = samples.Select(RandomPart).ToList();
        var estimable = estimates.Where(e => e.Value is not null).ToList();
        c.Require(estimable.Count > 0, $"every {kind} is a signed JWT without jti: its unguessability rests on the signature, which no length estimate judges");
        var bits = estimable.Min(e => AuthorizationEndpoint.ApparentBits(e.Value!));
        var distinct = samples.Distinct(StringComparer.Ordinal).Count() == samples.Count;
        var parts = string.Join(", ", estimable.Select(e => e.Part).Distinct());

        c.Expect(bits >= MinimumBits && distinct, $"{samples.Count} different {kind}s of at least {MinimumBits:0} bits each",
            $"{parts} of {string.Join(", ", estimable.Select(e => e.Value!.Length))} characters (about {bits:0} bits){(distinct ? "" : $", the same {kind} issued twice")}");
    }

    /// <summary>The part of a token that must carry the randomness (see <see cref="EstimateMethod"/>), or null when a signed JWT has no jti.</summary>
    private static (string? Value, string Part) RandomPart(string token)
    {
        if (token.Count(ch => ch == '.') == 4)
        {
            return (token.Replace(".", "", StringComparison.Ordinal), "JWE");
        }

        if (BackChannel.Jwt(token) is not { } jwt)
        {
            return (token, "opaque token");
        }

        return jwt.TryGetPayloadValue<string>("jti", out var jti) && !string.IsNullOrEmpty(jti) ? (jti, "JWT jti") : (null, "JWT without jti");
    }

    private static (TimeSpan? Lifetime, string Source) Lifetime(TokenResponse tokens)
    {
        if (tokens.ExpiresIn is { } seconds)
        {
            return (TimeSpan.FromSeconds(seconds), "expires_in");
        }

        if (BackChannel.Jwt(tokens.AccessToken) is { } jwt && jwt.TryGetPayloadValue<long>("exp", out var exp))
        {
            var from = jwt.TryGetPayloadValue<long>("iat", out var iat) ? iat : DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            return (TimeSpan.FromSeconds(exp - from), "the access token's exp − iat");
        }

        return (null, "");
    }
}
