using System.Collections.Concurrent;
using Conformance.Harness.Target;
using OtpNet;

namespace Conformance.Harness.Login;

/// <summary>
/// RFC 6238 codes for a test user, never the same code twice. Servers refuse a replayed code (RFC 6238 §5.2),
/// and parallel flows of one user would otherwise collide inside one 30-second step. The current step is used
/// first, then the next and the previous one (§5.2 recommends accepting one step of drift either way); after
/// that the caller waits for a new step.
/// <para>The previous step is used only early in the current one. A code of step s−1 computed late in step s reaches a
/// server that may already be in step s+1, two steps back and outside its window: the reference issuer refused
/// exactly such a code in one run of twenty, in a browser flow (typing takes seconds).</para>
/// </summary>
public static class TotpCodes
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new();
    private static readonly ConcurrentDictionary<string, HashSet<long>> Used = new();

    /// <summary>How long a code must stay valid on a server whose clock is on ours: the time a flow may take from computing the code to the server checking it.</summary>
    internal const int SafetySeconds = 10;

    /// <summary>The steps whose codes may be used at this moment (Unix seconds), in order of preference.</summary>
    internal static IReadOnlyList<long> Candidates(long unixSeconds)
    {
        var step = unixSeconds / 30;
        var left = 30 - (unixSeconds % 30);
        // The server accepts step−1 until its own step reaches s+1, i.e. for the rest of this step only.
        return left > SafetySeconds ? [step, step + 1, step - 1] : [step, step + 1];
    }

    public static async Task<string> NextAsync(UserProfile user, CancellationToken ct = default)
    {
        var secret = user.TotpSecret ?? throw new LoginFailedException($"user '{user.Username}' has no totpSecret in the profile");
        byte[] key;
        try
        {
            key = Base32Encoding.ToBytes(secret.Reveal());
        }
        catch (ArgumentException)
        {
            throw new LoginFailedException($"the totpSecret of '{user.Username}' ({secret.Reference}) is not Base32");
        }

        var totp = new Totp(key);
        var gate = Gates.GetOrAdd(user.Username, _ => new SemaphoreSlim(1, 1));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        using var noted = new NoteOnExit(waited);
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var used = Used.GetOrAdd(user.Username, _ => []);
            while (true)
            {
                var now = DateTimeOffset.UtcNow;
                var step = now.ToUnixTimeSeconds() / 30;
                used.RemoveWhere(s => s < step - 1);
                foreach (var candidate in Candidates(now.ToUnixTimeSeconds()))
                {
                    if (used.Add(candidate))
                    {
                        return totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(candidate * 30).UtcDateTime);
                    }
                }

                await Task.Delay(TimeSpan.FromSeconds(30 - (now.ToUnixTimeSeconds() % 30)) + TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The time spent here, behind other flows of the same user and for a new step, is reported to the check's
    /// deadline (as a request held by the pacer is): it is the cost of codes being good once, not the server's.
    /// </summary>
    private sealed class NoteOnExit(System.Diagnostics.Stopwatch waited) : IDisposable
    {
        public void Dispose()
        {
            if (waited.Elapsed > TimeSpan.FromMilliseconds(200))
            {
                Http.RequestPacer.NoteWait(waited.Elapsed);
            }
        }
    }
}
