using System.Net;
using System.Text.Json.Nodes;
using Conformance.Harness.Checks;
using Conformance.Harness.Target;
using OtpNet;

namespace Conformance.Checks.Areas;

/// <summary>
/// Okta's Authentication API beyond sign-in: self-service recovery must not enumerate accounts, and a transaction's
/// stateToken ends with the transaction (success, cancel, expiry).
/// </summary>
public static partial class AuthnApi
{
    private const string WithTotpUser = Exposed + " and a test user enrolled in a TOTP factor (totpSecret in the profile)";

    public static Check PasswordRecoveryNoEnumeration { get; } = Define.Rule(new()
    {
        Id = "AUTHN-06",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "Password recovery (/api/v1/authn/recovery/password) SHOULD answer a known and an unknown username with the same status and body, so accounts cannot be enumerated.",
        Specs = "RFC6819 §4.4.3.6; Okta-Authn",
        Applicability = Exposed + " with self-service password recovery; invasive (a real user may be sent a recovery email)",
        Remediation = "Answer every recovery request with the same Recovery Transaction (RECOVERY_CHALLENGE) whether or not the username exists, as Okta does for public apps.",
        Run = c => ExpectSameRecoveryAnswerAsync(c, "password"),
        Threats = "RFC6819 §4.4.3.6",
        Invasive = true,
        PerTarget = true,
    });

    public static Check UnlockNoEnumeration { get; } = Define.Rule(new()
    {
        Id = "AUTHN-07",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "Account unlock (/api/v1/authn/recovery/unlock) SHOULD answer a known and an unknown username with the same status and body, so accounts cannot be enumerated.",
        Specs = "RFC6819 §4.4.3.6; Okta-Authn",
        Applicability = Exposed + " with self-service account unlock; invasive (a real user may be sent an unlock email)",
        Remediation = "Answer every unlock request with the same Recovery Transaction whether or not the username exists.",
        Run = c => ExpectSameRecoveryAnswerAsync(c, "unlock"),
        Threats = "RFC6819 §4.4.3.6",
        Invasive = true,
        PerTarget = true,
    });

    public static Check StateTokenSpentOnSuccess { get; } = Define.Rule(new()
    {
        Id = "AUTHN-08",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "A stateToken whose transaction ended in SUCCESS SHOULD not be usable again: verifying the factor a second time with it gets no sessionToken.",
        Specs = "Okta-Authn; RFC6819 §5.1.5.4",
        Applicability = WithTotpUser,
        Remediation = "End the transaction when it succeeds and answer its stateToken with 401 E0000011 from then on.",
        Run = async c =>
        {
            var (endpoint, user) = await TotpUserAsync(c).ConfigureAwait(false);
            var (stateToken, verify) = await MfaTransactionAsync(c, endpoint, user).ConfigureAwait(false);
            var first = await PostAsync(c, verify, new JsonObject { ["stateToken"] = stateToken, ["passCode"] = CurrentCode(user) }).ConfigureAwait(false);
            c.Precondition(first.TransactionStatus == "SUCCESS", $"the honest factor verification did not succeed: {first}");

            var again = await PostAsync(c, verify, new JsonObject { ["stateToken"] = stateToken, ["passCode"] = CurrentCode(user) }).ConfigureAwait(false);

            c.Expect(again.TransactionStatus != "SUCCESS" && again.String("sessionToken") is null, "HTTP 401 E0000011: the transaction is over", again.ToString());
        },
        Threats = "RFC6819 §5.1.5.4",
        PerTarget = true,
    });

    public static Check CancelRevokesStateToken { get; } = Define.Rule(new()
    {
        Id = "AUTHN-09",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "After POST /api/v1/authn/cancel the transaction's stateToken MUST NOT be usable: a correct passCode with it gets no sessionToken.",
        Specs = "Okta-Authn",
        Applicability = WithTotpUser,
        Remediation = "Revoke the stateToken when its transaction is cancelled, and answer it with 401 E0000011.",
        Run = async c =>
        {
            var (endpoint, user) = await TotpUserAsync(c).ConfigureAwait(false);
            var (stateToken, verify) = await MfaTransactionAsync(c, endpoint, user).ConfigureAwait(false);
            var cancel = await PostAsync(c, new Uri(endpoint, "authn/cancel"), new JsonObject { ["stateToken"] = stateToken }).ConfigureAwait(false);
            c.Require(cancel.Status is not (HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed), $"the target has no /api/v1/authn/cancel ({cancel})");
            c.Precondition(cancel.Status == HttpStatusCode.OK, $"cancelling the transaction failed: {cancel}");

            var after = await PostAsync(c, verify, new JsonObject { ["stateToken"] = stateToken, ["passCode"] = CurrentCode(user) }).ConfigureAwait(false);

            c.Expect(after.TransactionStatus != "SUCCESS" && after.String("sessionToken") is null, "HTTP 401 E0000011: the cancelled transaction's stateToken is revoked", after.ToString());
        },
        Threats = "RFC6819 §5.1.5.4",
        PerTarget = true,
    });

