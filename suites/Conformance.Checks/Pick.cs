using Conformance.Harness.Checks;
using Conformance.Harness.Target;

namespace Conformance.Checks;

/// <summary>Which client or user of the target profile a check acts as, when the honest default will not do.</summary>
internal static class Pick
{
    /// <summary>
    /// The first client of the given roles that serves this server and has a redirect URI (optionally an http(s) one);
    /// not applicable when the profile has none.
    /// </summary>
    public static ClientProfile RedirectingClient(CheckContext c, bool web, params string[] roles)
    {
        var client = roles.Select(r => c.Profile.Client(r))
            .FirstOrDefault(p => p is { RedirectUri: { } uri } && p.ServesServer(c.Server.Name) && (!web || uri.Scheme is "https" or "http"));
        c.Require(client is not null, $"the target profile has no {string.Join(" or ", roles.Select(r => $"'{r}'"))} client with {(web ? "an http(s) " : "a ")}redirectUri for server '{c.Server.Name}'");
        return client!;
    }

    /// <summary>A user other than <see cref="CheckContext.User"/> when the profile has one, so probes that may throttle an account spare the main test user.</summary>
    public static UserProfile SpareUser(CheckContext c, Func<UserProfile, bool>? suitable = null) =>
        c.Profile.Users.Where(u => suitable?.Invoke(u) ?? true).OrderBy(u => u == c.User ? 1 : 0).FirstOrDefault()
        ?? throw new NotApplicableException("the target profile has no suitable test user");
}
