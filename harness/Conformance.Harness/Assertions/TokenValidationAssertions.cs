using Conformance.Harness.Jose;
using FluentAssertions;
using FluentAssertions.Execution;
using FluentAssertions.Primitives;

namespace Conformance.Harness.Assertions;

/// <summary>Assertions on the verdict of <see cref="IdTokenValidator"/> or <see cref="AccessTokenValidator"/>.</summary>
public sealed class TokenValidationAssertions(TokenValidation validation)
    : ReferenceTypeAssertions<TokenValidation, TokenValidationAssertions>(validation)
{
    protected override string Identifier => "token validation";

    /// <summary>No rule broken: signature, issuer, audience, lifetime and every binding hold.</summary>
    [CustomAssertion]
    public AndConstraint<TokenValidationAssertions> BeValid(string because = "", params object[] becauseArgs)
    {
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null)
            .FailWith("Expected a valid token{reason}, but found no validation result.")
            .Then
            .ForCondition(Subject!.IsValid)
            .FailWith("Expected the {0} {1} to be valid{reason}, but it broke {2} rule(s): {3}.",
                Subject.Kind, Subject.Fingerprint, Subject.Failures.Count, Joined(Subject.Failures));
        return new AndConstraint<TokenValidationAssertions>(this);
    }

    /// <summary>Rejected, with at least one failure that contains <paramref name="rule"/> (ordinal), e.g. "at_hash", "alg 'none'", "kid 'x'".</summary>
    [CustomAssertion]
    public AndConstraint<TokenValidationAssertions> BeRejectedFor(string rule, string because = "", params object[] becauseArgs)
    {
        ArgumentException.ThrowIfNullOrEmpty(rule);
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null)
            .FailWith("Expected a token rejected for {0}{reason}, but found no validation result.", rule)
            .Then
            .ForCondition(!Subject!.IsValid)
            .FailWith("Expected the {0} {1} to be rejected for {2}{reason}, but it was accepted as valid.", Subject.Kind, Subject.Fingerprint, rule)
            .Then
            .ForCondition(Subject.FailuresAbout(rule).Count > 0)
            .FailWith("Expected the {0} {1} to be rejected for {2}{reason}, but it was rejected only for: {3}.",
                Subject.Kind, Subject.Fingerprint, rule, Joined(Subject.Failures));
        return new AndConstraint<TokenValidationAssertions>(this);
    }

    /// <summary>No failure contains <paramref name="rule"/>, whatever else is wrong with the token.</summary>
    [CustomAssertion]
    public AndConstraint<TokenValidationAssertions> NotBeRejectedFor(string rule, string because = "", params object[] becauseArgs)
    {
        ArgumentException.ThrowIfNullOrEmpty(rule);
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null)
            .FailWith("Expected a token not rejected for {0}{reason}, but found no validation result.", rule)
            .Then
            .ForCondition(Subject!.FailuresAbout(rule).Count == 0)
            .FailWith("Expected the {0} {1} not to be rejected for {2}{reason}, but it was: {3}.",
                Subject.Kind, Subject.Fingerprint, rule, Joined(Subject.FailuresAbout(rule)));
        return new AndConstraint<TokenValidationAssertions>(this);
    }

    /// <summary>The decoded token carries <paramref name="claim"/> with the value <paramref name="expected"/> (as text).</summary>
    [CustomAssertion]
    public AndConstraint<TokenValidationAssertions> HaveClaim(string claim, string expected, string because = "", params object[] becauseArgs)
    {
        var actual = Subject?.Claim(claim);
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(actual == expected)
            .FailWith("Expected the token's {0} to be {1}{reason}, but found {2}.", claim, expected, actual is null ? "no such claim" : actual);
        return new AndConstraint<TokenValidationAssertions>(this);
    }

    // One string, so the formatter quotes it once instead of listing a collection over several lines.
    private static string Joined(IEnumerable<string> failures) => string.Join("; ", failures);
}
