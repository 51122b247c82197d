using Conformance.Harness.Target;

namespace Conformance.Suites.Run;


/// <summary>
/// The server names of the configured target, read while NUnit discovers tests (before any setup runs) so
/// that every check becomes one test per server, filterable as <c>server:NAME</c>. Secrets are not resolved
/// here; the real validation happens in <see cref="TargetRun"/>.
/// </summary>
public static class Servers
{
    private static readonly Lazy<(IReadOnlyList<string> Servers, IReadOnlyList<string> Drivers)> Profile = new(Read);

    public static IReadOnlyList<string> Names => Profile.Value.Servers;

    /// <summary>One case per server.</summary>
    public static IEnumerable<TestCaseData> All() =>
        Profile.Value.Servers.Select(name => new TestCaseData(name).SetArgDisplayNames(name).SetCategory("server:" + name));

    /// <summary>One case per server and login driver, for the flows that put a user through the front channel.</summary>
    public static IEnumerable<TestCaseData> WithDrivers() =>
        from server in Profile.Value.Servers
        from driver in Profile.Value.Drivers
        select new TestCaseData(server, driver).SetArgDisplayNames(server, driver).SetCategory("server:" + server).SetCategory("driver:" + driver);

    /// <summary>
    /// One case per driver on the first server: for what belongs to the org rather than to a server (the second
    /// factor), where repeating it per server would only spend the test user's one-time codes.
    /// </summary>
    public static IEnumerable<TestCaseData> DriversOnFirstServer() =>
        from driver in Profile.Value.Drivers
        let server = Profile.Value.Servers[0]
        select new TestCaseData(server, driver).SetArgDisplayNames(server, driver).SetCategory("server:" + server).SetCategory("driver:" + driver);

    private static (IReadOnlyList<string>, IReadOnlyList<string>) Read()
    {
        var configured = RunParameters.TargetProfile;
        var path = configured is null ? RunParameters.ReferenceProfile ?? TargetRun.ReferenceProfilePath : RunParameters.ResolvePath(configured);
        try
        {
            // The environment as it is: a {{env:NAME}} in an issuer (a provider on a port chosen at run time) must
            // resolve to a URL here too. A variable that is missing only stands in; TargetRun reports it.
            var profile = TargetProfileLoader.LoadFile(path, name => Environment.GetEnvironmentVariable(name) ?? "unresolved", new Dictionary<string, string> { ["embedded"] = "http://127.0.0.1" });
            return (profile.Servers.Select(s => s.Name).ToList(), profile.Login.Drivers);
        }
        catch (TargetProfileException)
        {
            // Reported with every problem by TargetRun; one placeholder keeps the tests visible meanwhile.
            return (["(invalid profile)"], ["form"]);
        }
    }
}
