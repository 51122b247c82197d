using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Web;

namespace Conformance.Harness.Http;

/// <summary>
/// Who a request is for, as a pace rule counts it: the user (Okta limits /api/v1/authn and /oauth2/v1/token to 4 a
/// second per user, okta.md §3.2) and the client (Okta limits /authorize to 60 a minute per client_id and IP).
/// Null when the request does not tell: such requests share one bucket of the rule.
/// </summary>
public sealed record PaceIdentity(string? User, string? Client)
{
    /// <summary>The largest body read to find a username or client_id: token and authn requests are a few hundred bytes.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    private static readonly AsyncLocal<string?> LaneUser = new();

    /// <summary>The prefix of the user a client's own grant is counted as: "client " and its client_id.</summary>
    public const string ClientAsUser = "client ";

    /// <summary>Grants sent by a client for itself, with no user known at the time of the request.</summary>
    private static readonly HashSet<string> ClientGrants = new(StringComparer.Ordinal)
    {
        "client_credentials", "urn:ietf:params:oauth:grant-type:device_code",
    };

    /// <summary>
    /// The user the calling flow acts for (a check's lane user), for the requests it sends that do not name one:
    /// a code or refresh grant, a factor verification. Set for a check's duration by the check runner; dispose to restore.
    /// </summary>
    public static IDisposable ActAs(string? username)
    {
        var previous = LaneUser.Value;
        LaneUser.Value = username;
        return new Restore(previous);
    }

    /// <summary>The user set by <see cref="ActAs"/> for the calling flow, if any.</summary>
    public static string? CurrentUser => LaneUser.Value;

    private sealed class Restore(string? previous) : IDisposable
    {
        public void Dispose() => LaneUser.Value = previous;
    }

    /// <summary>
    /// What the request itself says first (a password grant's or a primary authentication's username; the client_id
    /// of the query, the form, or HTTP Basic), then the flow's lane user. Only small form and JSON bodies are read,
    /// and only when a rule asks; they are buffered already (the 429 handler reads them to be able to replay).
    /// </summary>
    public static async Task<PaceIdentity> OfAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var url = request.RequestUri!;
        string? user = null;
        var client = HttpUtility.ParseQueryString(url.Query)["client_id"];
        if (request.Content is { } content && content.Headers.ContentLength is null or <= MaxBodyBytes)
        {
            var type = content.Headers.ContentType?.MediaType;
            if (type == "application/x-www-form-urlencoded")
            {
                var form = HttpUtility.ParseQueryString(await content.ReadAsStringAsync(ct).ConfigureAwait(false));
                user = form["username"];
                client ??= form["client_id"] ?? BasicUser(request.Headers.Authorization);
                if (ClientGrants.Contains(form["grant_type"] ?? "") && client is not null)
                {
                    // No user takes part: the client asks for itself (client credentials, RFC 6749 §4.4; Okta's token
                    // then has the client as its sub) or a device polls before anyone is known (RFC 8628 §3.4). The
                    // client is the "user" it is counted as, not the user of the check that sent it, as a target that
                    // limits per user can only count it per client: two lanes sharing the service client share its budget.
                    user = ClientAsUser + client;
                }
            }
            else if (type == "application/json")
            {
                user = JsonUsername(await content.ReadAsByteArrayAsync(ct).ConfigureAwait(false));
            }
        }

        client ??= BasicUser(request.Headers.Authorization);
        return new PaceIdentity(string.IsNullOrEmpty(user) ? CurrentUser : user, string.IsNullOrEmpty(client) ? null : client);
    }

    /// <summary>The "username" of a JSON object body (Okta's primary authentication, POST /api/v1/authn).</summary>
    private static string? JsonUsername(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("username", out var name)
                && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>RFC 6749 §2.3.1: the client id is the form-urlencoded part before the colon (a public client's Basic may have no colon).</summary>
    private static string? BasicUser(AuthenticationHeaderValue? authorization)
    {
        if (authorization is not { Scheme: var scheme, Parameter: { } parameter } || !scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return Uri.UnescapeDataString(colon < 0 ? pair : pair[..colon]);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
