using Conformance.Harness.Target;

namespace Conformance.Harness.Checks;

/// <summary>
/// One lane of a run: the user a check signs in as and, for each role, which of the profile's interchangeable clients
/// it uses. Okta counts /token and /api/v1/authn per user and /authorize per client (okta.md §3.2: "use a pool of test
/// users", "prefer several OAuth clients for parallel suites"), so checks spread over lanes are paced apart.
/// </summary>
/// <param name="User">Null only for a profile without users (a check that needs one then fails as before).</param>
public sealed record Lane(int Index, UserProfile? User, IReadOnlyDictionary<string, ClientProfile> Clients)
{
    private static readonly AsyncLocal<Lane?> CurrentLane = new();

    /// <summary>The lane of the check running on this flow, for steps that have no context at hand; null outside checks.</summary>
    public static Lane? Current => CurrentLane.Value;

    /// <summary>Makes this the lane of the calling flow until disposed.</summary>
    public IDisposable Enter()
    {
        var previous = CurrentLane.Value;
        CurrentLane.Value = this;
        return new Restore(previous);
    }

    private sealed class Restore(Lane? previous) : IDisposable
    {
        public void Dispose() => CurrentLane.Value = previous;
    }

    /// <summary>
    /// The profile as a check of this lane sees it: each role's client is the lane's, and the users are ordered
    /// lane user first, then the users no lane signs in as (TOTP users, spares), then the other lanes' users. So "the
    /// first password user" is the lane's, and a spare user (whom some checks throttle on purpose) is never another
    /// lane's main user while one that is not exists.
    /// </summary>
    public TargetProfile View(TargetProfile profile, IReadOnlyList<UserProfile> laneUsers)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var users = User is null ? profile.Users
            : [User, .. profile.Users.Where(u => u != User && !laneUsers.Contains(u)), .. profile.Users.Where(u => u != User && laneUsers.Contains(u))];
        return profile with { Clients = Clients, Users = users };
    }
}

/// <summary>
/// The lanes of a profile, and which one each check runs in. There are as many lanes as the larger of the users
/// without one-time codes and the clients of the largest role; lane i signs in as password user i (modulo their
/// number) and uses client i of each role (modulo that role's number). A profile with one of each has one lane: the
/// first user without one-time codes (else the first user) and the first client of each role, as before lanes.
/// </summary>
public sealed class Lanes
{
    private readonly int[] running;
    private readonly int[] assigned;
    private readonly long[] spent;
    private readonly List<Lease>[] live;
    private readonly Lock gate = new();

    public Lanes(TargetProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var passwordUsers = profile.Users.Where(u => u.TotpSecret is null).ToList();
        Users = passwordUsers.Count > 0 ? passwordUsers : profile.Users.Take(1).ToList();
        var pools = profile.Clients.Keys.ToDictionary(role => role, profile.ClientsOf, StringComparer.Ordinal);
        var count = Math.Max(1, Math.Max(Users.Count, pools.Values.Select(p => p.Count).DefaultIfEmpty(1).Max()));
        All = Enumerable.Range(0, count).Select(i => new Lane(
            i,
            Users.Count == 0 ? null : Users[i % Users.Count],
            pools.Where(p => p.Value.Count > 0).ToDictionary(p => p.Key, p => p.Value[i % p.Value.Count], StringComparer.Ordinal))).ToList();
        running = new int[count];
        assigned = new int[count];
        spent = new long[count];
        live = Enumerable.Range(0, count).Select(_ => new List<Lease>()).ToArray();
    }

    /// <summary>The users lanes sign in as, in profile order.</summary>
    public IReadOnlyList<UserProfile> Users { get; }

    public IReadOnlyList<Lane> All { get; }

    /// <summary>
    /// The lane for the next check: the one that has spent least of the scarcest budget so far (what its finished and
    /// running checks measure, see <see cref="Lease.MeasureBy"/>), then the one with the fewest checks running, then
    /// the fewest checks so far, then the lowest index; strict round-robin when checks run one at a time and spend
    /// nothing. Spent first: with per-client pacing a lane's throughput is its budget, and a lane ahead on it would set
    /// the run's length (by running counts, a two-lane paced run's web clients ended at 412 and 372 authorization
    /// requests). Dispose the lease when the check is over.
    /// </summary>
    public Lease Acquire()
    {
        lock (gate)
        {
            // One lane (most profiles): nothing to balance, so no running check's exchanges are counted.
            var load = All.Count == 1 ? [0L] : Enumerable.Range(0, All.Count).Select(i => spent[i] + live[i].Sum(l => l.Spent)).ToArray();
            var best = 0;
            for (var i = 1; i < All.Count; i++)
            {
                if (load[i] < load[best]
                    || (load[i] == load[best] && (running[i] < running[best] || (running[i] == running[best] && assigned[i] < assigned[best]))))
                {
                    best = i;
                }
            }

            running[best]++;
            assigned[best]++;
            var lease = new Lease(this, All[best]);
            live[best].Add(lease);
            return lease;
        }
    }

    private void Release(Lease lease)
    {
        var cost = All.Count == 1 ? 0 : lease.Spent;
        lock (gate)
        {
            live[lease.Lane.Index].Remove(lease);
            running[lease.Lane.Index]--;
            spent[lease.Lane.Index] += cost;
        }
    }

    /// <summary>A check's hold on its lane.</summary>
    public sealed class Lease(Lanes lanes, Lane lane) : IDisposable
    {
        private int released;
        private Func<long>? cost;

        public Lane Lane { get; } = lane;

        /// <summary>How the check counts what it spent of its lane's scarcest budget; read while it runs and when it ends.</summary>
        public void MeasureBy(Func<long> spent) => Volatile.Write(ref cost, spent);

        internal long Spent => Volatile.Read(ref cost)?.Invoke() ?? 0;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                lanes.Release(this);
            }
        }
    }
}
