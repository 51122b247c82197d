using System.Net.Http.Headers;

namespace Conformance.Harness.Http;

/// <summary>
/// A response body read with a cap: never more than cap + 1 bytes are taken from the wire, and never more than
/// that is held. A declared Content-Length over the cap refuses the body at once (only a prefix is read, as
/// evidence); a declared length under it is not trusted either (a decompressed body, or a server whose framing
/// lies, can yield more), so the read itself is bounded whatever the headers said.
/// </summary>
internal sealed class BoundedBody
{
    private const int FirstSegment = 16 * 1024;
    private const int MaxSegment = 1024 * 1024;

    private BoundedBody(byte[] buffer, int count, bool over, long? declared)
    {
        Buffer = buffer;
        Count = count;
        Over = over;
        Declared = declared;
    }

    /// <summary>The body; when <see cref="Over"/>, only the prefix kept as evidence.</summary>
    public byte[] Buffer { get; }

    /// <summary>How many bytes were read from the wire (at most cap + 1).</summary>
    public int Count { get; }

    /// <summary>The body is larger than the cap: it was cut, and must not be handed on as if whole.</summary>
    public bool Over { get; }

    public long? Declared { get; }

    /// <param name="expectBody">False for HEAD, 204 and 304, whose Content-Length describes a body never sent (RFC 9110 §8.6).</param>
    /// <param name="prefix">How much of an over-cap body to keep as evidence.</param>
    public static async Task<BoundedBody> ReadAsync(HttpContent content, long cap, bool expectBody, int prefix, CancellationToken ct)
    {
        var declared = content.Headers.ContentLength;
        var refused = expectBody && declared > cap;
        // Stop at cap + 1: one byte beyond the cap is enough to know the body is over it.
        var limit = refused ? Math.Min(prefix, cap) : cap + 1;
        // Segments that grow as bytes arrive, sized by what came rather than by what Content-Length promised:
        // a body costs about its own size while it is read, and an over-cap one is dropped without a copy.
        var segments = new List<(byte[] Bytes, int Filled)>();
        long count = 0;
        var ended = false;
        await using (var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false))
        {
            // A short declared length may make the first segment smaller (an empty redirect costs no 16 KB); never larger.
            var first = declared is >= 0 and < FirstSegment ? (int)declared.Value + 1 : FirstSegment;
            for (var size = first; !ended && count < limit; size = Math.Min(size * 2, MaxSegment))
            {
                var segment = new byte[(int)Math.Min(size, limit - count)];
                var filled = 0;
                while (filled < segment.Length)
                {
                    var read = await stream.ReadAsync(segment.AsMemory(filled), ct).ConfigureAwait(false);
                    if (read == 0)
                    {
                        ended = true;
                        break;
                    }

                    filled += read;
                }

                segments.Add((segment, filled));
                count += filled;
            }
        }

        var over = refused || count > cap;
        return new BoundedBody(Join(segments, over ? Math.Min(count, prefix) : count), (int)count, over, declared);
    }

    private static byte[] Join(List<(byte[] Bytes, int Filled)> segments, long length)
    {
        if (segments is [var only] && only.Filled == length && only.Bytes.Length == length)
        {
            return only.Bytes;
        }

        var joined = new byte[length];
        var at = 0;
        foreach (var (bytes, filled) in segments)
        {
            var take = (int)Math.Min(filled, length - at);
            bytes.AsSpan(0, take).CopyTo(joined.AsSpan(at));
            at += take;
            if (at == length)
            {
                break;
            }
        }

        return joined;
    }

    /// <summary>The body as content again, with the server's headers, for the callers above (RestSharp, the form driver).</summary>
    public ByteArrayContent ToContent(HttpContentHeaders headers)
    {
        var content = new ByteArrayContent(Buffer);
        foreach (var header in headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return content;
    }

    /// <summary>
    /// The first <paramref name="take"/> bytes decoded as the whole body would be (charset of the Content-Type,
    /// else UTF-8). Only the Content-Type is carried over: a Content-Length of the whole body would size a buffer.
    /// </summary>
    public async Task<string> PrefixAsync(HttpContentHeaders headers, int take, CancellationToken ct)
    {
        using var content = new ByteArrayContent(Buffer, 0, Math.Min(Buffer.Length, take));
        content.Headers.ContentType = headers.ContentType;
        return await content.ReadAsStringAsync(ct).ConfigureAwait(false);
    }
}
