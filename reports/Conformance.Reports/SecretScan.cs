using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Conformance.Harness.Http;

namespace Conformance.Reports;

/// <summary>A secret (or a whole token) found in a written file. The value itself is never part of it.</summary>
/// <summary>A confidential client's id and secret, named by the secret's reference; its HTTP Basic credential is a secret too.</summary>
public sealed record BasicCredential(string Name, string ClientId, string Secret);

public sealed record SecretFinding(string File, string Secret, string Form, long Offset)
{
    public override string ToString() => $"{File}: {Secret} ({Form}) at offset {Offset}";
}

/// <summary>
/// Looks for secret values in every artifact of a run: results.json, evidence files, the HTML review, the
/// Allure results and report, and the PDF's text (through pdftotext when it is installed). Each secret is
/// looked for as written, URL-encoded, HTML-encoded, JSON-escaped and base64-encoded; base64 blobs and gzip data
/// inside files (Allure's single-file report embeds its data that way) are decoded and searched too. Anything
/// shaped like a whole signed JWT is a finding as well: reports keep tokens decoded and fingerprinted, never whole.
/// </summary>
public static partial class SecretScan
{
    public sealed record Report(IReadOnlyList<SecretFinding> Findings, IReadOnlyList<string> Notes, int FilesScanned);

