using System.Globalization;
using System.Text.Json;

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
    private static readonly HashSet<string> Fields = ["check", "server", "target", "reason", "expires"];

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

    /// <summary>Reads every waiver, or throws once with every problem found (not only the first).</summary>
    public static IReadOnlyList<Waiver> Parse(string json, string source = "waivers")
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new WaiversFileException($"waivers file {source}: not valid JSON (line {e.LineNumber + 1}): {e.Message}");
        }

        using (document)
        {
            var errors = new List<string>();
            var waivers = new List<Waiver>();
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new WaiversFileException($"waivers file {source}: $: expected an array of waivers ({{check, server?, reason, expires}}), found {Kind(document.RootElement)}");
            }

            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                var at = $"$[{index++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    errors.Add($"{at}: expected an object {{check, server?, reason, expires}}, found {Kind(item)}");
                    continue;
                }

                foreach (var property in item.EnumerateObject().Where(p => !Fields.Contains(p.Name)))
                {
                    errors.Add($"{at}.{property.Name}: unknown field (expected check, server, target, reason, expires)");
                }

                var check = RequiredString(item, "check", at, errors);
                var server = OptionalString(item, "server", at, errors);
                var target = OptionalString(item, "target", at, errors);
                var reason = RequiredString(item, "reason", at, errors);
                var expiresText = RequiredString(item, "expires", at, errors);
                DateOnly expires = default;
                if (expiresText is not null && !DateOnly.TryParseExact(expiresText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out expires))
                {
                    errors.Add($"{at}.expires: '{expiresText}' is not a date in the form yyyy-MM-dd");
                    expiresText = null;
                }

                if (check is not null && reason is not null && expiresText is not null)
                {
                    waivers.Add(new Waiver(check, server, target, reason, expires));
                }
            }

            foreach (var duplicate in waivers.GroupBy(w => (w.Check.ToUpperInvariant(), w.Server, w.Target)).Where(g => g.Count() > 1))
            {
                errors.Add($"$: {duplicate.Count()} waivers for {duplicate.First().Check} ({duplicate.First().Scope}); keep one");
            }

            return errors.Count == 0
                ? waivers
                : throw new WaiversFileException($"waivers file {source} is invalid:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors));
        }
    }

    private static string? RequiredString(JsonElement item, string name, string at, List<string> errors)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add($"{at}.{name}: required");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{at}.{name}: expected a string, found {Kind(value)}");
            return null;
        }

        var text = value.GetString()!.Trim();
        if (text.Length == 0)
        {
            errors.Add($"{at}.{name}: must not be empty");
            return null;
        }

        return text;
    }

    private static string? OptionalString(JsonElement item, string name, string at, List<string> errors)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            errors.Add($"{at}.{name}: expected a non-empty string (omit it to mean all), found {Kind(value)}");
            return null;
        }

        return value.GetString()!.Trim();
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{element.GetString()}\"",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "null",
    };
}