    public static Check StateTokenShortLived { get; } = Define.Rule(new()
    {
        Id = "AUTHN-10",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "An MFA_REQUIRED transaction SHOULD expire within an hour: expiresAt at most 60 minutes (plus 60 s of clock skew) after the response's Date.",
        Specs = "Okta-Authn; RFC6819 §5.1.5.3",
        Applicability = WithTotpUser,
        Remediation = "Give authentication transactions (stateTokens) a lifetime of minutes, as Okta does.",
        Run = async c =>
        {
            var (endpoint, user) = await TotpUserAsync(c).ConfigureAwait(false);
            var primary = await PostAsync(c, endpoint, Credentials(user.Username, user.Password.Reveal())).ConfigureAwait(false);
            c.Precondition(primary.Status == HttpStatusCode.OK && primary.TransactionStatus == "MFA_REQUIRED", $"the primary authentication of '{user.Username}' did not ask for a factor: {primary}");
            c.Target.Http.Redactor.AddArtefact(primary.String("stateToken"));
            var expiresAt = primary.String("expiresAt");
            c.Precondition(DateTimeOffset.TryParse(expiresAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var expires), $"the MFA_REQUIRED transaction has no readable expiresAt ('{expiresAt}')");
            var issued = primary.Date ?? DateTimeOffset.UtcNow;

            c.Expect(expires - issued <= TimeSpan.FromMinutes(61), "expiresAt at most 60 min (+60 s skew) after the response Date",
                $"expiresAt {expires:u}, Date {issued:u}: {(expires - issued).TotalMinutes:0} min");
        },
        Threats = "RFC6819 §5.1.5.3",
        PerTarget = true,
    });

    /// <summary>The same request for a known and an unknown username at /api/v1/authn/recovery/{kind}, compared.</summary>
    private static async Task ExpectSameRecoveryAnswerAsync(CheckContext c, string kind)
    {
        var endpoint = new Uri(await AuthnEndpointAsync(c, AnyServer(c)).ConfigureAwait(false), $"authn/recovery/{kind}");
        var user = Pick.SpareUser(c);
        var unknownName = UnknownUser();
        var known = await PostAsync(c, endpoint, new JsonObject { ["username"] = user.Username, ["factorType"] = "EMAIL" }).ConfigureAwait(false);
        c.Require(known.Status is not (HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed), $"the target has no {endpoint.AbsolutePath} ({known})");
        var unknown = await PostAsync(c, endpoint, new JsonObject { ["username"] = unknownName, ["factorType"] = "EMAIL" }).ConfigureAwait(false);

        // The username each request sent is set aside: echoing it tells nothing about the account.
        var (knownBody, unknownBody) = (known.Comparable([user.Username]), unknown.Comparable([unknownName]));
        c.Expect(known.Status == unknown.Status && knownBody == unknownBody, "the same status and body for a known and an unknown username",
            $"known user: {known} {knownBody}; unknown user: {unknown} {unknownBody}");
    }

    private static async Task<(Uri Endpoint, UserProfile User)> TotpUserAsync(CheckContext c)
    {
        var endpoint = await AuthnEndpointAsync(c, AnyServer(c)).ConfigureAwait(false);
        var user = c.Profile.Users.FirstOrDefault(u => u.TotpSecret is not null);
        c.Require(user is not null, "no test user has a totpSecret in the profile");
        return (endpoint, user!);
    }

    /// <summary>Primary authentication of a TOTP user: the MFA_REQUIRED stateToken and the TOTP factor's verify link.</summary>
    private static async Task<(string StateToken, Uri Verify)> MfaTransactionAsync(CheckContext c, Uri endpoint, UserProfile user)
    {
        var primary = await PostAsync(c, endpoint, Credentials(user.Username, user.Password.Reveal())).ConfigureAwait(false);
        c.Precondition(primary.Status == HttpStatusCode.OK && primary.TransactionStatus == "MFA_REQUIRED", $"the primary authentication of '{user.Username}' did not ask for a factor: {primary}");
        var stateToken = primary.String("stateToken");
        var verify = TotpVerifyLink(primary.Json);
        c.Precondition(stateToken is not null && verify is not null, "MFA_REQUIRED without a stateToken or a token:software:totp factor with a verify link");
        c.Target.Http.Redactor.AddArtefact(stateToken);
        return (stateToken!, verify!);
    }

    private static string CurrentCode(UserProfile user) => new Totp(Base32Encoding.ToBytes(user.TotpSecret!.Reveal())).ComputeTotp(DateTime.UtcNow);
}