    /// <param name="secrets">name → value; the name is what a finding shows.</param>
    /// <param name="clients">confidential clients: their HTTP Basic credentials are looked for in every encoding too.</param>
    /// <param name="parallelism">files searched at once (default: one per core); fewer leaves cores to work running beside the scan.</param>
    public static Report Scan(IEnumerable<string> paths, IReadOnlyDictionary<string, string> secrets, bool lookForJwts = true, IReadOnlyList<BasicCredential>? clients = null, int? parallelism = null)
    {
        var needles = Needles(secrets, clients ?? [])
            .Select(n => (n.Name, n.Form, Bytes: Encoding.UTF8.GetBytes(n.Text)))
            .DistinctBy(n => (n.Name, Convert.ToBase64String(n.Bytes)))
            .ToList();
        var all = FilesUnder(paths).Distinct().ToList();
        // Thousands of evidence files and a PDF to extract: read and searched on every core, each file's findings
        // and notes kept apart and joined in file order, so the report reads the same however the work was split.
        var perFile = new (List<SecretFinding> Findings, string? Note)[all.Count];
        Parallel.For(0, all.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism ?? Environment.ProcessorCount }, i => perFile[i] = ScanFile(all[i], needles, lookForJwts));
        var findings = perFile.SelectMany(f => f.Findings).ToList();
        var notes = perFile.Select(f => f.Note).OfType<string>().ToList();
        var files = all.Count;
        return new Report(findings.DistinctBy(f => (f.File, f.Secret, f.Form)).ToList(), notes, files);
    }

    /// <summary>Every file named in <paramref name="paths"/>, or under a folder named there; missing paths name none.</summary>
    internal static IEnumerable<string> FilesUnder(IEnumerable<string> paths) =>
        paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : File.Exists(p) ? [p] : []);

    private static (List<SecretFinding> Findings, string? Note) ScanFile(string file, List<(string Name, string Form, byte[] Bytes)> needles, bool lookForJwts)
    {
        var findings = new List<SecretFinding>();
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (IOException e)
        {
            // A file another process is still writing: say so rather than crash the report or pass it unread.
            return (findings, $"could not read {file}: {e.Message}");
        }

        ScanBytes(file, "", bytes, needles, findings, lookForJwts, depth: 0);
        if (!file.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase))
        {
            return (findings, null);
        }

        var text = PdfText(file, out var note);
        if (text is null)
        {
            return (findings, note);
        }

        ScanBytes(file, "pdf text, ", Encoding.UTF8.GetBytes(text), needles, findings, lookForJwts, depth: 1);
        return (findings, null);
    }

    /// <summary>
    /// Replaces each secret, in every form of <see cref="SecretForms"/>, and each client's Basic credential with ***:
    /// the reports never spread a secret a check recorded by mistake (the scan of results.json still reports it at
    /// its source). The masking is the harness's own redactor: one implementation for the run and the reports.
    /// </summary>
    public static Func<string, string> Masker(IReadOnlyDictionary<string, string> secrets, IReadOnlyList<BasicCredential>? clients = null)
    {
        if (secrets.Count == 0 && (clients ?? []).Count == 0)
        {
            return text => text;
        }

        var redactor = new Harness.Http.Redactor(secrets.Values);
        foreach (var client in clients ?? [])
        {
            redactor.AddClientCredentials(client.ClientId, client.Secret);
        }

        return redactor.Text;
    }

    /// <summary>Every (name, form, text) the scan looks for: each secret in every form, each Basic credential in every encoding.</summary>
    internal static IEnumerable<(string Name, string Form, string Text)> Needles(IReadOnlyDictionary<string, string> secrets, IReadOnlyList<BasicCredential> clients) =>
        secrets.Where(s => s.Value.Length >= 4).SelectMany(s => SecretForms.Of(s.Value).Select(f => (s.Key, f.Form, f.Text)))
            .Concat(clients.SelectMany(c => SecretForms.OfBasicCredentials(c.ClientId, c.Secret).Select(f => (c.Name, f.Form, f.Text))));

    private static void ScanBytes(string file, string where, byte[] bytes, List<(string Name, string Form, byte[] Bytes)> needles, List<SecretFinding> findings, bool jwts, int depth)
    {
        foreach (var (name, form, needle) in needles)
        {
            var at = bytes.AsSpan().IndexOf(needle);
            if (at >= 0)
            {
                findings.Add(new SecretFinding(file, name, where + form, at));
            }
        }

        var text = Encoding.Latin1.GetString(bytes);
        if (jwts)
        {
            foreach (Match m in CompactJwt().Matches(text))
            {
                findings.Add(new SecretFinding(file, "a whole JWT", where + "compact serialization", m.Index));
            }
        }

        if (depth >= 2)
        {
            return;
        }

        // gzip members (1f 8b 08) inside the file.
        for (var i = bytes.AsSpan().IndexOf(Gzip); i >= 0 && i < bytes.Length; i = NextIndex(bytes, Gzip, i + 1))
        {
            if (TryGunzip(bytes.AsSpan(i).ToArray(), out var inflated))
            {
                ScanBytes(file, where + "gzip data, ", inflated, needles, findings, jwts, depth + 1);
            }
        }

        // Long base64 runs (data URIs, embedded report data).
        foreach (Match m in Base64Blob().Matches(text))
        {
            var blob = m.Value.Replace('-', '+').Replace('_', '/');
            blob = blob.PadRight(blob.Length + ((4 - (blob.Length % 4)) % 4), '=');
            byte[] decoded;
            try
            {
                decoded = Convert.FromBase64String(blob);
            }
            catch (FormatException)
            {
                continue;
            }

            ScanBytes(file, where + "base64 data, ", decoded, needles, findings, jwts, depth + 1);
        }
    }

    private static readonly byte[] Gzip = [0x1f, 0x8b, 0x08];

    private static int NextIndex(byte[] bytes, byte[] needle, int from)
    {
        if (from >= bytes.Length)
        {
            return -1;
        }

        var next = bytes.AsSpan(from).IndexOf(needle);
        return next < 0 ? -1 : from + next;
    }

    private static bool TryGunzip(byte[] data, out byte[] inflated)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            inflated = output.ToArray();
            return inflated.Length > 0;
        }
        catch (InvalidDataException)
        {
            inflated = [];
            return false;
        }
    }

    internal static string? PdfText(string pdf, out string? note)
    {
        var pdftotext = Tools.Which("pdftotext");
        if (pdftotext is null)
        {
            note = $"{Path.GetFileName(pdf)}: text not extracted (pdftotext from poppler-utils is not installed); only its raw bytes were scanned";
            return null;
        }

        var result = Tools.Run(pdftotext, ["-q", "-enc", "UTF-8", pdf, "-"], null, TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0)
        {
            note = $"{Path.GetFileName(pdf)}: pdftotext failed (exit {result.ExitCode}); only its raw bytes were scanned";
            return null;
        }

        note = null;
        return result.Output;
    }

    // header.payload.signature with a JSON header and payload and a non-empty signature: a replayable token.
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")]
    private static partial Regex CompactJwt();

    // Only from the start of a run (the lookbehind): the same matches, but a run of 63 such characters (a long URL
    // or identifier) is given up at its first character instead of being retried at each of the next 62.
    [GeneratedRegex(@"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{64,}={0,2}")]
    private static partial Regex Base64Blob();
}
