using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Harness.Checks;

/// <summary>
/// What a check works with: the target, the server under test, a user agent, and the three ways a check ends
/// early: not applicable (<see cref="Require"/>), inconclusive (<see cref="Precondition"/>) or violated
/// (<see cref="Expect"/>).
/// </summary>
public sealed class CheckContext
{
    private readonly List<string> notes = [];
    private readonly List<Jose.DecodedToken> tokens = [];
    private readonly AuthorizationServer? server;
    private readonly string? noLoginDriver;
    private readonly Action<TimeSpan>? extendDeadline;

    internal CheckContext(CheckDefinition check, ConnectedTarget target, AuthorizationServer? server, ILoginDriver? loginDriver, CancellationToken cancellation, string? noLoginDriver = null, Action<TimeSpan>? extendDeadline = null, Lane? lane = null, IReadOnlyList<UserProfile>? laneUsers = null)
    {
        this.extendDeadline = extendDeadline;
        Lane = lane;
        Profile = lane is null ? target.Profile : lane.View(target.Profile, laneUsers ?? []);
        Definition = check;
        Target = target;
        this.server = server;
        LoginDriverOrNull = loginDriver;
        Cancellation = cancellation;
        this.noLoginDriver = noLoginDriver;
    }

    /// <summary>The rule being checked.</summary>
    public CheckDefinition Definition { get; }

    public ConnectedTarget Target { get; }

    public AuthorizationServer Server => server ?? throw new InvalidOperationException($"{Definition.Id} runs per target and has no single server");

    public CancellationToken Cancellation { get; }

    internal ILoginDriver? LoginDriverOrNull { get; }

    /// <summary>The login driver of this run, or not applicable with the reason the driver cannot run here.</summary>
    public ILoginDriver LoginDriver => LoginDriverOrNull ?? throw new NotApplicableException(noLoginDriver ?? "no login driver can run here");

    public IReadOnlyList<string> Notes => notes;

    public IReadOnlyList<Jose.DecodedToken> Tokens => tokens;

    /// <summary>Keeps a token as evidence: decoded header and claims plus a fingerprint, never the token.</summary>
    public void Evidence(string label, string? token)
    {
        if (!string.IsNullOrEmpty(token))
        {
            tokens.Add(Jose.DecodedToken.From(label, token));
        }
    }

    /// <summary>The user and clients this check runs with (see <see cref="Lanes"/>); null for a context made without lanes.</summary>
    public Lane? Lane { get; }

    /// <summary>
    /// The target profile as this check's lane sees it: each role's client is the lane's, and the lane's user is the
    /// first user (see <see cref="Checks.Lane.View"/>). The whole profile, every client of every role, is <c>Target.Profile</c>.
    /// </summary>
    public TargetProfile Profile { get; }

    /// <summary>The user the check signs in as: its lane's, i.e. one of the users without one-time codes, else the first user.</summary>
    public UserProfile User =>
        Lane?.User ?? Profile.Users.FirstOrDefault(u => u.TotpSecret is null) ?? Profile.Users[0];

    /// <summary>
    /// Lets time pass on the target (minutes for a slow check, <see cref="CheckDefinition.Slow"/>; seconds for an
    /// auth_time to move on); the check's deadline is extended by the wait, which is the rule's cost, not the check's.
    /// </summary>
    public Task WaitAsync(TimeSpan span)
    {
        extendDeadline?.Invoke(span);
        return Target.Wait(span, Cancellation);
    }

    /// <summary>Something a reviewer should know that is not a verdict (e.g. which error code the server chose).</summary>
    public void Note(string note) => notes.Add(note);

    /// <summary>Not applicable unless the condition holds; the reason names what the target lacks.</summary>
    public void Require(bool condition, string whatIsMissing)
    {
        if (!condition)
        {
            throw new NotApplicableException(whatIsMissing);
        }
    }

    public void RequireMetadata(string field, string value) =>
        Require(Server.Metadata.Lists(field, value), $"server '{Server.Name}' does not list '{value}' in {field}");

    public Uri RequireEndpoint(string field) =>
        Server.Metadata.Url(field) ?? throw new NotApplicableException($"server '{Server.Name}' publishes no {field}");

    /// <summary>
    /// The lane's client of the role when it serves this server, else another client of the role that does (a role's
    /// interchangeable clients may be registered with different servers); not applicable when none does.
    /// </summary>
    public ClientProfile Client(string role)
    {
        var client = new[] { Profile.Client(role) }.Concat(Target.Profile.ClientsOf(role)).FirstOrDefault(c => c is not null && c.ServesServer(Server.Name));
        Require(client is not null, $"the target profile has no '{role}' client for server '{Server.Name}'");
        return client!;
    }

    public OAuthClient OAuth(string role) => new(Target.Http, Server, Client(role));

    public OAuthClient OAuth(ClientProfile client, AuthorizationServer? on = null) => new(Target.Http, on ?? Server, client);

    /// <summary>
    /// Runs one step per item side by side, at most the profile's maxConcurrency at once, results in item order.
    /// The bound matters for browser logins: their requests do not pass the HTTP layer's in-flight cap, and a target
    /// whose store fails when two writes meet (Glewlwyd on SQLite) must see one login at a time when it asks for 1.
    /// </summary>
    public Task<TResult[]> SideBySideAsync<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, Task<TResult>> step) =>
        Concurrently.SelectAsync(items, Profile.Options.MaxConcurrency, step, Cancellation);

    /// <summary>Inconclusive unless the honest step worked: the rule under test was never reached.</summary>
    public void Precondition(bool condition, string whatFailed)
    {
        if (!condition)
        {
            throw new PreconditionFailedException(whatFailed);
        }
    }

    /// <summary>The rule itself: a MUST check fails, a SHOULD check warns.</summary>
    public void Expect(bool condition, string expected, string observed)
    {
        if (!condition)
        {
            throw new RequirementViolatedException(Definition.Requirement, expected, observed);
        }
    }

    /// <summary>
    /// A SHOULD step inside a stronger check (a flow resting on MUSTs): broken, it warns rather than fails, whatever
    /// the check's level. The clause names the SHOULD ("RFC 7009 §2: ... SHOULD ...").
    /// </summary>
    public void ExpectShould(bool condition, string clause, string observed)
    {
        if (!condition)
        {
            throw new RequirementViolatedException(clause, clause, observed) { Level = RequirementLevel.Should };
        }
    }
}
