using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conformance.Reports;

/// <summary>
/// A known deviation someone signed off: this check (on this server, or on all) may fail until the expiry date,
/// for the stated reason. The file is a JSON array:
/// <code>[ { "check": "REV-06", "server": "default", "reason": "Okta ticket 123", "expires": "2026-03-31" } ]</code>
/// "server" (optional) and "target" (optional, for merged multi-target reports) narrow the waiver; omitted means all.
/// A waiver holds through its expiry date (UTC) and is expired the day after.
/// </summary>
public sealed record Waiver(string Check, string? Server, string? Target, string Reason, DateOnly Expires)
{
    public bool IsExpired(DateOnly today) => today > Expires;

    public string Scope =>
        (Server is null ? "all servers" : $"server {Server}") + (Target is null ? "" : $" of {Target}");

    public override string ToString() => $"{Check} ({Scope}, expires {Expires:yyyy-MM-dd})";
}

/// <summary>The waivers file is not valid; the message names every wrong field by its JSON path.</summary>
public sealed class WaiversFileException(string message) : Exception(message);

public static class WaiversFile
{
    /// <summary>
    /// The current waiver covering this check on this server, for a test that wants to say "waived" at once
    /// (the gate decides the same way over the whole run): null when none, or when the matching one has expired.
    /// </summary>
    public static Waiver? Covering(IEnumerable<Waiver> waivers, string check, string? server, string? target = null, DateOnly? today = null)
    {
        var day = today ?? DateOnly.FromDateTime(DateTime.UtcNow);
        return waivers.FirstOrDefault(w =>
            string.Equals(w.Check, check, StringComparison.OrdinalIgnoreCase)
            && (w.Server is null || string.Equals(w.Server, server, StringComparison.Ordinal))
            && (w.Target is null || target is null || string.Equals(w.Target, target, StringComparison.Ordinal))
            && !w.IsExpired(day));
    }

    public static IReadOnlyList<Waiver> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new WaiversFileException($"waivers file {path}: not found");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>
    /// Reads every waiver, or throws once with every problem found (not only the first). The shape is the schema's
    /// (schemas/waivers.schema.json: an array of waivers, or an object with $schema and waivers); what it cannot know,
    /// a date that does not exist and two waivers for one check, is checked here.
    /// </summary>
    public static IReadOnlyList<Waiver> Parse(string json, string source = "waivers")
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new WaiversFileException($"waivers file {source}: not valid JSON (line {e.LineNumber + 1}): {e.Message}");
        }

        var errors = Harness.Target.JsonSchemaFile.Waivers.Problems(root).ToList();
        var waivers = new List<Waiver>();
        var list = root is JsonObject wrapper ? wrapper["waivers"] as JsonArray : root as JsonArray;
        var prefix = root is JsonObject ? "$.waivers" : "$";
        var index = 0;
        foreach (var item in list ?? [])
        {
            var at = $"{prefix}[{index++}]";
            if (item is not JsonObject waiver || Text(waiver, "check") is not { } check || Text(waiver, "reason") is not { } reason || Text(waiver, "expires") is not { } expiresText)
            {
                continue;
            }

            if (!DateOnly.TryParseExact(expiresText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires))
            {
                // The schema knows the form, not the calendar: 2026-02-30 has the form of a date.
                errors.Add($"{at}.expires: '{expiresText}' is not a date in the form yyyy-MM-dd");
                continue;
            }

            waivers.Add(new Waiver(check, Text(waiver, "server"), Text(waiver, "target"), reason, expires));
        }

        foreach (var duplicate in waivers.GroupBy(w => (w.Check.ToUpperInvariant(), w.Server, w.Target)).Where(g => g.Count() > 1))
        {
            errors.Add($"$: {duplicate.Count()} waivers for {duplicate.First().Check} ({duplicate.First().Scope}); keep one");
        }

        return errors.Count == 0
            ? waivers
            : throw new WaiversFileException($"waivers file {source} is invalid:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors.Distinct(StringComparer.Ordinal)));
    }

    /// <summary>A string field, trimmed; null when absent, of another kind or blank (the schema reports those).</summary>
    private static string? Text(JsonObject item, string name) =>
        item[name] is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;
}
