namespace Conformance.Harness.Http;

/// <summary>
/// One request and its response as evidence, already redacted: nothing here is ever the raw secret.
/// </summary>
public sealed record HttpExchange(
    int Sequence,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    string Method,
    string Url,
    IReadOnlyList<KeyValuePair<string, string>> RequestHeaders,
    string? RequestBody,
    int? Status,
    IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders,
    string? ResponseBody,
    string? Failure)
{
    public string Summary => Status is { } status
        ? $"{Method} {Url} -> {status} ({Duration.TotalMilliseconds:0} ms)"
        : $"{Method} {Url} -> no response: {Failure}";

    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        text.Append(Method).Append(' ').AppendLine(Url);
        foreach (var (name, value) in RequestHeaders)
        {
            text.Append(name).Append(": ").AppendLine(value);
        }

        if (!string.IsNullOrEmpty(RequestBody))
        {
            text.AppendLine().AppendLine(RequestBody);
        }

        text.AppendLine();
        if (Status is null)
        {
            text.Append("(no response: ").Append(Failure).AppendLine(")");
            return text.ToString();
        }

        text.Append("HTTP ").Append(Status).Append(" (").Append(Duration.TotalMilliseconds.ToString("0")).AppendLine(" ms)");
        foreach (var (name, value) in ResponseHeaders)
        {
            text.Append(name).Append(": ").AppendLine(value);
        }

        if (!string.IsNullOrEmpty(ResponseBody))
        {
            text.AppendLine().AppendLine(ResponseBody);
        }

        return text.ToString();
    }
}
