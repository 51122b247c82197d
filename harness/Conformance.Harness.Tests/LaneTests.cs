using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Target;

namespace Conformance.Harness.Tests;

/// <summary>Several interchangeable clients of a role, and checks spread over the profile's users and clients.</summary>
public class LaneTests
{
    private const string Profile = """
        {
          "name": "lanes",
          "servers": [ { "name": "org", "issuer": "https://id.example.com" }, { "name": "default", "issuer": "https://id.example.com/oauth2/default" } ],
          "clients": {
            "web": [
              { "id": "web-a", "secret": "env:S", "redirectUri": "https://a.test/cb" },
              { "id": "web-b", "secret": "env:S", "redirectUri": "https://b.test/cb", "servers": [ "default" ] }
            ],
            "web2": { "id": "web-2", "secret": "env:S", "redirectUri": "https://two.test/cb" },
            "native": [ { "id": "native-a", "redirectUri": "com.example:/cb" } ]
          },
          "users": [
            { "username": "alice", "password": "env:S" },
            { "username": "bob", "password": "env:S", "totpSecret": "env:S" },
            { "username": "erin", "password": "env:S" },
            { "username": "frank", "password": "env:S" }
          ],
          "options": { "pacing": "okta" }
        }
        """;

    private static TargetProfile Load(string json) => new TargetProfileLoader(_ => "value").Load(json, "lanes.json");

    private static string Problems(string json) =>
        FluentActions.Invoking(() => Load(json)).Should().Throw<TargetProfileException>().Which.Message;

    [Test]
    public void A_role_may_list_interchangeable_clients_and_the_first_is_the_roles_client()
    {
        var profile = Load(Profile);

        profile.Client("web")!.ClientId.Should().Be("web-a", "the single-client view keeps working");
        profile.ClientsOf("web").Select(c => c.ClientId).Should().Equal("web-a", "web-b");
        profile.ClientsOf("web2").Select(c => c.ClientId).Should().Equal("web-2");
        profile.ClientsOf("native").Select(c => c.ClientId).Should().Equal("native-a");
        profile.ClientsOf("spa").Should().BeEmpty();
        profile.AllClients.Select(c => c.ClientId).Should().BeEquivalentTo(["web-a", "web-b", "web-2", "native-a"]);
        profile.Options.Pacing.Should().Equal(TargetOptions.OktaPacing, "\"pacing\": \"okta\" names Okta's rules");
    }

    [Test]
    public void Wrong_client_arrays_are_named_by_their_path()
    {
        var json = Profile
            .Replace("""{ "id": "web-b", "secret": "env:S", "redirectUri": "https://b.test/cb", "servers": [ "default" ] }""",
                """{ "id": "web-a", "secret": "env:S", "redirectUri": "https://b.test/cb" }, { "id": "web-c", "secret": "env:S" }, 7""", StringComparison.Ordinal)
            .Replace("""{ "id": "web-2", "secret": "env:S", "redirectUri": "https://two.test/cb" }""", """[ { "id": "web-a", "secret": "env:S", "redirectUri": "https://two.test/cb" } ]""", StringComparison.Ordinal)
            .Replace("""[ { "id": "native-a", "redirectUri": "com.example:/cb" } ]""", "[]", StringComparison.Ordinal)
            .Replace("\"pacing\": \"okta\"", "\"pacing\": \"fast\"", StringComparison.Ordinal);

        var message = Problems(json);

        message.Should().Contain("$.clients.web[1].id: 'web-a' is already the client at $.clients.web[0]")
            .And.Contain("$.clients.web[2].redirectUri: required")
            .And.Contain("$.clients.web[3]: must be an object")
            .And.Contain("$.clients.web2[0].id: 'web-a' is already the client at $.clients.web[0] (web and web2 must be different clients)")
            .And.Contain("$.clients.native: must be a client object or a non-empty array of client objects")
            .And.Contain("$.options.pacing: 'fast' is not a pacing preset (expected \"okta\" or an array of rules)");
    }

