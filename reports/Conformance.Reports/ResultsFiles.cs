namespace Conformance.Reports;

/// <summary>Where results files are: a results.json, or a directory searched for them (a CI job's downloaded artifacts).</summary>
public static class ResultsFiles
{
    public const string Name = "results.json";

    /// <exception cref="InvalidDataException">The path does not exist, or the directory holds no results.json; the message names the path.</exception>
    public static IReadOnlyList<string> Find(string path)
    {
        if (File.Exists(path))
        {
            return [path];
        }

        if (Directory.Exists(path))
        {
            var found = Directory.EnumerateFiles(path, Name, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
            return found.Count > 0 ? found : throw new InvalidDataException($"{path}: no {Name} under this directory");
        }

        throw new InvalidDataException($"{path}: no such file or directory");
    }
}
