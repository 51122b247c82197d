using Conformance.Harness.Jose;
using Conformance.Harness.Protocol;

namespace Conformance.Harness.Assertions;

/// <summary>
/// FluentAssertions entry points for the harness's own results, so a suite reads like the rule it checks:
/// <c>validation.Should().BeRejectedFor("at_hash")</c>, <c>tokens.Should().BeOAuthError("invalid_grant", "RFC 6749 §5.2")</c>.
/// </summary>
public static class ConformanceAssertionExtensions
{
    public static TokenValidationAssertions Should(this TokenValidation validation) => new(validation);

    public static TokenResponseAssertions Should(this TokenResponse tokens) => new(tokens);
}
