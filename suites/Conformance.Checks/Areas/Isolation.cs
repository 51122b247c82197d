using System.Net;
using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Checks.Areas;

/// <summary>
/// Isolation between the authorization servers of one target (an Okta org and its custom servers): each is its
/// own issuer with its own keys, and nothing one issues is honoured by another. Checked for every ordered pair.
/// </summary>
public static class Isolation
{
    private const string Area = "isolation";
    private const string TwoServers = "at least two reachable authorization servers served by the web client";

    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    private sealed record Issued(AuthorizationServer Server, ClientProfile Client, TokenResponse? Tokens, string? Failure);

    /// <summary>Honest tokens of the web client at every server, obtained side by side.</summary>
    private static async Task<List<Issued>> TokensEverywhereAsync(CheckContext c, string scope, Func<AuthorizationServer, bool>? filter = null)
    {
        var servers = BackChannel.ServersWith(c, "web", filter);
        var issued = await c.SideBySideAsync(servers, async s =>
        {
            var (tokens, failure) = await BackChannel.TokensOnAsync(c, s.Server, s.Client, scope).ConfigureAwait(false);
            return new Issued(s.Server, s.Client, tokens, failure);
        }).ConfigureAwait(false);
        return [.. issued];
    }

    /// <summary>Whether the JWS verifies with any signing key of the server's JWKS (issuer, audience and lifetime ignored).</summary>
    private static async Task<bool> VerifiesWithAsync(string jws, AuthorizationServer server, CancellationToken ct)
    {
        var set = await server.Jwks.GetAsync(ct).ConfigureAwait(false);
        var keys = set.Keys.Where(k => k.Use is null or "sig").Cast<SecurityKey>().ToList();
        if (keys.Count == 0)
        {
            return false;
        }

        var result = await Handler.ValidateTokenAsync(jws, new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            TryAllIssuerSigningKeys = true,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
        }).ConfigureAwait(false);
        return result.IsValid;
    }

    /// <summary>
    /// Splits honest tokens into those the issuing server itself honours (<paramref name="refusedAtHome"/> answers
    /// null) and the reasons why the rest prove nothing: a refusal elsewhere means something only for a token
    /// that works where it belongs.
    /// </summary>
    private static async Task<(List<Issued> Usable, List<string> Untested)> HonouredAtHomeAsync(IEnumerable<Issued> issued, Func<Issued, Task<string?>> refusedAtHome)
    {
        var usable = new List<Issued>();
        var untested = new List<string>();
        foreach (var a in issued)
        {
            if (a.Tokens is null)
            {
                untested.Add(a.Failure!);
            }
            else if (await refusedAtHome(a).ConfigureAwait(false) is { } reason)
            {
                untested.Add(reason);
            }
            else
            {
                usable.Add(a);
            }
        }

        return (usable, untested);
    }

    /// <summary>
    /// Presents each server's one-time artefact (code, refresh token) at every other server. One that no other
    /// server accepted is then redeemed where it belongs, or the refusals proved nothing.
    /// </summary>
    private static async Task PresentElsewhereAsync<T>(
        IReadOnlyList<T> usable, Func<T, AuthorizationServer> serverOf, Func<T, T, Task<bool>> acceptedAt, Func<T, Task<string?>> refusedAtHome,
        string what, List<string> violations, List<string> untested)
    {
        foreach (var a in usable)
        {
            var accepted = false;
            foreach (var b in usable.Where(b => serverOf(b) != serverOf(a)))
            {
                if (await acceptedAt(a, b).ConfigureAwait(false))
                {
                    accepted = true;
                    violations.Add($"the {what} of '{serverOf(a).Name}' was honoured at the token endpoint of '{serverOf(b).Name}'");
                }
            }

            if (!accepted && await refusedAtHome(a).ConfigureAwait(false) is { } reason)
            {
                untested.Add($"the {what} of '{serverOf(a).Name}' was not usable at '{serverOf(a).Name}' either ({reason})");
            }
        }
    }

    public static Check IdTokenNotVerifiableElsewhere { get; } = Define.Rule(new()
    {
        Id = "ISO-01",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "An ID token of one authorization server MUST NOT verify with the signing keys of another server of the same org.",
        Specs = "RFC9700 §4.4; Okta-AuthServers; OIDC-Core §10.1",
        Applicability = TwoServers,
        Remediation = "Give every authorization server its own signing key pair (and kid); never share keys between issuers.",
        Run = async c =>
        {
            var issued = await TokensEverywhereAsync(c, "openid").ConfigureAwait(false);
            var violations = new List<string>();
            var untested = new List<string>();
            var usable = new List<Issued>();
            foreach (var a in issued)
            {
                if (a.Tokens?.IdToken is not { } idToken)
                {
                    untested.Add(a.Failure ?? $"no ID token from '{a.Server.Name}'");
                }
                else if (!await VerifiesWithAsync(idToken, a.Server, c.Cancellation).ConfigureAwait(false))
                {
                    // IDT-01/IDT-02's violation; such a token proves nothing about another server's keys.
                    c.Note($"the ID token of '{a.Server.Name}' does not verify with its own JWKS: left out");
                }
                else
                {
                    usable.Add(a);
                }
            }

            c.Require(usable.Count >= 2 || untested.Count > 0, $"fewer than two servers issue ID tokens that verify with their own JWKS ({usable.Count})");
            foreach (var (a, b) in BackChannel.Pairs(usable))
            {
                if (await VerifiesWithAsync(a.Tokens!.IdToken!, b.Server, c.Cancellation).ConfigureAwait(false))
                {
                    violations.Add($"the ID token of '{a.Server.Name}' verifies with the JWKS of '{b.Server.Name}' ({b.Server.Jwks.JwksUri})");
                }
            }

            BackChannel.Conclude(c, "each server's ID tokens verify only with its own JWKS", violations, untested);
        },
        Threats = "RFC9700 §4.4; RFC6819 §5.1.5.9",
        PerTarget = true,
    });

    public static Check AccessTokenRefusedAtOtherUserInfo { get; } = Define.Rule(new()
    {
        Id = "ISO-02",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "An access token of one authorization server MUST be refused (HTTP 401) at another server's userinfo endpoint.",
        Specs = "RFC9700 §4.4; RFC6750 §3.1; Okta-AuthServers",
        Applicability = TwoServers + ", with userinfo endpoints",
        Remediation = "Accept at each userinfo endpoint only access tokens issued by that server (issuer and audience checked).",
        Run = async c =>
        {
            var issued = await TokensEverywhereAsync(c, "openid", s => s.Metadata.UserinfoEndpoint is not null).ConfigureAwait(false);
            var violations = new List<string>();
            var (usable, untested) = await HonouredAtHomeAsync(issued, async a =>
            {
                var own = await c.OAuth(a.Client, a.Server).UserInfoAsync(a.Tokens!.AccessToken!, c.Cancellation).ConfigureAwait(false);
                return own.Status == HttpStatusCode.OK ? null : $"the access token of '{a.Server.Name}' is refused at its own userinfo endpoint ({own})";
            }).ConfigureAwait(false);

            foreach (var (a, b) in BackChannel.Pairs(usable))
            {
                var response = await c.OAuth(b.Client, b.Server).UserInfoAsync(a.Tokens!.AccessToken!, c.Cancellation).ConfigureAwait(false);
                if (response.Status != HttpStatusCode.Unauthorized)
                {
                    violations.Add($"the access token of '{a.Server.Name}' at the userinfo endpoint of '{b.Server.Name}': {response}");
                }
            }

            BackChannel.Conclude(c, "HTTP 401 at every other server's userinfo endpoint", violations, untested);
        },
        Threats = "RFC9700 §4.4; RFC6819 §4.6.4",
        PerTarget = true,
    });

    public static Check AccessTokenInactiveAtOtherIntrospection { get; } = Define.Rule(new()
    {
        Id = "ISO-03",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "An access token of one authorization server MUST be reported inactive by another server's introspection endpoint.",
        Specs = "RFC7662 §2.2; RFC9700 §4.4; Okta-AuthServers",
        Applicability = TwoServers + ", with introspection endpoints",
        Remediation = "Introspect only tokens this server issued; report every other token as {\"active\": false}.",
        Run = async c =>
        {
            var issued = await TokensEverywhereAsync(c, "openid", s => s.Metadata.IntrospectionEndpoint is not null).ConfigureAwait(false);
            var violations = new List<string>();
            var (usable, untested) = await HonouredAtHomeAsync(issued, async a =>
            {
                // Live at home: by its own introspection, or by userinfo where that declines its access tokens (RFC 7662
                // leaves the token types to the server; a JWT is meant to be validated locally, RFC 9068 §4).
                var (live, observed) = await BackChannel.AccessTokenLiveAsync(c, c.OAuth(a.Client, a.Server), a.Tokens!.AccessToken!).ConfigureAwait(false);
                return live ? null : $"the access token of '{a.Server.Name}' is not live at its own server ({observed})";
            }).ConfigureAwait(false);

            foreach (var (a, b) in BackChannel.Pairs(usable))
            {
                var response = await c.OAuth(b.Client, b.Server).IntrospectAsync(a.Tokens!.AccessToken!, "access_token", ct: c.Cancellation).ConfigureAwait(false);
                if (response.Active != false)
                {
                    violations.Add($"the access token of '{a.Server.Name}' at the introspection endpoint of '{b.Server.Name}': {response}");
                }
            }

            BackChannel.Conclude(c, "active false at every other server's introspection endpoint", violations, untested);
        },
        Threats = "RFC9700 §4.4; RFC6819 §4.6.4",
        PerTarget = true,
    });

    public static Check CodeRefusedAtOtherServer { get; } = Define.Rule(new()
    {
        Id = "ISO-04",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "An authorization code of one authorization server MUST be refused at another server's token endpoint.",
        Specs = "RFC6749 §4.1.3; RFC9700 §4.4; Okta-AuthServers",
        Applicability = TwoServers,
        Remediation = "Bind codes to the server that issued them; a token endpoint redeems only its own codes.",
        Run = async c =>
        {
            var servers = BackChannel.ServersWith(c, "web");
            var codes = await c.SideBySideAsync(servers, async s =>
            {
                var (authorization, failure) = await BackChannel.CodeOnAsync(c, s.Server, s.Client).ConfigureAwait(false);
                return (s.Server, s.Client, authorization, failure);
            }).ConfigureAwait(false);
            var violations = new List<string>();
            var untested = codes.Where(x => x.authorization is null).Select(x => x.failure!).ToList();
            var usable = codes.Where(x => x.authorization is not null).ToList();
            await PresentElsewhereAsync(
                usable,
                x => x.Server,
                async (a, b) => (await c.OAuth(b.Client, b.Server).RedeemCodeAsync(a.authorization!.Code, a.authorization.Request.RedirectUri, a.authorization.Verifier, ct: c.Cancellation).ConfigureAwait(false)).IsSuccess,
                async a =>
                {
                    var own = await c.OAuth(a.Client, a.Server).RedeemCodeAsync(a.authorization!.Code, a.authorization.Request.RedirectUri, a.authorization.Verifier, ct: c.Cancellation).ConfigureAwait(false);
                    return own.IsSuccess ? null : own.ToString();
                },
                "code", violations, untested).ConfigureAwait(false);

            BackChannel.Conclude(c, "every other server's token endpoint refuses the code (invalid_grant)", violations, untested);
        },
        Threats = "RFC9700 §4.4; RFC6819 §4.4.1.1",
        PerTarget = true,
    });

    public static Check RefreshTokenRefusedAtOtherServer { get; } = Define.Rule(new()
    {
        Id = "ISO-05",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "A refresh token of one authorization server MUST be refused at another server's token endpoint.",
        Specs = "RFC6749 §6; RFC9700 §4.4; Okta-AuthServers",
        Applicability = TwoServers + " that support the refresh_token grant",
        Remediation = "Bind refresh tokens to the server that issued them; a token endpoint refreshes only its own tokens.",
        Run = async c =>
        {
            var issued = await TokensEverywhereAsync(c, "openid offline_access", s => Offering.MayOffer(s, c.Profile, "refresh_token")).ConfigureAwait(false);
            c.Require(issued.Count(a => a.Tokens?.RefreshToken is not null) >= 2 || issued.Any(a => a.Tokens is null),
                "fewer than two servers issued a refresh token for the code flow with offline_access; issuing one is each server's policy (OIDC Core §11)");
            var violations = new List<string>();
            var untested = issued.Where(a => a.Tokens?.RefreshToken is null).Select(a => a.Failure ?? $"no refresh token from '{a.Server.Name}'").ToList();
            var usable = issued.Where(a => a.Tokens?.RefreshToken is not null).ToList();
            await PresentElsewhereAsync(
                usable,
                x => x.Server,
                async (a, b) => (await c.OAuth(b.Client, b.Server).RefreshAsync(a.Tokens!.RefreshToken!, ct: c.Cancellation).ConfigureAwait(false)).IsSuccess,
                async a =>
                {
                    var own = await c.OAuth(a.Client, a.Server).RefreshAsync(a.Tokens!.RefreshToken!, ct: c.Cancellation).ConfigureAwait(false);
                    return own.IsSuccess ? null : own.ToString();
                },
                "refresh token", violations, untested).ConfigureAwait(false);

            BackChannel.Conclude(c, "every other server's token endpoint refuses the refresh token (invalid_grant)", violations, untested);
        },
        Threats = "RFC9700 §4.4; RFC6819 §5.2.2.2",
        PerTarget = true,
    });

    public static Check AccessTokenAudienceIsOwn { get; } = Define.Rule(new()
    {
        Id = "ISO-06",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A JWT access token of a custom authorization server MUST carry that server's configured audience and no other.",
        Specs = "RFC9068 §3; RFC9700 §2.3; Okta-AuthServers",
        Applicability = "servers whose profile names an audience and whose access tokens are JWTs",
        Remediation = "Set each server's access token aud to its own configured audience only.",
        Run = async c =>
        {
            // Every grant that yields an access token here: the web client's code flow and the service client's
            // client credentials (some servers issue JWTs to one and opaque tokens to the other).
            var servers = BackChannel.AvailableServers(c).Where(s => s.Profile.Audience is not null).ToList();
            c.Require(servers.Count > 0, "no reachable server has an audience in the profile");
            var issued = (await c.SideBySideAsync(servers, s => AccessTokensOnAsync(c, s)).ConfigureAwait(false)).SelectMany(x => x).ToList();
            c.Require(issued.Count > 0, "no server with an audience in the profile is served by a 'web' or 'service' client of the profile");

            var violations = new List<string>();
            var untested = issued.Where(a => a.Tokens is null).Select(a => a.Failure!).ToList();
            var checkedAny = false;
            foreach (var a in issued.Where(a => a.Tokens is not null))
            {
                if (BackChannel.Jwt(a.Tokens!.AccessToken) is not { } jwt)
                {
                    c.Note($"the access tokens of '{a.Server.Name}' for '{a.Client.ClientId}' are not JWTs");
                    continue;
                }

                checkedAny = true;
                var audiences = jwt.Audiences.ToList();
                if (audiences.Count != 1 || audiences[0] != a.Server.Profile.Audience)
                {
                    violations.Add($"the access token of '{a.Server.Name}' for '{a.Client.ClientId}' has aud [{string.Join(", ", audiences)}], expected [{a.Server.Profile.Audience}]");
                }
            }

            c.Require(checkedAny || untested.Count > 0, "no server with an audience issues JWT access tokens");
            BackChannel.Conclude(c, "aud is exactly the server's configured audience", violations, untested);
        },
        Threats = "RFC9700 §4.4; RFC6819 §5.1.5.5",
        PerTarget = true,
    });

    /// <summary>Access tokens from the web client's code flow and the service client's client credentials at one server, each with its failure.</summary>
    private static async Task<List<Issued>> AccessTokensOnAsync(CheckContext c, AuthorizationServer server)
    {
        var issued = new List<Issued>();
        if (c.Profile.Client("web") is { } web && web.ServesServer(server.Name))
        {
            var (tokens, failure) = await BackChannel.TokensOnAsync(c, server, web).ConfigureAwait(false);
            issued.Add(new Issued(server, web, tokens, failure));
        }

        if (c.Profile.Client("service") is { IsConfidential: true } service && service.ServesServer(server.Name)
            && Offering.MayOffer(server, c.Profile, "client_credentials") && BackChannel.ServiceScope(server, service) is { } scope)
        {
            var tokens = await c.OAuth(service, server).ClientCredentialsAsync(scope, ct: c.Cancellation).ConfigureAwait(false);
            if (tokens.IsSuccess || Offering.RefusedAsNotOffered(server, "client_credentials", tokens) is null)
            {
                issued.Add(new Issued(server, service, tokens.IsSuccess ? tokens : null, tokens.IsSuccess ? null : $"the honest client_credentials grant at '{server.Name}' failed: {tokens}"));
            }
        }

        return issued;
    }
}
