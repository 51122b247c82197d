using System.Collections.Concurrent;

namespace Conformance.Harness.Http;

/// <summary>
/// Collects exchanges for whatever check is running on this async flow. Checks run in parallel, so the
/// current scope travels with the async context rather than living in a shared field.
/// </summary>
public sealed class EvidenceRecorder
{
    private static readonly AsyncLocal<EvidenceScope?> Current = new();
    private int sequence;

    public EvidenceScope? CurrentScope => Current.Value;

    /// <summary>Starts collecting for one check; exchanges made on this async flow until disposal land in it.</summary>
    public EvidenceScope BeginScope(string name)
    {
        var scope = new EvidenceScope(name, Current.Value);
        Current.Value = scope;
        return scope;
    }

    internal int NextSequence() => Interlocked.Increment(ref sequence);

    internal void Record(HttpExchange exchange)
    {
        for (var scope = Current.Value; scope is not null; scope = scope.Parent)
        {
            if (!scope.IsClosed)
            {
                scope.Add(exchange);
                return;
            }
        }
    }

    internal static void Restore(EvidenceScope? scope) => Current.Value = scope;
}

public sealed class EvidenceScope : IDisposable
{
    private readonly ConcurrentQueue<HttpExchange> exchanges = new();

    internal EvidenceScope(string name, EvidenceScope? parent)
    {
        Name = name;
        Parent = parent;
    }

    public string Name { get; }

    public EvidenceScope? Parent { get; }

    public bool IsClosed { get; private set; }

    public IReadOnlyList<HttpExchange> Exchanges => exchanges.OrderBy(e => e.Sequence).ToList();

    internal void Add(HttpExchange exchange) => exchanges.Enqueue(exchange);

    public void Dispose()
    {
        IsClosed = true;
        EvidenceRecorder.Restore(Parent);
    }
}
