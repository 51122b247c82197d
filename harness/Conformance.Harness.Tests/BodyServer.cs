using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Conformance.Harness.Tests;

/// <summary>How a <see cref="BodyServer"/> frames a body: the framings a hostile or broken server can choose.</summary>
public enum Framing
{
    /// <summary>A truthful Content-Length.</summary>
    ContentLength,

    /// <summary>Transfer-Encoding: chunked, no length announced.</summary>
    Chunked,

    /// <summary>Content-Length: 1000 whatever the size of the body that follows.</summary>
    LyingLow,

    /// <summary>Content-Encoding: gzip; the Content-Length is the compressed size, far below what it inflates to.</summary>
    Gzip,
}

/// <summary>
/// A loopback HTTP/1.1 server on a raw socket, so a test controls the framing HttpListener would correct
/// (a Content-Length that lies, chunks of any size). Large bodies are generated as they are written, from one
/// reused buffer, never held whole; every response closes its connection.
/// </summary>
internal sealed class BodyServer : IDisposable
{
    private static readonly byte[] Filler = Enumerable.Repeat((byte)'a', 64 * 1024).ToArray();

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, Func<Stream, Task>> routes = new();
    private long bodyBytesWritten;

    public BodyServer()
    {
        listener.Start();
        Base = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        _ = Task.Run(AcceptAsync);
    }

    public Uri Base { get; }

    /// <summary>Body bytes handed to the socket so far, all routes together.</summary>
    public long BodyBytesWritten => Interlocked.Read(ref bodyBytesWritten);

    public Uri Url(string path) => new(Base, path.TrimStart('/'));

    public void Text(string path, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        routes[path] = async stream =>
        {
            await WriteHeadAsync(stream, contentType, $"Content-Length: {bytes.Length}").ConfigureAwait(false);
            await WriteBodyAsync(stream, bytes).ConfigureAwait(false);
        };
    }

    /// <summary>
    /// A JSON object of exactly <paramref name="size"/> bytes, <c>{"issuer":"...","filler":"aaa…"}</c>, so a body
    /// under the cap still parses as metadata whose issuer is this server.
    /// </summary>
    public void Json(string path, long size, Framing framing, string contentType = "application/json")
    {
        var head = Encoding.UTF8.GetBytes($"{{\"issuer\":\"{Base.OriginalString.TrimEnd('/')}\",\"filler\":\"");
        var tail = "\"}"u8.ToArray();
        var fill = size - head.Length - tail.Length;
        ArgumentOutOfRangeException.ThrowIfNegative(fill);
        byte[]? gzip = framing == Framing.Gzip ? Compress(head, fill, tail) : null;
        routes[path] = async stream =>
        {
            switch (framing)
            {
                case Framing.Gzip:
                    await WriteHeadAsync(stream, contentType, $"Content-Length: {gzip!.Length}\r\nContent-Encoding: gzip").ConfigureAwait(false);
                    await WriteBodyAsync(stream, gzip).ConfigureAwait(false);
                    return;
                case Framing.Chunked:
                    await WriteHeadAsync(stream, contentType, "Transfer-Encoding: chunked").ConfigureAwait(false);
                    await GenerateAsync(head, fill, tail, chunk => WriteChunkAsync(stream, chunk)).ConfigureAwait(false);
                    await stream.WriteAsync("0\r\n\r\n"u8.ToArray()).ConfigureAwait(false);
                    return;
                default:
                    var length = framing == Framing.LyingLow ? 1000 : size;
                    await WriteHeadAsync(stream, contentType, $"Content-Length: {length}").ConfigureAwait(false);
                    await GenerateAsync(head, fill, tail, chunk => WriteBodyAsync(stream, chunk)).ConfigureAwait(false);
                    return;
            }
        };
    }

    public void Dispose() => listener.Stop();

    private static async Task GenerateAsync(byte[] head, long fill, byte[] tail, Func<ReadOnlyMemory<byte>, Task> write)
    {
        await write(head).ConfigureAwait(false);
        for (var left = fill; left > 0; left -= Filler.Length)
        {
            await write(Filler.AsMemory(0, (int)Math.Min(left, Filler.Length))).ConfigureAwait(false);
        }

        await write(tail).ConfigureAwait(false);
    }

    private static byte[] Compress(byte[] head, long fill, byte[] tail)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            GenerateAsync(head, fill, tail, chunk =>
            {
                gzip.Write(chunk.Span);
                return Task.CompletedTask;
            }).GetAwaiter().GetResult();
        }

        return compressed.ToArray();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var path = await ReadRequestAsync(stream).ConfigureAwait(false);
                if (path is not null && routes.TryGetValue(path, out var route))
                {
                    await route(stream).ConfigureAwait(false);
                }
                else
                {
                    await WriteHeadAsync(stream, "text/plain", "Content-Length: 0", "404 Not Found").ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The client stopped reading (the cap) and dropped the connection: the rest is never sent.
            }
        }
    }

    /// <summary>The request's path; its body is read too, so closing the socket does not reset the answer.</summary>
    private static async Task<string?> ReadRequestAsync(Stream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one).ConfigureAwait(false) == 0)
            {
                return null;
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n");
        var length = lines.Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        await stream.ReadExactlyAsync(new byte[length]).ConfigureAwait(false);
        var target = lines[0].Split(' ')[1];
        return target.Split('?')[0];
    }

    private static Task WriteHeadAsync(Stream stream, string contentType, string framing, string status = "200 OK") =>
        stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\n{framing}\r\nConnection: close\r\n\r\n")).AsTask();

    private async Task WriteBodyAsync(Stream stream, ReadOnlyMemory<byte> bytes)
    {
        await stream.WriteAsync(bytes).ConfigureAwait(false);
        Interlocked.Add(ref bodyBytesWritten, bytes.Length);
    }

    private async Task WriteChunkAsync(Stream stream, ReadOnlyMemory<byte> chunk)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n")).ConfigureAwait(false);
        await WriteBodyAsync(stream, chunk).ConfigureAwait(false);
        await stream.WriteAsync("\r\n"u8.ToArray()).ConfigureAwait(false);
    }
}
