using System.Net;
using Conformance.Harness.Protocol;
using FluentAssertions;
using FluentAssertions.Execution;
using FluentAssertions.Primitives;

namespace Conformance.Harness.Assertions;

/// <summary>Assertions on an answer of the token endpoint (RFC 6749 §5.1 success, §5.2 error).</summary>
public sealed class TokenResponseAssertions(TokenResponse tokens)
    : ReferenceTypeAssertions<TokenResponse, TokenResponseAssertions>(tokens)
{
    protected override string Identifier => "token response";

    /// <summary>RFC 6749 §5.1: HTTP 200 with an access_token.</summary>
    [CustomAssertion]
    public AndConstraint<TokenResponseAssertions> BeSuccessful(string because = "", params object[] becauseArgs)
    {
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null)
            .FailWith("Expected a successful token response{reason}, but found none.")
            .Then
            .ForCondition(Subject!.IsSuccess)
            .FailWith("Expected a successful token response (HTTP 200 with an access_token, RFC 6749 §5.1){reason}, but found {0}.", Subject.ToString());
        return new AndConstraint<TokenResponseAssertions>(this);
    }

    /// <summary>
    /// RFC 6749 §5.2: the error code <paramref name="error"/> in a JSON body, HTTP 400 (or 401 for invalid_client),
    /// and no access token.
    /// </summary>
    [CustomAssertion]
    public AndConstraint<TokenResponseAssertions> BeOAuthError(string error, string because = "", params object[] becauseArgs)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        var statuses = error == "invalid_client" ? "HTTP 400 or 401" : "HTTP 400";
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null)
            .FailWith("Expected the OAuth error {0}{reason}, but found no token response.", error)
            .Then
            .ForCondition(Subject!.AccessToken is null)
            .FailWith("Expected the OAuth error {0} ({1}, RFC 6749 §5.2){reason}, but the server issued an access token: {2}.", error, statuses, Subject.ToString())
            .Then
            .ForCondition(Subject.Json is { ValueKind: System.Text.Json.JsonValueKind.Object })
            .FailWith("Expected the OAuth error {0} in a JSON object body (RFC 6749 §5.2){reason}, but found HTTP {1} with content type {2} and no JSON object.",
                error, (int)Subject.Status, Subject.ContentType ?? "none")
            .Then
            .ForCondition(Subject.Error == error)
            .FailWith("Expected the OAuth error {0} (RFC 6749 §5.2){reason}, but found {1}.", error, Subject.Error is null ? "no error field: " + Subject : "error " + Quote(Subject.Error) + ": " + Subject)
            .Then
            .ForCondition(Subject.Status == HttpStatusCode.BadRequest || (error == "invalid_client" && Subject.Status == HttpStatusCode.Unauthorized))
            .FailWith("Expected the OAuth error {0} with {1} (RFC 6749 §5.2){reason}, but found HTTP {2}.", error, statuses, (int)Subject.Status);
        return new AndConstraint<TokenResponseAssertions>(this);
    }

    /// <summary>RFC 6749 §5.1: Cache-Control carries the no-store directive (case-insensitive).</summary>
    [CustomAssertion]
    public AndConstraint<TokenResponseAssertions> HaveNoStoreCacheControl(string because = "", params object[] becauseArgs) =>
        HaveDirective("Cache-Control", Subject?.CacheControl, "no-store", "Cache-Control to contain no-store", because, becauseArgs);

    /// <summary>RFC 6749 §5.1 (HTTP/1.0 caches): Pragma: no-cache.</summary>
    [CustomAssertion]
    public AndConstraint<TokenResponseAssertions> HaveNoCachePragma(string because = "", params object[] becauseArgs) =>
        HaveDirective("Pragma", Subject?.Pragma, "no-cache", "Pragma: no-cache", because, becauseArgs);

    /// <summary>
    /// Cache-Control and Pragma are both comma-separated directive lists whose names compare without case
    /// (RFC 9111 §5.2, §5.4): one reading for both, so the two rules cannot drift apart.
    /// </summary>
    [CustomAssertion]
    private AndConstraint<TokenResponseAssertions> HaveDirective(string header, string? value, string directive, string expectation, string because, object[] becauseArgs)
    {
        var directives = (value ?? "").Split(',').Select(d => d.Trim());
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(directives.Any(d => d.Equals(directive, StringComparison.OrdinalIgnoreCase)))
            .FailWith("Expected " + expectation + " (RFC 6749 §5.1){reason}, but found {0}.",
                value is null ? $"no {header} header" : $"{header}: {value}");
        return new AndConstraint<TokenResponseAssertions>(this);
    }

    private static string Quote(string value) => "'" + value + "'";
}
