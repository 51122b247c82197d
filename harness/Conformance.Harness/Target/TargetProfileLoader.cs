using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Harness.Http;

namespace Conformance.Harness.Target;

/// <summary>
/// Reads a target profile, expands the Okta shorthand, resolves <c>env:NAME</c> secrets and validates
/// everything up front, collecting every problem with the JSON path of the field at fault.
/// </summary>
public sealed class TargetProfileLoader
{
    public static readonly IReadOnlySet<string> ClientRoles =
        new HashSet<string>(StringComparer.Ordinal) { "web", "web2", "native", "spa", "service", "password", "assertion", "device" };

    public static readonly IReadOnlySet<string> LoginDrivers =
        new HashSet<string>(StringComparer.Ordinal) { "form", "browser", "okta-authn" };

    private static readonly IReadOnlySet<string> PublicRoles = new HashSet<string> { "native", "spa", "device" };
    private static readonly IReadOnlySet<string> ConfidentialRoles = new HashSet<string> { "web", "web2", "service", "password" };
    private static readonly IReadOnlySet<string> RedirectingRoles = new HashSet<string> { "web", "web2", "native", "spa" };

    private readonly Func<string, string?> environment;
    private readonly IReadOnlyDictionary<string, string> variables;
    private ProfileFields fields = new(_ => null, new Dictionary<string, string>());

    /// <param name="environment">Where <c>env:NAME</c> references are looked up.</param>
    /// <param name="variables"><c>{{name}}</c> placeholders replaced in string values, e.g. the embedded issuer's base URL.</param>
    public TargetProfileLoader(Func<string, string?>? environment = null, IReadOnlyDictionary<string, string>? variables = null)
    {
        this.environment = environment ?? Environment.GetEnvironmentVariable;
        this.variables = variables ?? new Dictionary<string, string>();
    }

    public static TargetProfile LoadFile(string path, Func<string, string?>? environment = null, IReadOnlyDictionary<string, string>? variables = null)
    {
        if (!File.Exists(path))
        {
            throw new TargetProfileException(path, [$"file not found (working directory {Directory.GetCurrentDirectory()})"]);
        }

        return new TargetProfileLoader(environment, variables).Load(File.ReadAllText(path), path);
    }

    public TargetProfile Load(string json, string source)
    {
        fields = new ProfileFields(environment, variables);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new TargetProfileException(source, [$"not valid JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}: {ProfileFields.FirstSentence(e.Message)}"]);
        }

