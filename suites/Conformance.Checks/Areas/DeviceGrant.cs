using Conformance.Harness.Checks;

namespace Conformance.Checks.Areas;

/// <summary>The OAuth 2.0 device authorization grant (RFC 8628): the device authorization response and polling.</summary>
public static class DeviceGrant
{
    private const string Area = "device-grant";

    /// <summary>Longer device code lifetimes are waited out only when the profile opts in (options.invasive).</summary>

    public static Check PendingBeforeApproval { get; } = Define.Rule(new()
    {
        Id = "DEV-01",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "Polled before the user has approved, the token endpoint MUST issue no tokens and answer authorization_pending, so the device keeps polling.",
        Specs = "RFC8628 §3.5; RFC8628 §3.4",
        Applicability = Devices.Applicability,
        Remediation = "While the user has not completed verification, answer the device_code grant with 400 and error 'authorization_pending'.",
        Run = async c =>
        {
            var (endpoint, client) = Devices.Require(c);
            var started = await Devices.HonestAsync(c, endpoint, client).ConfigureAwait(false);

            var tokens = await Devices.PollAsync(c, client, started.DeviceCode!).ConfigureAwait(false);

            c.Expect(!tokens.IsSuccess && tokens.Error == "authorization_pending", "HTTP 400, error 'authorization_pending', and no tokens", Steps.Describe(tokens));
        },
    });

    public static Check AuthorizationResponseComplete { get; } = Define.Rule(new()
    {
        Id = "DEV-02",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The device authorization response MUST carry device_code, user_code, verification_uri (an absolute URI) and expires_in (a positive integer).",
        Specs = "RFC8628 §3.2",
        Applicability = Devices.Applicability,
        Remediation = "Answer a device authorization request with HTTP 200 and all four REQUIRED members (interval and verification_uri_complete are OPTIONAL).",
        Run = async c =>
        {
            var (endpoint, client) = Devices.Require(c);
            var started = await Devices.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            var missing = new List<string>();
            if (started.UserCode is not { Length: > 0 }) missing.Add("user_code");
            if (!Uri.TryCreate(started.VerificationUri, UriKind.Absolute, out _)) missing.Add("verification_uri");
            if (started.ExpiresIn is not > 0) missing.Add("expires_in");

            c.Expect(missing.Count == 0, "device_code, user_code, verification_uri and expires_in", $"missing or invalid: {string.Join(", ", missing)}");
        },
    });

    public static Check UserCodeEntropy { get; } = Define.Rule(new()
    {
        Id = "DEV-03",
        Area = Area,
        // RFC 8628 §6.1: the user code "SHOULD have enough entropy" to make brute force (with rate limiting)
        // infeasible; §6.1's own example is 8 characters of a 20-letter alphabet, 34.5 bits. A SHOULD: warns.
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "The user_code SHOULD have enough entropy to resist guessing: at least 30 bits as estimated from its length and characters (separators not counted), different each time.",
        Specs = "RFC8628 §6.1; RFC8628 §5.1",
        Applicability = Devices.Applicability,
        Remediation = "Generate user codes of 8 or more characters from a CSPRNG (e.g. 8 of BCDFGHJKLMNPQRSTVWXZ, or 12 digits) and rate-limit their entry.",
        Run = async c =>
        {
            var (endpoint, client) = Devices.Require(c);
            var first = await Devices.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            var second = await Devices.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            c.Precondition(first.UserCode is { Length: > 0 } && second.UserCode is { Length: > 0 }, "the device authorization response has no user_code (DEV-02's rule)");
            var bits = Math.Min(Entropy.EstimatedBits(first.UserCode!, " -"), Entropy.EstimatedBits(second.UserCode!, " -"));

            c.Expect(bits >= 30 && first.UserCode != second.UserCode, "two different user codes of at least 30 bits each",
                $"user codes of {first.UserCode!.Length} and {second.UserCode!.Length} characters (about {bits:0} bits){(first.UserCode == second.UserCode ? ", the same twice" : "")}");
        },
        Threats = "RFC8628 §5.1",
    });

