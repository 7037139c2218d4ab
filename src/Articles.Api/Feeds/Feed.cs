using System.Xml;
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

internal static class XmlText
{
    // XML 1.0 cannot carry most control characters (nor lone surrogates): they are dropped, the rest kept.
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var first = 0;
        while (first < text.Length && XmlConvert.IsXmlChar(text[first]))
        {
            first++;
        }
        if (first == text.Length)
        {
            return text;
        }
        var builder = new System.Text.StringBuilder(text, 0, first, text.Length);
        for (var i = first; i < text.Length; i++)
        {
            if (XmlConvert.IsXmlChar(text[i]))
            {
                builder.Append(text[i]);
            }
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                builder.Append(text, i++, 2);
            }
        }
        return builder.ToString();
    }
}
