using Conformance.Harness.Target;

namespace Conformance.Suites.Run;


/// <summary>
/// The server names of the configured target, read while NUnit discovers tests (before any setup runs) so
/// that every check becomes one test per server, filterable as <c>server:NAME</c>. Secrets are not resolved
/// here; the real validation happens in <see cref="TargetRun"/>.
/// </summary>
public static class Servers
{
    private static readonly Lazy<IReadOnlyList<string>> Names = new(Read);

    public static IEnumerable<TestCaseData> All() =>
        Names.Value.Select(name => new TestCaseData(name).SetArgDisplayNames(name).SetCategory("server:" + name));

    private static IReadOnlyList<string> Read()
    {
        var configured = RunParameters.TargetProfile;
        var path = configured is null ? TargetRun.ReferenceProfilePath : RunParameters.ResolvePath(configured);
        try
        {
            var profile = TargetProfileLoader.LoadFile(path, _ => "unresolved", new Dictionary<string, string> { ["embedded"] = "http://127.0.0.1" });
            return profile.Servers.Select(s => s.Name).ToList();
        }
        catch (TargetProfileException)
        {
            // Reported with every problem by TargetRun; one placeholder keeps the tests visible meanwhile.
            return ["(invalid profile)"];
        }
    }
}
