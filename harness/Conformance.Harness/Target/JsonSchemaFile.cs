using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Json.Pointer;
using Json.Schema;

namespace Conformance.Harness.Target;

/// <summary>
/// One of the project's JSON Schemas (schemas/*.schema.json, embedded), applied by JsonSchema.Net, with its findings
/// told in the project's own words by JSON path: "$.clients.web.redirectUri: required", "$.options.maxConcurrency:
/// must be a whole number from 1 to 64". A subschema may say it better with "x-message" ({value} is the value at
/// fault) and an object closed to unknown names with "x-unknown" ({name}, {known}).
/// </summary>
public sealed class JsonSchemaFile
{
    private readonly JsonSchema schema;
    private readonly JsonNode document;

    private JsonSchemaFile(string text)
    {
        schema = JsonSchema.FromText(text);
        document = JsonNode.Parse(text)!;
    }

    public static JsonSchemaFile TargetProfile { get; } = Embedded("target-profile.schema.json");

    public static JsonSchemaFile Waivers { get; } = Embedded("waivers.schema.json");

    /// <summary>Every problem of the instance, each starting with the JSON path at fault; empty when it is valid.</summary>
    public IReadOnlyList<string> Problems(JsonNode? instance)
    {
        var results = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        var problems = new List<string>();
        // An "if" that does not hold is no failure: it only picks "then" or "else".
        foreach (var detail in results.Details.Where(d => d.HasErrors && !d.EvaluationPath.Contains("if")))
        {
            var subschema = Subschema(detail.EvaluationPath);
            var at = Path(detail.InstanceLocation);
            detail.InstanceLocation.TryEvaluate(instance, out var value);
            foreach (var (keyword, _) in detail.Errors!)
            {
                problems.AddRange(Describe(keyword, at, subschema, value, detail.EvaluationPath));
            }
        }

        return problems.Distinct(StringComparer.Ordinal).ToList();
    }

    private IEnumerable<string> Describe(string keyword, string at, JsonNode? subschema, JsonNode? value, JsonPointer evaluationPath)
    {
        if (evaluationPath.Count > 0 && evaluationPath[^1] == "additionalProperties")
        {
            // The false schema of a closed object: the value is a field the object does not know.
            var parent = Subschema(evaluationPath.GetAncestor(1));
            var known = (parent?["properties"] as JsonObject)?.Select(p => p.Key).Where(k => k[0] != '$').ToList() ?? [];
            var name = at[(at.LastIndexOf('.') + 1)..];
            yield return parent?["x-unknown"] is { } unknown
                ? $"{at}: " + Fill(unknown.GetValue<string>(), value, name, known)
                : $"{at}: unknown field (expected one of {string.Join(", ", known)})";
            yield break;
        }

        if (keyword == "required")
        {
            var present = (value as JsonObject)?.Select(p => p.Key).ToHashSet(StringComparer.Ordinal) ?? [];
            foreach (var missing in (subschema?["required"] as JsonArray ?? []).Select(n => n!.GetValue<string>()).Where(n => !present.Contains(n)))
            {
                yield return $"{Join(at, missing)}: required";
            }

            yield break;
        }

        // "x-pattern" says what a failed pattern means, "x-message" what any failure of the subschema means.
        if ((subschema?["x-" + keyword] ?? subschema?["x-message"]) is { } message)
        {
            yield return $"{at}: " + Fill(message.GetValue<string>(), value, null, []);
            yield break;
        }

        yield return $"{at}: " + (keyword switch
        {
            "type" or "minimum" or "maximum" when subschema?["type"]?.GetValue<string>() == "integer" => WholeNumber(subschema),
            "type" => (subschema?["type"]?.GetValue<string>() switch
            {
                "string" => "must be a string",
                "array" => "must be an array",
                "object" => "must be an object",
                "boolean" => "must be true or false",
                var other => $"must be of type {other}",
            }) + $" (found {Kind(value)})",
            "minLength" => "must not be empty",
            "minItems" => "must not be empty",
            "enum" => $"must be one of {string.Join(", ", (subschema?["enum"] as JsonArray ?? []).Select(n => n?.ToJsonString()))}",
            _ => $"does not satisfy '{keyword}' of the schema",
        });
    }

    /// <summary>What a JSON value is, for a message: "the number 7", "an object", "null".</summary>
    public static string Kind(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v when v.TryGetValue<string>(out var s) => $"the string '{s}'",
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        _ => $"the number {value.ToJsonString()}",
    };

    private static string WholeNumber(JsonNode? subschema) =>
        subschema?["minimum"] is { } min && subschema["maximum"] is { } max
            ? $"must be a whole number from {min.ToJsonString()} to {max.ToJsonString()}"
            : "must be a whole number";

    private static string Fill(string template, JsonNode? value, string? name, IReadOnlyList<string> known) =>
        template
            .Replace("{value}", value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "", StringComparison.Ordinal)
            .Replace("{name}", name ?? "", StringComparison.Ordinal)
            .Replace("{known}", string.Join(", ", known), StringComparison.Ordinal);

    /// <summary>
    /// The subschema a result was evaluated by, found by walking its evaluation path through this file and its local
    /// $refs (JsonSchema.Net's own SchemaLocation of a subschema reached through a $ref varies between evaluations).
    /// </summary>
    private JsonNode? Subschema(JsonPointer evaluationPath)
    {
        JsonNode? node = document;
        foreach (var segment in evaluationPath)
        {
            node = segment == "$ref" && node?["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith('#')
                ? (JsonPointer.TryParse(Uri.UnescapeDataString(reference[1..]), out var pointer) && pointer!.TryEvaluate(document, out var target) ? target : null)
                : node switch
                {
                    JsonObject obj => obj[segment],
                    JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < array.Count => array[i],
                    _ => null,
                };
        }

        return node;
    }

    /// <summary>"/clients/web/redirectUri" as "$.clients.web.redirectUri", "/users/0" as "$.users[0]".</summary>
    private static string Path(JsonPointer pointer)
    {
        var path = "$";
        foreach (var name in pointer)
        {
            path = name.All(char.IsAsciiDigit) && name.Length > 0 ? $"{path}[{int.Parse(name, CultureInfo.InvariantCulture)}]" : Join(path, name);
        }

        return path;
    }

    private static string Join(string path, string name) => $"{path}.{name}";

    private static JsonSchemaFile Embedded(string name)
    {
        var resource = "Conformance.Harness.Schemas." + name;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource {resource} is missing from {Assembly.GetExecutingAssembly().GetName().Name}");
        using var reader = new StreamReader(stream);
        return new JsonSchemaFile(reader.ReadToEnd());
    }
}
