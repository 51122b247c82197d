namespace Conformance.Harness;

/// <summary>
/// Steps run side by side under a bound: the one place where the harness fans out. The bound is the target's
/// (options.maxConcurrency), because some steps (browser logins) do not pass the HTTP layer's in-flight cap.
/// </summary>
public static class Concurrently
{
    /// <summary>Runs <paramref name="step"/> for each item, at most <paramref name="max"/> at once; results in item order.</summary>
    public static async Task<TResult[]> SelectAsync<TItem, TResult>(IEnumerable<TItem> items, int max, Func<TItem, Task<TResult>> step, CancellationToken ct = default)
    {
        using var slots = new SemaphoreSlim(Math.Max(1, max));
        return await Task.WhenAll(items.Select(async item =>
        {
            await slots.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await step(item).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);
    }
}
