using System.Reflection;
using Conformance.Suites.Run;

namespace Conformance.Suites.Plan;

/// <summary>How a flow test is multiplied: per server, per server and login driver, or per driver on the first server.</summary>
internal enum FlowScale
{
    PerServer,
    PerServerAndDriver,
    PerDriverOnFirstServer,
}

/// <summary>A flow test method and how its cases are made, read from its attributes (no test is run to learn it).</summary>
/// <param name="Variants">Cases per server (and driver) beyond those: the implicit flow runs each response mode.</param>
internal sealed record FlowMethod(string Method, string Flow, FlowScale Scale, int Variants = 1);

internal static class FlowInventory
{
    /// <summary>Every flow of the suites: the test methods of <see cref="ConformanceTest"/> fixtures whose cases come from <see cref="Servers"/>.</summary>
    public static IReadOnlyList<FlowMethod> All { get; } = Read();

    private static List<FlowMethod> Read() =>
        (from type in typeof(FlowInventory).Assembly.GetTypes()
         where type.IsSubclassOf(typeof(ConformanceTest)) && !type.IsAbstract
         let flow = string.Join(", ", type.GetCustomAttributes<CategoryAttribute>().Select(c => c.Name).Where(n => n.StartsWith("flow:", StringComparison.Ordinal)).Select(n => n["flow:".Length..]))
         from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
         let source = method.GetCustomAttribute<TestCaseSourceAttribute>()
         where source?.SourceName is not null
         select source.SourceType == typeof(Servers)
             ? new FlowMethod(method.Name, flow, source.SourceName switch
             {
                 nameof(Servers.WithDrivers) => FlowScale.PerServerAndDriver,
                 nameof(Servers.DriversOnFirstServer) => FlowScale.PerDriverOnFirstServer,
                 _ => FlowScale.PerServer,
             })
             : FromOwnSource(method.Name, flow, source.SourceType ?? type, source.SourceName!))
        .OrderBy(f => f.Flow, StringComparer.Ordinal).ThenBy(f => f.Method, StringComparer.Ordinal)
        .ToList();

    /// <summary>
    /// A fixture's own case source (built on <see cref="Servers"/>, e.g. one case per response mode): its cases are
    /// listed (that reads the profile's server and driver names, nothing more) to learn how many there are per server and driver.
    /// </summary>
    private static FlowMethod FromOwnSource(string method, string flow, Type type, string name)
    {
        const BindingFlags Static = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;
        var value = type.GetMethod(name, Static, Type.EmptyTypes)?.Invoke(null, null) ?? type.GetProperty(name, Static)?.GetValue(null);
        var cases = (value as System.Collections.IEnumerable)?.OfType<TestCaseData>().ToList() ?? [];
        var pairs = cases.Select(c => (Server: c.Arguments.ElementAtOrDefault(0) as string, Driver: c.Arguments.ElementAtOrDefault(1) as string)).ToList();
        var drivers = Servers.WithDrivers().Select(c => c.Arguments[1] as string).ToHashSet();
        var perDriver = pairs.Count > 0 && pairs.All(p => p.Driver is not null && drivers.Contains(p.Driver));
        var distinct = pairs.Select(p => perDriver ? p : (p.Server, null)).Distinct().Count();
        return new FlowMethod(method, flow, perDriver ? FlowScale.PerServerAndDriver : FlowScale.PerServer, Math.Max(1, cases.Count / Math.Max(1, distinct)));
    }
}
