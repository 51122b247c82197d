namespace Conformance.Checks;

/// <summary>Altered copies of honest values, for checks that change one thing and watch the server refuse it.</summary>
internal static class Tamper
{
    /// <summary>"scheme://authority" + path + query + fragment, exactly as given (no normalisation of the path's case).</summary>
    public static Uri Uri(Uri template, string? host = null, string? path = null, string? query = null)
    {
        var authority = host is null ? template.Authority : template.IsDefaultPort ? host : $"{host}:{template.Port}";
        var text = $"{template.Scheme}://{authority}{path ?? template.AbsolutePath}{query ?? template.Query}";
        return new Uri(text);
    }

    /// <summary>Flips one character in the middle of a JWS signature, so the token is well formed but its signature is wrong.</summary>
    public static string Signature(string jws)
    {
        var dot = jws.LastIndexOf('.');
        if (dot < 0 || dot == jws.Length - 1)
        {
            return jws + "x";
        }

        var signature = jws[(dot + 1)..].ToCharArray();
        var i = signature.Length / 2;
        signature[i] = signature[i] == 'A' ? 'B' : 'A';
        return jws[..(dot + 1)] + new string(signature);
    }

    /// <summary>The same claims under a header that says alg "none" (and the given typ), with an empty signature (RFC 7519 §6.1).</summary>
    public static string AlgNone(string jws, string typ = "JWT")
    {
        var parts = jws.Split('.');
        var header = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(new System.Text.Json.Nodes.JsonObject { ["alg"] = "none", ["typ"] = typ }.ToJsonString());
        return parts.Length < 2 ? jws : $"{header}.{parts[1]}.";
    }
}
