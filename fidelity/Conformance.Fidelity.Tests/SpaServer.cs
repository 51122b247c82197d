using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Conformance.Fidelity.Tests;

/// <summary>
/// Serves the single-page app (fidelity/js/spa.js on Okta's AuthJS browser bundle) on its own loopback origin, a
/// real socket: the issuer redirects the browser here (/callback, /signed-out), which Playwright's request routing
/// cannot answer (it sees only the first request of a redirect chain). Every path but the two scripts is the app's
/// one page; its configuration (issuer base, client, redirect URIs) is written into it.
/// </summary>
internal sealed class SpaServer : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;

    private SpaServer(int port)
    {
        Origin = $"http://127.0.0.1:{port}";
        listener.Prefixes.Add(Origin + "/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public string Origin { get; }

    /// <summary>Filled in once the issuer runs (the page names the issuer's base URL).</summary>
    public string Page { get; set; } = "";

    public static SpaServer Start()
    {
        // A free port now; HttpListener cannot bind port 0 and report it.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new SpaServer(port);
    }

    public static string PageFor(string issuerBase, SeedClientUris client) =>
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>fidelity SPA</title>" +
        "<script type=\"application/json\" id=\"fidelity-config\">" + JsonSerializer.Serialize(new
        {
            @base = issuerBase,
            clientId = client.ClientId,
            redirectUri = client.RedirectUri,
            postLogoutRedirectUri = client.PostLogoutRedirectUri,
        }) + "</script><script src=\"/okta-auth-js.min.js\"></script><script src=\"/spa.js\"></script></head><body>fidelity SPA</body></html>";

    public sealed record SeedClientUris(string ClientId, string RedirectUri, string PostLogoutRedirectUri);

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            _ = Task.Run(() => Answer(context));
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var (body, type) = context.Request.Url?.AbsolutePath switch
            {
                "/okta-auth-js.min.js" => (File.ReadAllBytes(OktaClients.Module("@okta/okta-auth-js/dist/okta-auth-js.min.js")), "text/javascript"),
                "/spa.js" => (File.ReadAllBytes(OktaClients.Program("spa.js")), "text/javascript"),
                "/favicon.ico" => ([], "text/plain"),
                _ => (Encoding.UTF8.GetBytes(Page), "text/html; charset=utf-8"),
            };
            response.StatusCode = body.Length == 0 ? 404 : 200;
            response.ContentType = type;
            response.Headers["Cache-Control"] = "no-store";
            response.OutputStream.Write(body);
        }
        catch (Exception e) when (e is IOException or HttpListenerException)
        {
            // The browser went away mid-answer: nothing to tell it.
        }
        finally
        {
            try { response.Close(); } catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { }
        }
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try { loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
