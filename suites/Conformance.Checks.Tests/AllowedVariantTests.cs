using System.Collections.Concurrent;
using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.ReferenceIssuer;

namespace Conformance.Checks.Tests;

/// <summary>
/// The mirror image of the detection matrix: under each allowed variant of the reference issuer (behaviour the
/// specifications permit, see <see cref="Variants"/>) the whole catalogue must give no failure, no warning and nothing
/// inconclusive. A check may be not applicable where the variant legitimately takes its feature away (no refresh
/// token, say); those are listed in the output. The conformant issuer gives no warning either (DetectionMatrixTests),
/// so any warning here is the variant's doing, and the harness's error.
/// </summary>
[TestFixture]
[Category("variants")]
public class AllowedVariantTests
{
    /// <summary>What each variant is about: checks that must still pass (on every server they apply to), and checks that must become not applicable.</summary>
    private static readonly IReadOnlyDictionary<string, (string[] Pass, string[] NotApplicable)> Expected = new Dictionary<string, (string[], string[])>
    {
        // RFC 6749 §3.3 / OIDC Core §3.1.2.1: ignoring the unknown scope is one of the two answers AUTHZ-06 accepts.
        [Variants.UnknownScopeIgnored] = (["AUTHZ-06"], []),
        // The harness sends prompt=consent with offline_access (OIDC Core §11), so refresh tokens still come.
        [Variants.RefreshNeedsPromptConsent] = (["RT-01", "RT-02", "RT-03", "RT-06", "RT-07", "RT-08", "REV-01", "REV-05"], []),
        // No refresh token: the refresh checks do not apply; revocation falls back to access tokens.
        [Variants.NoRefreshTokens] = (["REV-02", "REV-03", "REV-04", "REV-06", "RT-04", "RT-05"], ["RT-01", "RT-02", "RT-03", "RT-06", "RT-07", "RT-08", "REV-01", "REV-05"]),
        // Access tokens are told live by userinfo where introspection declines them.
        [Variants.IntrospectionDeclinesAccessTokens] = (["INT-01", "INT-03", "REV-01", "REV-04", "REV-05", "REV-06"], []),
        // The login driver confirms the OP's logout page (RP-Initiated Logout §2).
        [Variants.LogoutConfirmation] = (["LO-01", "LO-02", "LO-03", "LO-04"], []),
        // Every check that signs in with the web client (consent required) goes through the one-button page.
        [Variants.ConsentContinueOnly] = (["AUTHZ-05", "CODE-01", "LO-03", "REV-01"], []),
        // Errors that echo the request: the token error's shape (error_description within RFC 6749 §5.2's characters),
        // an error redirect (and its error_description within RFC 6749 §4.1.2.1's), a wrong client secret (its Basic credential echoed), a password grant.
        [Variants.EchoRequest] = (["CODE-10", "AUTHZ-06", "AUTHZ-25", "CODE-06", "PW-01"], []),
    };

    private static readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<CheckResult>>>> Runs = new(StringComparer.Ordinal);

    private static IEnumerable<TestCaseData> VariantNames() =>
        Variants.Registry.Keys.Order(StringComparer.Ordinal).Select(v => new TestCaseData(v).SetArgDisplayNames(v));

    [TestCaseSource(nameof(VariantNames))]
    public async Task The_catalogue_neither_fails_nor_warns_nor_is_inconclusive_under_the_variant(string variant)
    {
        var results = await ResultsAsync(variant);
        foreach (var r in results.Where(r => r.Outcome == Outcome.NotApplicable).OrderBy(r => r.Definition.Id, StringComparer.Ordinal))
        {
            TestContext.Out.WriteLine($"not applicable under {variant}: {r}");
        }

        string.Join(Environment.NewLine, results.Where(r => r.Outcome is Outcome.Fail or Outcome.Warning or Outcome.Inconclusive)
                .Select(r => $"{r} (expected {r.Expected}; observed {r.Observed})"))
            .Should().BeEmpty($"'{variant}' is allowed ({Variants.Registry[variant]}); a check that fails, warns or gives up on it is a harness defect");

        var (pass, notApplicable) = Expected[variant];
        foreach (var id in pass)
        {
            var ofCheck = results.Where(r => r.Definition.Id == id).ToList();
            ofCheck.Should().Contain(r => r.Outcome == Outcome.Pass, $"{id} is what '{variant}' exercises and must still reach a verdict");
        }

        foreach (var id in notApplicable)
        {
            results.Where(r => r.Definition.Id == id).Should().OnlyContain(r => r.Outcome == Outcome.NotApplicable,
                $"{id} needs what '{variant}' legitimately takes away");
        }
    }

