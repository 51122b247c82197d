using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks;

/// <summary>A device authorization request (RFC 8628 §3.1) and its answer (§3.2).</summary>
public sealed record DeviceAuthorization(RawResponse Response)
{
    public string? DeviceCode => Response.String("device_code");

    public string? UserCode => Response.String("user_code");

    public string? VerificationUri => Response.String("verification_uri");

    public string? VerificationUriComplete => Response.String("verification_uri_complete");

    public long? ExpiresIn => Response.Json is { } json && json.TryGetProperty("expires_in", out var value)
        && value.ValueKind == System.Text.Json.JsonValueKind.Number && value.TryGetInt64(out var seconds) ? seconds : null;
}

/// <summary>Steps of the device authorization grant (RFC 8628): where it is offered, the device client, start and poll.</summary>
internal static class Devices
{
    public const string Grant = "urn:ietf:params:oauth:grant-type:device_code";

    public const string Applicability = "a server that publishes device_authorization_endpoint (RFC 8628 §4) and offers the device_code grant, and a 'device' client";

    /// <summary>The device authorization endpoint and the device client, or not applicable with what is missing.</summary>
    public static (Uri Endpoint, ClientProfile Client) Require(CheckContext c)
    {
        var endpoint = c.RequireEndpoint("device_authorization_endpoint");
        Steps.RequireGrant(c, Grant);
        return (endpoint, c.Client("device"));
    }

    /// <summary>RFC 8628 §3.1: the client asks for a device code (public client: client_id only; scope openid).</summary>
    public static async Task<DeviceAuthorization> StartAsync(CheckContext c, Uri endpoint, ClientProfile client)
    {
        var form = new List<KeyValuePair<string, string>> { new("client_id", client.ClientId), new("scope", "openid") };
        var response = await BackChannel.PostFormAsync(c, endpoint, form, client.Secret is null ? null : BackChannel.Basic(client)).ConfigureAwait(false);
        return new DeviceAuthorization(response);
    }

    /// <summary>The honest start; inconclusive unless it gave a device_code.</summary>
    public static async Task<DeviceAuthorization> HonestAsync(CheckContext c, Uri endpoint, ClientProfile client)
    {
        var started = await StartAsync(c, endpoint, client).ConfigureAwait(false);
        c.Precondition(started.DeviceCode is { Length: > 0 }, $"the honest device authorization request got no device_code: {started.Response}");
        return started;
    }

    /// <summary>
    /// RFC 8628 §3.3: the test user allows the device through the login driver (verification_uri_complete), then one
    /// poll must give tokens; not applicable where the page cannot be walked, inconclusive when no tokens come.
    /// </summary>
    public static async Task<TokenResponse> ApprovedAsync(CheckContext c, ClientProfile client, DeviceAuthorization started)
    {
        c.Require(Uri.TryCreate(started.VerificationUriComplete, UriKind.Absolute, out var complete),
            "the device authorization response has no verification_uri_complete, so the user code cannot reach the page without typing");
        await using var agent = c.LoginDriver.NewUserAgent();
        c.Require(agent is PageUserAgent, $"the '{c.LoginDriver.Name}' login driver does not walk pages, so it cannot allow a device");
        var walk = await ((PageUserAgent)agent).VerifyDeviceAsync(complete!, c.User, c.Cancellation).ConfigureAwait(false);
        var tokens = await PollAsync(c, client, started.DeviceCode!).ConfigureAwait(false);
        c.Precondition(tokens.IsSuccess, $"the device code gave no tokens after the user allowed it (the verification walk ended: {walk}): {tokens}");
        return tokens;
    }

    /// <summary>RFC 8628 §3.4: one poll of the token endpoint with the device code.</summary>
    public static Task<TokenResponse> PollAsync(CheckContext c, ClientProfile client, string deviceCode) =>
        c.OAuth(client).TokenAsync([new("grant_type", Grant), new("device_code", deviceCode)], ct: c.Cancellation);
}
