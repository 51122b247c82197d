using System.Net;

namespace Conformance.Harness.Login;

/// <summary>One user agent's cookies. Fresh per flow, so no session leaks from one check into another.</summary>
internal sealed class CookieJar
{
    private readonly CookieContainer container = new();

    public void Attach(HttpRequestMessage request)
    {
        var header = container.GetCookieHeader(request.RequestUri!);
        if (header.Length > 0)
        {
            request.Headers.Add("Cookie", header);
        }
    }

    public void Store(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            return;
        }

        foreach (var value in values)
        {
            try
            {
                container.SetCookies(response.RequestMessage!.RequestUri!, value);
            }
            catch (CookieException)
            {
                // A cookie the jar cannot hold (bad domain or path) is ignored, as a browser would.
            }
        }
    }
}
