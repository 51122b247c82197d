using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Conformance.Reports;

/// <summary>A secret (or a whole token) found in a written file. The value itself is never part of it.</summary>
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
    public static Report Scan(IEnumerable<string> paths, IReadOnlyDictionary<string, string> secrets, bool lookForJwts = true)
    {
        var needles = secrets
            .Where(s => s.Value.Length >= 4)
            .SelectMany(s => Forms(s.Value).Select(f => (Name: s.Key, Form: f.Form, Bytes: Encoding.UTF8.GetBytes(f.Text))))
            .DistinctBy(n => (n.Name, Convert.ToBase64String(n.Bytes)))
            .ToList();
        var findings = new List<SecretFinding>();
        var notes = new List<string>();
        var files = 0;
        foreach (var file in paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : File.Exists(p) ? [p] : []).Distinct())
        {
            files++;
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (IOException e)
            {
                // A file another process is still writing: say so rather than crash the report or pass it unread.
                notes.Add($"could not read {file}: {e.Message}");
                continue;
            }

            ScanBytes(file, "", bytes, needles, findings, lookForJwts, depth: 0);
            if (file.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase))
            {
                var text = PdfText(file, out var note);
                if (text is null)
                {
                    notes.Add(note!);
                }
                else
                {
                    ScanBytes(file, "pdf text, ", Encoding.UTF8.GetBytes(text), needles, findings, lookForJwts, depth: 1);
                }
            }
        }

        return new Report(findings.DistinctBy(f => (f.File, f.Secret, f.Form)).ToList(), notes, files);
    }

    /// <summary>
    /// Replaces each secret, as written and in its URL-, HTML- and JSON-encoded forms, with ***: the reports never
    /// spread a secret a check recorded by mistake (the scan of results.json still reports it at its source).
    /// </summary>
    public static Func<string, string> Masker(IReadOnlyDictionary<string, string> secrets)
    {
        var forms = secrets.Values
            .Where(v => v.Length >= 4)
            .SelectMany(v => Forms(v).Where(f => !f.Form.StartsWith("base64", StringComparison.Ordinal)).Select(f => f.Text))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(f => f.Length)
            .ToList();
        return forms.Count == 0 ? text => text : text =>
        {
            foreach (var form in forms)
            {
                if (text.Contains(form, StringComparison.Ordinal))
                {
                    text = text.Replace(form, Harness.Http.Redactor.Mask, StringComparison.Ordinal);
                }
            }

            return text;
        };
    }

    /// <summary>The ways a value can be written down in the artifacts this project produces.</summary>
    internal static IEnumerable<(string Form, string Text)> Forms(string value)
    {
        yield return ("as written", value);
        yield return ("URL-encoded", Uri.EscapeDataString(value));
        yield return ("form-encoded", WebUtility.UrlEncode(value));
        yield return ("HTML-encoded", WebUtility.HtmlEncode(value));
        yield return ("JSON-escaped", JsonEncodedText.Encode(value).ToString());
        yield return ("JSON-escaped", JsonSerializer.Serialize(value)[1..^1]);
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)).TrimEnd('=');
        // A base64 form shorter than this would match by chance inside any long base64 blob.
        if (base64.Length >= 12)
        {
            yield return ("base64", base64);
            yield return ("base64url", base64.Replace('+', '-').Replace('/', '_'));
        }
    }

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

    private static string? PdfText(string pdf, out string? note)
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

    [GeneratedRegex(@"[A-Za-z0-9+/_-]{64,}={0,2}")]
    private static partial Regex Base64Blob();
}
