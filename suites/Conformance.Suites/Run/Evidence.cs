using Conformance.Harness.Http;

namespace Conformance.Suites.Run;

/// <summary>Writes a check's redacted exchanges next to its result, for the reports and for a person reading a failure.</summary>
internal static class Evidence
{
    /// <summary>Returns the evidence file's path, or null when there was nothing to write.</summary>
    public static string? Write(string testName, IReadOnlyList<HttpExchange> exchanges)
    {
        if (exchanges.Count == 0)
        {
            return null;
        }

        var directory = Path.Combine(RunParameters.ArtifactsDirectory, "evidence");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, SafeName(testName) + ".http.txt");
        var text = string.Join($"{Environment.NewLine}----{Environment.NewLine}", exchanges.Select(e => e.ToString()));
        File.WriteAllText(file, text);
        TestContext.AddTestAttachment(file, "HTTP exchanges (redacted)");
        Say.Line("HTTP exchanges:");
        foreach (var exchange in exchanges)
        {
            Say.Line("  " + exchange.Summary);
        }

        return file;
    }

    private static string SafeName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars().Concat(['(', ')', '"', ' ', ',']).ToHashSet();
        var safe = new string(name.Select(c => invalid.Contains(c) ? '_' : c).ToArray());
        return safe.Length > 150 ? safe[..150] : safe;
    }
}
