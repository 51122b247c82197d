namespace Conformance.Harness.Http;

/// <summary>
/// The issuer did not answer (refused, timed out, TLS failed) or answered with something that is not the
/// protocol at all. A check that meets this is inconclusive, not failed: nothing was learned about the rule.
/// </summary>
public class IssuerUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
