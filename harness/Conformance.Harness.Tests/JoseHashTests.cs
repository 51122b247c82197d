using Conformance.Harness.Jose;

namespace Conformance.Harness.Tests;

/// <summary>at_hash / c_hash: the left-most half of the hash of the JWS alg, base64url (OIDC Core §3.1.3.6, §3.3.2.11).</summary>
public class JoseHashTests
{
    // The examples of OIDC Core Appendix A (RS256).
    [TestCase("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", "77QmUPtjPfzWtF2AnpK9RQ")]
    [TestCase("Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk", "LDktKdoQak3Pk0cnXxCltA")]
    public void The_spec_examples_hash_as_published(string value, string expected)
    {
        JwsAlgorithms.LeftHalfHash(value, "RS256").Should().Be(expected);
    }

    [TestCase("RS256", 16)]
    [TestCase("PS256", 16)]
    [TestCase("ES256", 16)]
    [TestCase("RS384", 24)]
    [TestCase("ES384", 24)]
    [TestCase("PS512", 32)]
    [TestCase("ES512", 32)]
    [TestCase("EdDSA", 32)]
    public void The_hash_function_follows_the_alg(string alg, int halfLength)
    {
        var hash = JwsAlgorithms.LeftHalfHash("access-token", alg)!;

        Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(hash).Should().HaveCount(halfLength);
    }

    [TestCase("none")]
    [TestCase("RS1")]
    [TestCase(null)]
    public void An_alg_without_a_hash_function_gives_no_hash(string? alg)
    {
        JwsAlgorithms.LeftHalfHash("x", alg).Should().BeNull();
    }

    [Test]
    public void Symmetric_and_none_algs_are_recognised()
    {
        JwsAlgorithms.IsSymmetric("HS256").Should().BeTrue();
        JwsAlgorithms.IsSymmetric("RS256").Should().BeFalse();
        JwsAlgorithms.IsNone("None").Should().BeTrue();
        JwsAlgorithms.IsNone("").Should().BeTrue();
        JwsAlgorithms.Asymmetric.Should().NotContain(a => a.StartsWith("HS", StringComparison.Ordinal) || a == "none");
    }
}
