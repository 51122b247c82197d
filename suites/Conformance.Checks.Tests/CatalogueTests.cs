using Conformance.Harness.Checks;

namespace Conformance.Checks.Tests;

/// <summary>The catalogue as data: what a reviewer reads must be complete and well formed.</summary>
public class CatalogueTests
{
    private static IEnumerable<TestCaseData> Checks() =>
        Catalogue.All.Select(c => new TestCaseData(c.Definition.Id).SetArgDisplayNames(c.Definition.Id));

    [Test]
    public void Ids_are_unique_and_stable_in_shape()
    {
        Catalogue.All.Select(c => c.Definition.Id).Should().OnlyHaveUniqueItems()
            .And.AllSatisfy(id => id.Should().MatchRegex("^[A-Z]+-[0-9]{2}$"));
    }

    [TestCaseSource(nameof(Checks))]
    public void Definition_is_complete(string id)
    {
        var d = Catalogue.Get(id).Definition;

        d.Requirement.Should().MatchRegex(@"\b(MUST|SHOULD|MAY)( NOT)?\b", "the requirement is written in RFC 2119 words");
        d.Requirement.Should().Contain(d.Level.ToString().ToUpperInvariant(), "the level matches the keyword of the requirement");
        d.Specs.Should().NotBeEmpty("every rule cites where it is written");
        d.Specs.Concat(d.Threats).Should().AllSatisfy(s => SpecLinks.IsKnown(s.Document).Should().BeTrue($"'{s.Document}' must be in the spec-link table"));
        d.Applicability.Should().NotBeNullOrWhiteSpace();
        d.Remediation.Should().NotBeNullOrWhiteSpace();
        d.Area.Should().MatchRegex("^[a-z-]+$");
    }

    [Test]
    public void Spec_references_resolve_to_links()
    {
        SpecRef.Parse("RFC7636 §4.6").Link.Should().Be(new Uri("https://www.rfc-editor.org/rfc/rfc7636.html#section-4.6"));
        SpecRef.Parse("OIDC-Core §3.1.3.7").Link.Should().Be(new Uri("https://openid.net/specs/openid-connect-core-1_0.html#rfc.section.3.1.3.7"));
        SpecRef.Parse("RFC6749").Link.Should().Be(new Uri("https://www.rfc-editor.org/rfc/rfc6749.html"));
        FluentActions.Invoking(() => SpecRef.Parse("see the RFC")).Should().Throw<FormatException>();
    }

    [Test]
    public void Committed_listing_is_current()
    {
        var root = RepositoryRoot();
        var path = Path.Combine(root, CatalogueListing.FileName);
        var generated = CatalogueListing.Markdown();
        if (Environment.GetEnvironmentVariable("CONFORMANCE_WRITE_CATALOGUE") == "1")
        {
            File.WriteAllText(path, generated);
        }

        File.Exists(path).Should().BeTrue($"{CatalogueListing.FileName} is committed at the repository root ({root})");
        File.ReadAllText(path).ReplaceLineEndings().Should().Be(generated.ReplaceLineEndings(),
            $"{CatalogueListing.FileName} must match the check definitions; regenerate it with CONFORMANCE_WRITE_CATALOGUE=1 dotnet test suites/Conformance.Checks.Tests --filter Committed_listing_is_current");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Conformance.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Conformance.sln above {TestContext.CurrentContext.TestDirectory}");
    }
}
