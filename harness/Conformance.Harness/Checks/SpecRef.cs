using System.Text.RegularExpressions;

namespace Conformance.Harness.Checks;

/// <summary>A place in a specification: "RFC7636 §4.6", "OIDC-Core §3.1.3.7", "Okta authn".</summary>
public sealed partial record SpecRef(string Document, string? Section)
{
    /// <summary>Parses "RFC7636 §4.6" or "OIDC-Core §3.1.3.7"; a reference without § names the whole document.</summary>
    public static SpecRef Parse(string text)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
        {
            throw new FormatException($"'{text}' is not a spec reference such as 'RFC6749 §4.1.2'");
        }

        var section = match.Groups["section"].Success ? match.Groups["section"].Value : null;
        return new SpecRef(match.Groups["doc"].Value, section);
    }

    public Uri Link => SpecLinks.Resolve(this);

    public override string ToString() => Section is null ? Document : $"{Document} §{Section}";

    [GeneratedRegex(@"^(?<doc>[A-Za-z][A-Za-z0-9\-]*)(\s*§\s*(?<section>[0-9A-Za-z.\-]+))?$")]
    private static partial Regex Pattern();
}

/// <summary>
/// The one table that turns a document name into a URL. Sections of IETF RFCs resolve to their anchors on the
/// RFC Editor's site; OpenID specs use the "rfc.section.N" anchors of their HTML rendering.
/// </summary>
public static class SpecLinks
{
    private static readonly Dictionary<string, string> OpenId = new(StringComparer.OrdinalIgnoreCase)
    {
        ["OIDC-Core"] = "https://openid.net/specs/openid-connect-core-1_0.html",
        ["OIDC-Discovery"] = "https://openid.net/specs/openid-connect-discovery-1_0.html",
        ["OIDC-RPLogout"] = "https://openid.net/specs/openid-connect-rpinitiated-1_0.html",
        ["OAuth-MultipleResponseTypes"] = "https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html",
        ["OAuth-FormPost"] = "https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html",
    };

    private static readonly Dictionary<string, string> Okta = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Okta-Authn"] = "https://developer.okta.com/docs/reference/api/authn/",
        ["Okta-AuthServers"] = "https://developer.okta.com/docs/concepts/auth-servers/",
        ["Okta-RateLimits"] = "https://developer.okta.com/docs/reference/rate-limits/",
    };

    public static IReadOnlyCollection<string> Documents =>
        OpenId.Keys.Concat(Okta.Keys).Append("RFC<number>").ToList();

    public static bool IsKnown(string document) =>
        OpenId.ContainsKey(document) || Okta.ContainsKey(document) || RfcNumber(document) is not null;

    public static Uri Resolve(SpecRef reference)
    {
        if (RfcNumber(reference.Document) is { } number)
        {
            var anchor = reference.Section is null ? "" : (char.IsDigit(reference.Section[0]) ? "#section-" : "#appendix-") + reference.Section;
            return new Uri($"https://www.rfc-editor.org/rfc/rfc{number}.html{anchor}");
        }

        if (OpenId.TryGetValue(reference.Document, out var spec))
        {
            return new Uri(reference.Section is null ? spec : $"{spec}#rfc.section.{reference.Section}");
        }

        if (Okta.TryGetValue(reference.Document, out var page))
        {
            return new Uri(page);
        }

        throw new ArgumentException($"no link for document '{reference.Document}'; add it to SpecLinks", nameof(reference));
    }

    private static string? RfcNumber(string document) =>
        document.StartsWith("RFC", StringComparison.OrdinalIgnoreCase) && document.Length > 3 && document[3..].All(char.IsDigit) ? document[3..] : null;
}
