namespace Conformance.Reports;

/// <summary>
/// Finds a run's attachment files. A run records absolute paths on the machine that ran it; once the artifacts
/// are downloaded elsewhere (CI), the same file is found by its name under the directories given.
/// </summary>
public sealed class Attachments(IReadOnlyList<string> searchDirectories)
{
    /// <summary>Screenshots larger than this are listed, not embedded, so one image cannot bloat a report.</summary>
    public const long MaxEmbeddedBytes = 4 * 1024 * 1024;

    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public string? Resolve(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        if (File.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        var name = Path.GetFileName(path);
        foreach (var directory in searchDirectories.Where(Directory.Exists))
        {
            var direct = Path.Combine(directory, path.TrimStart('/', '\\'));
            if (!Path.IsPathRooted(path) && File.Exists(direct))
            {
                return Path.GetFullPath(direct);
            }

        }

        return Index.Value.GetValueOrDefault(name);
    }

    /// <summary>File name → first path found, built once: a report may resolve hundreds of attachments.</summary>
    private Lazy<Dictionary<string, string>> Index => index ??= new(() =>
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var directory in searchDirectories.Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
            {
                files.TryAdd(Path.GetFileName(file), file);
            }
        }

        return files;
    });

    private Lazy<Dictionary<string, string>>? index;

    public static bool IsPng(string path) => path.EndsWith(".png", StringComparison.OrdinalIgnoreCase);

    /// <summary>The PNG's bytes when the file exists, is small enough and really is a PNG; otherwise why not.</summary>
    public (byte[]? Bytes, string? Problem) ReadPng(string path)
    {
        var resolved = Resolve(path);
        if (resolved is null)
        {
            return (null, "file not found");
        }

        var length = new FileInfo(resolved).Length;
        if (length > MaxEmbeddedBytes)
        {
            return (null, $"{length / 1024:N0} KiB, too large to embed");
        }

        var bytes = File.ReadAllBytes(resolved);
        return bytes.AsSpan().StartsWith(PngMagic) ? (bytes, null) : (null, "not a PNG file");
    }
}
