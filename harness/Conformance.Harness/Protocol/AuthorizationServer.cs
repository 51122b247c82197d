using Conformance.Harness.Jose;
using Conformance.Harness.Target;

namespace Conformance.Harness.Protocol;

/// <summary>One authorization server of the target after discovery: what the profile said plus what it published.</summary>
public sealed class AuthorizationServer
{
    private AuthorizationServer(ServerProfile profile, ProviderMetadata? metadata, JwksCache? jwks, string? unavailable)
    {
        Profile = profile;
        metadataOrNull = metadata;
        jwksOrNull = jwks;
        Unavailable = unavailable;
    }

    private readonly ProviderMetadata? metadataOrNull;
    private readonly JwksCache? jwksOrNull;

    public ServerProfile Profile { get; }

    public string Name => Profile.Name;

    public Uri Issuer => Profile.Issuer;

    /// <summary>Why this server cannot be tested at all (discovery failed), or null.</summary>
    public string? Unavailable { get; }

    public ProviderMetadata Metadata => metadataOrNull ?? throw new Http.IssuerUnreachableException($"server '{Name}' is unavailable: {Unavailable}");

    public JwksCache Jwks => jwksOrNull ?? throw new Http.IssuerUnreachableException($"server '{Name}' has no usable jwks_uri: {Unavailable}");

    public static AuthorizationServer Discovered(ServerProfile profile, ProviderMetadata metadata, JwksCache? jwks) =>
        new(profile, metadata, jwks, jwks is null ? "the metadata has no jwks_uri" : null);

    public static AuthorizationServer Failed(ServerProfile profile, string reason) => new(profile, null, null, reason);

    public override string ToString() => $"{Name} ({Issuer})";
}
