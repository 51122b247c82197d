using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Harness.Http;

namespace Conformance.Harness.Login;

/// <summary>
/// Rewrites a Playwright trace with secrets masked: every text entry (the action log with the typed values,
/// the network log with request bodies, headers and cookies, stored response bodies) has the given secrets
/// replaced in every encoding the trace may hold them in, and the network log's headers, URLs and form bodies
/// pass through the <see cref="Redactor"/>. Images are copied as they are (a password field renders as dots).
/// </summary>
internal static class TraceScrubber
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Scrub(string source, string destination, IEnumerable<string> secrets, Redactor redactor)
    {
        // The typed values become secrets of the run's redactor, which masks each in every encoding (SecretForms).
        foreach (var secret in secrets)
        {
            redactor.AddSecret(secret);
        }

        using var input = ZipFile.OpenRead(source);
        using var output = ZipFile.Open(destination, ZipArchiveMode.Create);
        foreach (var entry in input.Entries)
        {
            using var read = entry.Open();
            using var buffer = new MemoryStream();
            read.CopyTo(buffer);
            var bytes = buffer.ToArray();
            if (!IsImage(entry.FullName) && TryText(bytes, out var text))
            {
                text = redactor.Text(text);
                if (entry.FullName.EndsWith(".network", StringComparison.Ordinal) || entry.FullName.EndsWith(".trace", StringComparison.Ordinal))
                {
                    text = string.Join('\n', text.Split('\n').Select(line => RedactLine(line, redactor)));
                }

                bytes = Encoding.UTF8.GetBytes(redactor.Text(text));
            }

            var copy = output.CreateEntry(entry.FullName, CompressionLevel.Fastest);
            using var write = copy.Open();
            write.Write(bytes);
        }
    }

    private static string RedactLine(string line, Redactor redactor)
    {
        if (line.Length == 0 || line[0] != '{')
        {
            return line;
        }

        try
        {
            var node = JsonNode.Parse(line);
            if (node is null)
            {
                return line;
            }

            Walk(node, null, redactor);
            return node.ToJsonString(Relaxed);
        }
        catch (JsonException)
        {
            return line;
        }
    }

    /// <summary>HAR shapes: headers and cookies as name/value pairs, URLs, postData.text.</summary>
    private static void Walk(JsonNode node, string? parentName, Redactor redactor)
    {
        switch (node)
        {
            case JsonObject obj:
                if (parentName is "headers" or "cookies" or "queryString" or "params"
                    && obj["name"] is JsonValue nameValue && nameValue.TryGetValue<string>(out var name)
                    && obj["value"] is JsonValue valueValue && valueValue.TryGetValue<string>(out var value))
                {
                    obj["value"] = parentName switch
                    {
                        "headers" => redactor.Header(name, value),
                        "cookies" => Redactor.Mask,
                        _ => redactor.Value(name, value),
                    };
                    return;
                }

                foreach (var (key, child) in obj.ToList())
                {
                    if (child is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        obj[key] = key switch
                        {
                            "url" => redactor.Url(s),
                            "text" when parentName == "postData" => PostDataText(obj, s, redactor),
                            _ => s,
                        };
                    }
                    else if (child is not null)
                    {
                        Walk(child, key, redactor);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        Walk(child, parentName, redactor);
                    }
                }

                break;
        }
    }

    private static string PostDataText(JsonObject postData, string text, Redactor redactor)
    {
        var type = postData["mimeType"] is JsonValue t && t.TryGetValue<string>(out var mime) ? mime : "";
        return type.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) ? redactor.Form(text) : redactor.Body(type, text);
    }

    private static bool IsImage(string name) =>
        name.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".webp", StringComparison.OrdinalIgnoreCase);

    private static bool TryText(byte[] bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return text.IndexOf('\0', StringComparison.Ordinal) < 0;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }
}
