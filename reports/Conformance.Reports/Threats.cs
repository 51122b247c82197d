namespace Conformance.Reports;

/// <summary>
/// Section titles of the two threat documents the catalogue cites, so the coverage table says what a threat is
/// and not only where it is written. A reference missing here is shown by its number alone.
/// </summary>
public static class Threats
{
    private static readonly Dictionary<string, string> Titles = new(StringComparer.OrdinalIgnoreCase)
    {
        // RFC 6819, OAuth 2.0 Threat Model and Security Considerations.
        ["RFC6819 §4.2.4"] = "Open redirector",
        ["RFC6819 §4.3.3"] = "Disclosure of client credentials during transmission",
        ["RFC6819 §4.3.5"] = "Obtaining the client secret by online guessing",
        ["RFC6819 §4.4.1.1"] = "Eavesdropping or leaking authorization codes",
        ["RFC6819 §4.4.1.3"] = "Online guessing of authorization codes",
        ["RFC6819 §4.4.1.7"] = "Authorization code leakage through a counterfeit client",
        ["RFC6819 §4.4.1.8"] = "CSRF attack against redirect-uri",
        ["RFC6819 §4.4.1.9"] = "Clickjacking attack against authorization",
        ["RFC6819 §4.4.2.1"] = "Implicit grant: access token leak in transport or endpoints",
        ["RFC6819 §4.4.3"] = "Resource owner password credentials",
        ["RFC6819 §4.4.3.6"] = "Resource owner password credentials: online guessing",
        ["RFC6819 §4.4.4"] = "Client credentials",
        ["RFC6819 §4.6.1"] = "Eavesdropping access tokens on transport",
        ["RFC6819 §4.6.3"] = "Guessing access tokens",
        ["RFC6819 §4.6.4"] = "Access token phishing by a counterfeit resource server",
        ["RFC6819 §4.6.6"] = "Leak of confidential data in HTTP proxies",
        ["RFC6819 §4.6.7"] = "Token leakage via log files and HTTP referrers",
        ["RFC6819 §5.1.4.1.1"] = "Enforce standard system security means",
        ["RFC6819 §5.1.4.2.2"] = "Use high entropy for secrets",
        ["RFC6819 §5.1.4.2.3"] = "Lock accounts",
        ["RFC6819 §5.1.5.1"] = "Limit token scope",
        ["RFC6819 §5.1.5.3"] = "Use short expiration time",
        ["RFC6819 §5.1.5.4"] = "Limit number of usages or one-time usage",
        ["RFC6819 §5.1.5.5"] = "Bind tokens to a particular resource server (audience)",
        ["RFC6819 §5.1.5.8"] = "Bind token to client id",
        ["RFC6819 §5.1.5.9"] = "Sign self-contained tokens",
        ["RFC6819 §5.2.1.1"] = "Automatic revocation of derived tokens if abuse is detected",
        ["RFC6819 §5.2.2.1"] = "Restricted issuance of refresh tokens",
        ["RFC6819 §5.2.2.2"] = "Binding of refresh token to client_id",
        ["RFC6819 §5.2.2.3"] = "Refresh token rotation",
        ["RFC6819 §5.2.2.4"] = "Revocation of refresh tokens",
        ["RFC6819 §5.2.3.1"] = "Don't issue secrets to clients with an inappropriate security policy",
        ["RFC6819 §5.2.3.7"] = "Use strong client authentication",
        ["RFC6819 §5.2.4.4"] = "Binding of authorization code to client_id",
        ["RFC6819 §5.2.4.5"] = "Binding of authorization code to redirect_uri",

        // RFC 9700, Best Current Practice for OAuth 2.0 Security.
        ["RFC9700 §2.1"] = "Protecting redirect-based flows",
        ["RFC9700 §2.1.1"] = "Protecting redirect-based flows: authorization code grant",
        ["RFC9700 §2.1.2"] = "Protecting redirect-based flows: implicit grant",
        ["RFC9700 §2.2.2"] = "Token replay prevention: refresh tokens",
        ["RFC9700 §2.3"] = "Access token privilege restriction",
        ["RFC9700 §2.4"] = "Resource owner password credentials grant",
        ["RFC9700 §2.6"] = "Other recommendations",
        ["RFC9700 §4.1"] = "Insufficient redirect URI validation",
        ["RFC9700 §4.1.3"] = "Insufficient redirect URI validation: countermeasures",
        ["RFC9700 §4.2"] = "Credential leakage via Referer headers",
        ["RFC9700 §4.2.4"] = "Credential leakage via Referer headers: countermeasures",
        ["RFC9700 §4.3.2"] = "Access token in browser history",
        ["RFC9700 §4.4"] = "Mix-up attacks",
        ["RFC9700 §4.5"] = "Authorization code injection",
        ["RFC9700 §4.7"] = "Cross-site request forgery",
        ["RFC9700 §4.8"] = "PKCE downgrade attack",
        ["RFC9700 §4.8.2"] = "PKCE downgrade attack: countermeasures",
        ["RFC9700 §4.11"] = "Open redirection",
        ["RFC9700 §4.12"] = "307 redirect",
        ["RFC9700 §4.14"] = "Refresh token protection",
        ["RFC9700 §4.14.2"] = "Refresh token protection: recommendations",
        ["RFC9700 §4.16"] = "Clickjacking",
    };

    public static string? Title(string reference) => Titles.GetValueOrDefault(reference);

    /// <summary>Orders "RFC6819 §4.4.1.10" after "RFC6819 §4.4.1.9": document, then each section number.</summary>
    public static IComparer<string> Order { get; } = Comparer<string>.Create((a, b) =>
    {
        var (docA, secA) = Split(a);
        var (docB, secB) = Split(b);
        var byDoc = string.CompareOrdinal(docA, docB);
        if (byDoc != 0)
        {
            return byDoc;
        }

        for (var i = 0; i < Math.Max(secA.Length, secB.Length); i++)
        {
            if (i >= secA.Length)
            {
                return -1;
            }

            if (i >= secB.Length)
            {
                return 1;
            }

            var byPart = int.TryParse(secA[i], out var x) && int.TryParse(secB[i], out var y) ? x.CompareTo(y) : string.CompareOrdinal(secA[i], secB[i]);
            if (byPart != 0)
            {
                return byPart;
            }
        }

        return 0;
    });

    private static (string Document, string[] Section) Split(string reference)
    {
        var parts = reference.Split('§', 2, StringSplitOptions.TrimEntries);
        return (parts[0], parts.Length > 1 ? parts[1].Split('.') : []);
    }
}