        using (document)
        {
            // The shape (fields, kinds, ranges, roles, drivers) is the schema's: schemas/target-profile.schema.json,
            // which editors read through $schema too. What it cannot know (environment, placeholders, URLs, names
            // that refer to one another) is checked below; every problem of both is reported at once.
            var shape = JsonSchemaFile.TargetProfile.Problems(JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TargetProfileException(source, shape);
            }
            var name = fields.String(root, "$", "name", required: true) ?? "";
            var servers = ReadServers(root);
            var (clients, pools) = ReadClients(root, servers);
            var users = ReadUsers(root);
            var login = ReadLogin(root);
            var options = ReadOptions(root);

            var problems = shape.Concat(fields.Problems).Distinct(StringComparer.Ordinal).ToList();
            if (problems.Count > 0)
            {
                throw new TargetProfileException(source, problems);
            }

            return new TargetProfile(name, servers, clients, users, login, options) { ClientPools = pools };
        }
    }

    private List<ServerProfile> ReadServers(JsonElement root)
    {
        var servers = new List<ServerProfile>();
        var hasServers = root.TryGetProperty("servers", out var list);
        var hasOkta = root.TryGetProperty("okta", out var okta);
        if (hasServers == hasOkta)
        {
            fields.Problem(hasServers
                ? "$: give either 'servers' or the 'okta' shorthand, not both"
                : "$.servers: required (a list of authorization servers, or the 'okta' shorthand)");
            return servers;
        }

        if (hasOkta)
        {
            return ExpandOkta(okta);
        }

        foreach (var (s, path) in ProfileFields.Objects(list, "$.servers"))
        {
            var serverName = fields.String(s, path, "name", required: true);
            var issuer = fields.Url(s, path, "issuer", required: true, allowCustomScheme: false);
            if (serverName is null || issuer is null)
            {
                continue;
            }

            if (issuer.Query.Length > 0 || issuer.Fragment.Length > 0)
            {
                // OIDC Discovery §2 / RFC 8414 §2: the issuer has no query or fragment.
                fields.Problem($"{path}.issuer: must not have a query or fragment");
            }

            servers.Add(new ServerProfile(serverName, issuer, fields.String(s, path, "audience"), fields.Strings(s, path, "scopes")));
        }

        foreach (var duplicate in servers.GroupBy(s => s.Name).Where(g => g.Count() > 1))
        {
            fields.Problem($"$.servers: the name '{duplicate.Key}' is used {duplicate.Count()} times");
        }

        return servers;
    }

    /// <summary>
    /// <c>"okta": { "domain": "acme.okta.com", "orgServer": true, "servers": ["default", { "id": "aus1", "name": "orders", "audience": "api://orders" }] }</c>
    /// expands to the org server (issuer https://domain) and one custom server per id (issuer https://domain/oauth2/id).
    /// </summary>
    private List<ServerProfile> ExpandOkta(JsonElement okta)
    {
        const string path = "$.okta";
        var servers = new List<ServerProfile>();
        if (okta.ValueKind != JsonValueKind.Object)
        {
            return servers;
        }
        var domain = fields.String(okta, path, "domain", required: true);
        if (domain is null)
        {
            return servers;
        }

        domain = domain.Trim().TrimEnd('/');
        var baseUrl = domain.Contains("://", StringComparison.Ordinal) ? domain : "https://" + domain;
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var org) || org.AbsolutePath != "/")
        {
            fields.Problem($"{path}.domain: '{domain}' is not a bare host name such as acme.okta.com");
            return servers;
        }

        if (ProfileFields.Bool(okta, "orgServer") ?? true)
        {
            servers.Add(new ServerProfile("org", new Uri(org.GetLeftPart(UriPartial.Authority)), null, []));
        }

        if (!okta.TryGetProperty("servers", out var ids))
        {
            ids = JsonDocument.Parse("[\"default\"]").RootElement;
        }

        if (ids.ValueKind != JsonValueKind.Array)
        {
            return servers;
        }

        var i = 0;
        foreach (var entry in ids.EnumerateArray())
        {
            var entryPath = $"{path}.servers[{i++}]";
            string? id;
            string? name;
            string? audience;
            if (entry.ValueKind == JsonValueKind.String)
            {
                id = entry.GetString();
                name = id;
                audience = id == "default" ? "api://default" : null;
            }
            else if (entry.ValueKind == JsonValueKind.Object)
            {
                id = fields.String(entry, entryPath, "id", required: true);
                name = fields.String(entry, entryPath, "name") ?? id;
                audience = fields.String(entry, entryPath, "audience") ?? (id == "default" ? "api://default" : null);
            }
            else
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(id) || id.Contains('/', StringComparison.Ordinal))
            {
                fields.Problem($"{entryPath}: '{id}' is not an authorization server id");
                continue;
            }

            servers.Add(new ServerProfile(name!, new Uri($"{org.GetLeftPart(UriPartial.Authority)}/oauth2/{id}"), audience, []));
        }

        return servers;
    }

    /// <summary>
    /// <c>"clients": { "web": { ... }, "native": [ { ... }, { ... } ] }</c>: a role's value is one client, or an array
    /// of interchangeable clients of that role (checks are spread over them, see <see cref="Checks.Lanes"/>).
    /// </summary>
    private (Dictionary<string, ClientProfile> First, Dictionary<string, IReadOnlyList<ClientProfile>> Pools) ReadClients(JsonElement root, List<ServerProfile> servers)
    {
        var clients = new Dictionary<string, ClientProfile>(StringComparer.Ordinal);
        var pools = new Dictionary<string, IReadOnlyList<ClientProfile>>(StringComparer.Ordinal);
        if (!root.TryGetProperty("clients", out var map) || map.ValueKind != JsonValueKind.Object)
        {
            return (clients, pools);
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in map.EnumerateObject())
        {
            var role = property.Name;
            if (!ClientRoles.Contains(role))
            {
                continue;
            }

            var entries = property.Value.ValueKind == JsonValueKind.Array
                ? ProfileFields.Objects(property.Value, $"$.clients.{role}")
                : property.Value.ValueKind == JsonValueKind.Object ? [(property.Value, $"$.clients.{role}")] : [];
            var pool = new List<ClientProfile>();
            foreach (var (c, path) in entries)
            {
                if (ReadClient(role, c, path, servers) is not { } client)
                {
                    continue;
                }

                // Interchangeable clients are counted apart by the target (Okta: /authorize per client_id); one id twice
                // is one client, and web and web2 must stay two clients for the cross-client checks.
                var key = client.ClientId + (role is "web" or "web2" ? "|web" : "|" + role);
                if (seen.TryGetValue(key, out var first))
                {
                    fields.Problem($"{path}.id: '{client.ClientId}' is already the client at {first}" + (role is "web" or "web2" ? " (web and web2 must be different clients)" : ""));
                    continue;
                }

                seen[key] = path;
                pool.Add(client);
            }

            if (pool.Count > 0)
            {
                clients[role] = pool[0];
                pools[role] = pool;
            }
        }

        return (clients, pools);
    }

    private ClientProfile? ReadClient(string role, JsonElement c, string path, List<ServerProfile> servers)
    {
        var id = fields.String(c, path, "id", required: true);
        var secret = fields.SecretValue(c, path, "secret", required: ConfidentialRoles.Contains(role));
        if (PublicRoles.Contains(role) && c.TryGetProperty("secret", out _))
        {
            fields.Problem($"{path}.secret: a {role} client is public and must not have a secret");
        }

        // private_key_jwt (RFC 7523 §2.2): the assertion client holds a private JWK instead of a secret. Its shape is
        // checked where it is used (a plan loads the profile with placeholder secrets).
        var privateKey = fields.SecretValue(c, path, "privateKey", required: role == "assertion");

        var redirect = fields.Url(c, path, "redirectUri", required: RedirectingRoles.Contains(role), allowCustomScheme: true);
        var postLogout = fields.Url(c, path, "postLogoutRedirectUri", required: false, allowCustomScheme: true);
        var scopes = fields.Strings(c, path, "scopes");
        if (role is "service" or "assertion" && scopes.Count == 0)
        {
            // Client credentials needs a custom scope (Okta refuses openid there); nothing can be guessed.
            fields.Problem($"{path}.scopes: required for the service client (at least one custom scope)");
        }

        var serverNames = fields.Strings(c, path, "servers");
        foreach (var unknown in serverNames.Where(n => servers.All(s => s.Name != n)))
        {
            fields.Problem($"{path}.servers: '{unknown}' is not the name of a server in $.servers");
        }

        return id is null ? null : new ClientProfile(role, id, secret, redirect, postLogout, scopes, serverNames) { PrivateKey = privateKey };
    }

    private List<UserProfile> ReadUsers(JsonElement root)
    {
        var users = new List<UserProfile>();
        if (!root.TryGetProperty("users", out var list))
        {
            return users;
        }

        foreach (var (u, path) in ProfileFields.Objects(list, "$.users"))
        {
            var username = fields.String(u, path, "username", required: true);
            var password = fields.SecretValue(u, path, "password", required: true);
            var totp = fields.SecretValue(u, path, "totpSecret", required: false);
            if (username is not null && password is not null)
            {
                users.Add(new UserProfile(username, password, totp));
            }
        }

        return users;
    }

    private LoginProfile ReadLogin(JsonElement root)
    {
        if (!root.TryGetProperty("login", out var login))
        {
            return LoginProfile.Form;
        }

        const string path = "$.login";
        if (login.ValueKind != JsonValueKind.Object)
        {
            return LoginProfile.Form;
        }
        var drivers = login.TryGetProperty("drivers", out _) ? fields.Strings(login, path, "drivers") : [fields.String(login, path, "driver") ?? "form"];
        var selectors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (login.TryGetProperty("selectors", out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in map.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
            {
                selectors[p.Name] = p.Value.GetString()!;
            }
        }

        return new LoginProfile(drivers.Distinct().ToList(), selectors);
    }

    private TargetOptions ReadOptions(JsonElement root)
    {
        var defaults = root.TryGetProperty("okta", out _) ? TargetOptions.Default with { Pacing = TargetOptions.OktaPacing } : TargetOptions.Default;
        if (!root.TryGetProperty("options", out var o))
        {
            return defaults;
        }

        const string path = "$.options";
        if (o.ValueKind != JsonValueKind.Object)
        {
            return defaults;
        }
        var concurrency = ProfileFields.Number(o, "maxConcurrency") ?? defaults.MaxConcurrency;
        var timeout = ProfileFields.Number(o, "timeoutSeconds") is { } t ? TimeSpan.FromSeconds(t) : defaults.Timeout;
        var skew = ProfileFields.Number(o, "clockSkewSeconds") is { } s ? TimeSpan.FromSeconds(s) : defaults.ClockSkew;
        var maxBody = ProfileFields.Number(o, "maxBodyMegabytes") ?? defaults.MaxBodyMegabytes;
        var pacing = !o.TryGetProperty("pacing", out var rules) ? defaults.Pacing
            : rules.ValueKind == JsonValueKind.String ? (rules.GetString() == "okta" ? TargetOptions.OktaPacing : [])
            : ReadPacing(rules, path + ".pacing");
        var maxInconclusive = ProfileFields.Number(o, "maxInconclusive") ?? defaults.MaxInconclusive;
        return new TargetOptions(ProfileFields.Bool(o, "invasive") ?? false, concurrency, timeout, skew)
        {
            Pacing = pacing, MaxBodyMegabytes = maxBody, MaxInconclusive = maxInconclusive, Slow = ProfileFields.Bool(o, "slow") ?? false,
        };
    }

    /// <summary>
    /// <c>"pacing": [ { "path": "*/v1/authorize", "limit": 50, "windowSeconds": 60, "per": "client" } ]</c>; an empty list
    /// switches pacing off, and <c>"pacing": "okta"</c> (any other string is the schema's to report) takes <see cref="TargetOptions.OktaPacing"/>.
    /// </summary>
    private List<PaceRule> ReadPacing(JsonElement rules, string path)
    {
        var pacing = new List<PaceRule>();
        foreach (var (rule, at) in ProfileFields.Objects(rules, path))
        {
            var glob = fields.String(rule, at, "path", required: true);
            var limit = ProfileFields.Number(rule, "limit");
            var window = ProfileFields.Number(rule, "windowSeconds");
            if (glob is not null && !glob.StartsWith('/') && !glob.StartsWith('*'))
            {
                fields.Problem($"{at}.path: '{glob}' must be a URL path such as /oauth2/v1/token, with * for any run of characters");
                glob = null;
            }

            if (glob is not null && limit is not null && window is not null)
            {
                pacing.Add(new PaceRule(glob, limit.Value, TimeSpan.FromSeconds(window.Value), fields.String(rule, at, "per")));
            }
        }

        return pacing;
    }
}
