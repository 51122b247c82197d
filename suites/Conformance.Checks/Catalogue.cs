using System.Reflection;
using Conformance.Harness.Checks;

namespace Conformance.Checks;

/// <summary>
/// Every check of the product. Each area is a static class whose public static <see cref="Check"/> fields or
/// properties are the checks; the catalogue collects them once and guarantees ids are unique and cite only
/// documents the spec-link table knows.
/// </summary>
public static class Catalogue
{
    private static readonly Lazy<IReadOnlyList<Check>> Checks = new(Collect);

    public static IReadOnlyList<Check> All => Checks.Value;

    public static Check Get(string id) => All.FirstOrDefault(c => c.Definition.Id == id) ?? throw new KeyNotFoundException($"no check '{id}'");

    private static IReadOnlyList<Check> Collect()
    {
        var checks = typeof(Catalogue).Assembly.GetTypes()
            .Where(t => t.IsAbstract && t.IsSealed && t.Namespace == typeof(Catalogue).Namespace + ".Areas")
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Static).Where(p => p.PropertyType == typeof(Check)).Select(p => (Check)p.GetValue(null)!)
                .Concat(t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(Check)).Select(f => (Check)f.GetValue(null)!)))
            .OrderBy(c => c.Definition.Id, StringComparer.Ordinal)
            .ToList();
        var duplicate = checks.GroupBy(c => c.Definition.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"check id '{duplicate.Key}' is defined {duplicate.Count()} times");
        }

        return checks;
    }
}
