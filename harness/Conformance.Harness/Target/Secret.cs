namespace Conformance.Harness.Target;

/// <summary>
/// A credential taken from the environment. It never formats itself: ToString gives the reference
/// (<c>env:NAME</c>), so a secret that slips into a log line, an exception or a report shows where it
/// came from, not what it is. Code that must send it calls <see cref="Reveal"/>.
/// </summary>
public sealed class Secret
{
    private readonly string value;

    public Secret(string reference, string value)
    {
        Reference = reference;
        this.value = value;
    }

    /// <summary>Where the value came from, e.g. <c>env:CONF_WEB_SECRET</c>.</summary>
    public string Reference { get; }

    public string Reveal() => value;

    public override string ToString() => Reference;
}
