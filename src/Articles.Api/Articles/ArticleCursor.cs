using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Articles.Api.Http;
using Articles.Data.Articles;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Articles.Api.Articles;

// An opaque keyset position: where a page ended, in which direction to go on, for which filters and sort,
// and the last change the walk's first page saw (articles moved after it keep their earlier place).
// A checksum rejects corrupted or hand-edited cursors; a forged one could only point at another public position.
internal sealed record ArticleCursor(ArticleSort Sort, bool Backwards, ulong FilterHash, Keyset Keyset, long ChangesSeen)
{
    private const byte Version = 2;
    private const int PayloadLength = 1 + 1 + 1 + 8 + 8 + 8 + 8 + 8;
    private const int ChecksumLength = 6;

    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[PayloadLength + ChecksumLength];
        bytes[0] = Version;
        bytes[1] = (byte)Sort;
        bytes[2] = Backwards ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt64BigEndian(bytes[3..], FilterHash);
        BinaryPrimitives.WriteInt64BigEndian(bytes[11..], Keyset.PublishedAt.Ticks);
        BinaryPrimitives.WriteInt64BigEndian(bytes[19..], Keyset.Id);
        BinaryPrimitives.WriteDoubleBigEndian(bytes[27..], Keyset.Value);
        BinaryPrimitives.WriteInt64BigEndian(bytes[35..], ChangesSeen);
        Checksum(bytes[..PayloadLength]).CopyTo(bytes[PayloadLength..]);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string text, out ArticleCursor? cursor)
    {
        cursor = null;
        Span<byte> bytes = stackalloc byte[PayloadLength + ChecksumLength + 3];
        // TryDecodeFromChars throws on characters outside the alphabet, so those are checked first.
        if (!Base64Url.IsValid(text, out var length) || length != PayloadLength + ChecksumLength
            || !Base64Url.TryDecodeFromChars(text, bytes, out var written))
        {
            return false;
        }
        bytes = bytes[..written];
        if (!Checksum(bytes[..PayloadLength]).AsSpan().SequenceEqual(bytes[PayloadLength..]) || bytes[0] != Version
            || !Enum.IsDefined((ArticleSort)bytes[1]) || bytes[2] > 1)
        {
            return false;
        }
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[11..]);
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }
        cursor = new ArticleCursor((ArticleSort)bytes[1], bytes[2] == 1, BinaryPrimitives.ReadUInt64BigEndian(bytes[3..]),
            new Keyset(new DateTime(ticks, DateTimeKind.Utc), BinaryPrimitives.ReadInt64BigEndian(bytes[19..]),
                BinaryPrimitives.ReadDoubleBigEndian(bytes[27..])),
            BinaryPrimitives.ReadInt64BigEndian(bytes[35..]));
        return true;
    }

    // The cursor a request carries, or the problem to answer with when it is not one for this list.
    public static ProblemHttpResult? Read(string? text, ulong filterHash, ArticleSort sort, out ArticleCursor? cursor)
    {
        cursor = null;
        if (text is null)
        {
            return null;
        }
        if (!TryDecode(text, out cursor))
        {
            return Problems.InvalidCursor("Start again without cursor.");
        }
        return cursor!.Sort == sort && cursor.FilterHash == filterHash ? null
            : Problems.BadRequest("cursor-mismatch", "Cursor from another query",
                "This cursor belongs to a list with other filters or another sort. Use it with the parameters of the response it came from, or start again without cursor.");
    }

    // The cursors either side of a page read with one row past limit, which only says there is more in the walking
    // direction and is removed here. Both carry the change the walk's first page saw.
    public static (string? Next, string? Prev) Around(List<ArticleSummaryRow> found, int limit, ArticleCursor? from, ArticleSort sort, ulong hash)
    {
        var backwards = from?.Backwards ?? false;
        var seen = from?.ChangesSeen ?? (found.Count > 0 ? found[0].ChangesSeen : 0);
        var more = found.Count > limit;
        if (more)
        {
            found.RemoveAt(backwards ? 0 : found.Count - 1);
        }
        var next = found.Count > 0 && (backwards || more) ? new ArticleCursor(sort, false, hash, found[^1].Keyset, seen).Encode() : null;
        var prev = found.Count > 0 && (backwards ? more : from is not null) ? new ArticleCursor(sort, true, hash, found[0].Keyset, seen).Encode() : null;
        return (next, prev);
    }

    // Identifies a filter set and sort however the client spelled it (order, case, comma or repeat).
    public static ulong HashOf(ArticleFilter filter, ArticleSort sort)
    {
        var canonical = string.Join('\n', sort, string.Join(',', filter.Topics), string.Join(',', filter.Providers), filter.Type,
            filter.From?.ToString("O"), filter.To?.ToString("O"), filter.MinQuality, filter.Published, filter.Search);
        return BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static byte[] Checksum(ReadOnlySpan<byte> payload) => SHA256.HashData(payload)[..ChecksumLength];
}
