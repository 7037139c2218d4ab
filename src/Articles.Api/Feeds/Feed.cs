using System.Text.RegularExpressions;
using Articles.Data.Articles;

namespace Articles.Api.Feeds;

// One page of a topic's or provider's feed, whatever format it is written in.
internal sealed record Feed(
    string Id, string Title, string Description, string SelfUrl, string HomeUrl, string? NextUrl, DateTime Updated,
    IReadOnlyList<ArticleSummaryRow> Items)
{
    public static string EntryId(ArticleSummaryRow item) => $"urn:uuid:{item.PublicId}";

    // Videos have no webUrl: their original URL is where they live.
    public static string? Link(ArticleSummaryRow item) => item.WebUrl ?? item.OriginalUrl;
}

internal static partial class XmlText
{
    // XML 1.0 cannot carry most control characters, U+FFFE, U+FFFF, nor lone surrogates: they are dropped, the rest kept.
    // Most text is all within U+0020-U+D7FF, which a vectorized scan rules out before the regex runs (bench/README.md).
    public static string Clean(string? text) =>
        string.IsNullOrEmpty(text) ? "" : text.AsSpan().ContainsAnyExceptInRange(' ', '\uD7FF') ? NotXml().Replace(text, "") : text;

    [GeneratedRegex(@"[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]")]
    private static partial Regex NotXml();
}