    [Test]
    public async Task Under_echo_request_no_verdict_or_exchange_holds_a_secret_in_any_encoding()
    {
        var results = await ResultsAsync(Variants.EchoRequest);
        var hostile = SeedSecrets.Hostile();
        var clients = new Dictionary<string, string> { ["web-app"] = "REFERENCE_SECRET_WEB_APP", ["web-app-2"] = "REFERENCE_SECRET_WEB_APP_2", ["svc-app"] = "REFERENCE_SECRET_SVC_APP", ["trusted-app"] = "REFERENCE_SECRET_TRUSTED_APP" };
        var needles = hostile.SelectMany(s => SecretForms.Of(s.Value).Select(f => (Name: s.Key, f.Form, f.Text)))
            .Concat(clients.SelectMany(c => SecretForms.OfBasicCredentials(c.Key, hostile[c.Value]).Select(f => (Name: c.Value + " (Basic)", f.Form, f.Text))))
            .ToList();
        var written = results.Select(r => string.Join('\n', [r.ToString(), r.Expected ?? "", r.Observed ?? "", .. r.Notes, .. r.Exchanges.Select(e => e.ToString())])).ToList();

        written.Should().Contain(w => w.Contains("you sent:", StringComparison.Ordinal), "the issuer echoed requests into its answers");
        var found = needles.Where(n => written.Any(w => w.Contains(n.Text, StringComparison.Ordinal))).Select(n => $"{n.Name} ({n.Form})").Distinct().ToList();
        found.Should().BeEmpty("every secret the harness sent is masked wherever the server echoed it");
    }

    [Test]
    public void Every_variant_says_what_it_exercises() =>
        Expected.Keys.Should().BeEquivalentTo(Variants.Registry.Keys);

    [Test]
    public void Variants_and_faults_do_not_share_names() =>
        Variants.Registry.Keys.Intersect(Faults.Registry.Keys).Should().BeEmpty("a variant is allowed behaviour, a fault broken behaviour");

    private static Task<IReadOnlyList<CheckResult>> ResultsAsync(string variant) =>
        Runs.GetOrAdd(variant, v => new Lazy<Task<IReadOnlyList<CheckResult>>>(() => RunAndWriteAsync(v))).Value;

    /// <summary>Runs the catalogue and keeps every verdict with its notes next to the test results, for a reviewer.</summary>
    private static async Task<IReadOnlyList<CheckResult>> RunAndWriteAsync(string variant)
    {
        // Under echo-request the seed's secrets are the hostile ones: what the server echoes must not reach a verdict.
        var secrets = variant == Variants.EchoRequest ? SeedSecrets.Hostile() : null;
        var results = await CatalogueRun.RunAsync(new HashSet<string>(), new HashSet<string> { variant }, CancellationToken.None, secrets).ConfigureAwait(false);
        var directory = Path.Combine(Directory.GetCurrentDirectory(), "conformance-artifacts", "allowed-variants");
        Directory.CreateDirectory(directory);
        var lines = results.OrderBy(r => r.Definition.Id, StringComparer.Ordinal).ThenBy(r => r.Server, StringComparer.Ordinal)
            .Select(r => r + (r.Observed is null ? "" : $" | observed: {r.Observed}") + string.Concat(r.Notes.Select(n => $" | note: {n}")));
        await File.WriteAllLinesAsync(Path.Combine(directory, variant + ".txt"), [$"# {variant}: {Variants.Registry[variant]}", .. lines]).ConfigureAwait(false);
        return results;
    }
}