    public static Check ExpiredDeviceCodeRefused { get; } = Define.Rule(new()
    {
        Id = "DEV-04",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "Once its expires_in has passed, a device code MUST be refused with expired_token: the device authorization session has concluded.",
        Specs = "RFC8628 §3.5; RFC8628 §3.2",
        Applicability = Devices.Applicability + "; it waits out the device code's lifetime (up to 900 s), so it runs only with options.slow",
        Remediation = "Enforce the device code's lifetime at the token endpoint and answer a late poll with 400 and error 'expired_token'.",
        Run = async c =>
        {
            var (endpoint, client) = Devices.Require(c);
            var started = await Devices.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            c.Precondition(started.ExpiresIn is > 0, "the device authorization response has no positive expires_in (DEV-02's rule)");
            var lifetime = started.ExpiresIn!.Value;
            c.Require(lifetime <= 900, $"the device code lives {lifetime} s, longer than this check waits (900 s)");

            await c.WaitAsync(TimeSpan.FromSeconds(lifetime + 2)).ConfigureAwait(false);
            var tokens = await Devices.PollAsync(c, client, started.DeviceCode!).ConfigureAwait(false);

            c.Expect(!tokens.IsSuccess && tokens.Error == "expired_token", "HTTP 400, error 'expired_token', and no tokens", Steps.Describe(tokens));
        },
        Slow = true,
    });

    public static Check DeviceCodeUnguessable { get; } = Define.Rule(new()
    {
        Id = "DEV-05",
        Anchors = "OAuch: Tokens/DeviceCodeEntropyTest",
        Area = Area,
        // The device code is a credential never shown to the user: RFC 6749 §10.10's MUST (a guess succeeds with
        // probability 2^-128 at most) applies, as RFC 8628 §5.2 on device code brute forcing points out.
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A device_code MUST be infeasible to guess: at least 128 bits as estimated from its characters, and different each time.",
        Specs = "RFC8628 §5.2; RFC6749 §10.10",
        Applicability = Devices.Applicability,
        Remediation = "Generate device codes from a CSPRNG with 128 bits or more (e.g. 32 random bytes, base64url).",
        Run = async c =>
        {
            var (endpoint, client) = Devices.Require(c);
            var first = await Devices.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            var second = await Devices.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            var bits = Math.Min(Entropy.EstimatedBits(first.DeviceCode!), Entropy.EstimatedBits(second.DeviceCode!));

            c.Expect(bits >= 128 && first.DeviceCode != second.DeviceCode, "two different device codes of at least 128 bits each",
                $"device codes of {first.DeviceCode!.Length} and {second.DeviceCode!.Length} characters (about {bits:0} bits){(first.DeviceCode == second.DeviceCode ? ", the same twice" : "")}");
        },
        Threats = "RFC8628 §5.2",
    });

    public static Check DeviceCodeSingleUse { get; } = Define.Rule(new()
    {
        Id = "DEV-06",
        Area = Area,
        // RFC 8628 names no clause for a second redemption; a device code is a one-time grant like a code (RFC 6749
        // §10.5), and §3.5's "the device authorization session has concluded" ends it. No MUST: a second set of
        // tokens for the same device code warns.
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "A device code SHOULD give tokens once: after the user allowed the device and the device redeemed it, a further poll gets no tokens.",
        Specs = "RFC8628 §3.5; RFC6749 §10.5",
        Applicability = Devices.Applicability + ", verification_uri_complete, and a login driver that walks pages (form, browser)",
        Remediation = "Mark the device code redeemed when its tokens are issued; answer a later poll with invalid_grant (or expired_token).",
        Run = async c =>
        {
            var (endpoint, client) = Devices.Require(c);
            var started = await Devices.HonestAsync(c, endpoint, client).ConfigureAwait(false);
            await Devices.ApprovedAsync(c, client, started).ConfigureAwait(false);

            var replay = await Devices.PollAsync(c, client, started.DeviceCode!).ConfigureAwait(false);

            c.Expect(!replay.IsSuccess, "an error (invalid_grant) and no tokens for a device code already redeemed", Steps.Describe(replay));
        },
        Threats = "RFC8628 §5.2",
    });
}