    [Test]
    public void Lanes_pair_each_password_user_with_one_client_of_each_role_round_robin()
    {
        var profile = Load(Profile);
        var lanes = new Lanes(profile);

        lanes.Users.Select(u => u.Username).Should().Equal(["alice", "erin", "frank"], "users with one-time codes are not lanes' users");
        lanes.All.Should().HaveCount(3, "three password users, at most two clients of a role");
        lanes.All.Select(l => (l.User!.Username, l.Clients["web"].ClientId, l.Clients["web2"].ClientId, l.Clients["native"].ClientId)).Should().Equal(
            ("alice", "web-a", "web-2", "native-a"),
            ("erin", "web-b", "web-2", "native-a"),
            ("frank", "web-a", "web-2", "native-a"));

        // One at a time: strict round-robin.
        var order = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            using var lease = lanes.Acquire();
            order.Add(lease.Lane.Index);
        }

        order.Should().Equal(0, 1, 2, 0, 1, 2);

        // Side by side: a new check goes to the lane with the fewest running, so no lane's limits sit idle.
        using var first = lanes.Acquire();
        using var second = lanes.Acquire();
        var third = lanes.Acquire();
        third.Dispose();
        using var fourth = lanes.Acquire();
        new[] { first.Lane.Index, second.Lane.Index, fourth.Lane.Index }.Should().OnlyHaveUniqueItems();
    }

    [Test]
    public void With_checks_running_alike_the_next_goes_to_the_lane_that_spent_least()
    {
        var lanes = new Lanes(Load(Profile));

        // Lane 0's check made five authorization requests, lane 1's one, lane 2's three.
        foreach (var cost in new long[] { 5, 1, 3 })
        {
            using var lease = lanes.Acquire();
            lease.MeasureBy(() => cost);
        }

        // By checks assigned (one each) this would be lane 0 again; by what they spent it is lane 1.
        using (var next = lanes.Acquire())
        {
            next.Lane.Index.Should().Be(1);
            next.MeasureBy(() => 4);
        }

        // Lane 1 has now spent 5, lane 2 three: the cheapest is lane 2. What a running check has spent so far counts.
        using var cheapest = lanes.Acquire();
        cheapest.Lane.Index.Should().Be(2);
        var running = 10L;
        cheapest.MeasureBy(() => running);
        using var after = lanes.Acquire();
        after.Lane.Index.Should().Be(0, "lanes 0 and 1 have spent 5 with none running, lane 2 13 with its running check, and lane 0 has had fewer checks");
    }

    [Test]
    public void A_profile_with_one_of_each_has_one_lane_as_before()
    {
        var profile = Load(Profile.Replace("""{ "username": "erin", "password": "env:S" },""", "", StringComparison.Ordinal)
            .Replace("""{ "username": "frank", "password": "env:S" }""", """{ "username": "carol", "password": "env:S", "totpSecret": "env:S" }""", StringComparison.Ordinal)
            // A trailing comma is left behind; profiles allow one.
            .Replace("""{ "id": "web-b", "secret": "env:S", "redirectUri": "https://b.test/cb", "servers": [ "default" ] }""", "", StringComparison.Ordinal));

        var lanes = new Lanes(profile);

        lanes.All.Should().ContainSingle().Which.User!.Username.Should().Be("alice");
        var onlyTotp = Load(Profile.Replace("""{ "username": "alice", "password": "env:S" },""", "", StringComparison.Ordinal)
            .Replace("""{ "username": "erin", "password": "env:S" },""", "", StringComparison.Ordinal)
            .Replace("""{ "username": "frank", "password": "env:S" }""", """{ "username": "carol", "password": "env:S", "totpSecret": "env:S" }""", StringComparison.Ordinal));
        new Lanes(onlyTotp).Users.Select(u => u.Username).Should().Equal(["bob"], "without a password-only user, the first user, as before");
    }

    [Test]
    public void A_lanes_view_puts_its_user_first_then_the_users_no_lane_signs_in_as_and_uses_its_clients()
    {
        var profile = Load(Profile);
        var lanes = new Lanes(profile);

        var erin = lanes.All[1].View(profile, lanes.Users);

        erin.Users.Select(u => u.Username).Should().Equal(["erin", "bob", "alice", "frank"],
            "a spare user (some checks throttle one on purpose) is not another lane's main user while bob is there");
        erin.Users.First(u => u.TotpSecret is null).Username.Should().Be("erin");
        erin.Client("web")!.ClientId.Should().Be("web-b");
        erin.ClientsOf("web").Should().HaveCount(2, "the whole pool stays visible");
        erin.Secrets.Should().BeEquivalentTo(profile.Secrets);
    }

    [Test]
    public async Task A_check_runs_in_its_lane_with_its_user_clients_and_pacing_identity()
    {
        var profile = Load(Profile);
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), TimeSpan.FromSeconds(5));
        var target = new Protocol.ConnectedTarget(profile, http, [Server("org", profile, http), Server("default", profile, http)]);
        var runner = new CheckRunner(target, loginDriver: null);
        var seen = new List<(string User, string? Web, string? Paced, string? Current)>();
        var check = new RuleCheck(Definition("LANE-01"), c =>
        {
            lock (seen)
            {
                seen.Add((c.User.Username, c.Client("web").ClientId, PaceIdentity.CurrentUser, Lane.Current?.User?.Username));
            }

            return Task.CompletedTask;
        });

        for (var i = 0; i < 3; i++)
        {
            (await runner.RunAsync(check, target.Servers[1])).Outcome.Should().Be(Outcome.Pass);
        }

        var onOrg = await runner.RunAsync(check, target.Servers[0]);

        onOrg.Outcome.Should().Be(Outcome.Pass);
        seen.Select(s => s.User).Should().Equal("alice", "erin", "frank", "alice");
        seen.Select(s => s.Web).Should().Equal("web-a", "web-b", "web-a", "web-a");
        seen.Should().OnlyContain(s => s.Paced == s.User && s.Current == s.User, "the pacer and the flow steps know the lane's user");
        PaceIdentity.CurrentUser.Should().BeNull();
        Lane.Current.Should().BeNull();
    }

    [Test]
    public async Task A_lanes_client_that_does_not_serve_the_server_gives_way_to_one_of_its_role_that_does()
    {
        var profile = Load(Profile);
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), TimeSpan.FromSeconds(5));
        var target = new Protocol.ConnectedTarget(profile, http, [Server("org", profile, http)]);
        var runner = new CheckRunner(target, loginDriver: null);
        var clients = new List<string>();
        var check = new RuleCheck(Definition("LANE-02"), c =>
        {
            clients.Add(c.Client("web").ClientId);
            return Task.CompletedTask;
        });

        await runner.RunAsync(check, target.Servers[0]);
        await runner.RunAsync(check, target.Servers[0]);

        clients.Should().Equal(["web-a", "web-a"], "web-b is registered with 'default' only");
    }

    private static CheckDefinition Definition(string id) => new()
    {
        Id = id,
        Area = "test",
        Requirement = "A check runs in one lane.",
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Specs = [SpecRef.Parse("RFC6749 §4.1.3")],
        Applicability = "any",
        Remediation = "none",
    };

    /// <summary>A server as discovery would describe it; nothing is fetched (its keys are never asked for here).</summary>
    private static Protocol.AuthorizationServer Server(string name, TargetProfile profile, HarnessHttp http)
    {
        var issuer = profile.Server(name).Issuer;
        using var json = System.Text.Json.JsonDocument.Parse($$"""{ "issuer": "{{issuer}}", "jwks_uri": "{{issuer}}/keys" }""");
        var metadata = new Protocol.ProviderMetadata(json.RootElement.Clone(), issuer);
        return Protocol.AuthorizationServer.Discovered(profile.Server(name), metadata, new Jose.JwksCache(http, new Uri(issuer + "/keys")));
    }
}
