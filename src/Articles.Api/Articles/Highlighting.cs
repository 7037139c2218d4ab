using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Articles.Data.Articles;

namespace Articles.Api.Articles;

// A search's marks as HTML: the source's text is never trusted, so everything between the marks is escaped.
internal static class Highlighting
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private static readonly char[] Marks = [HighlightMarks.Start, HighlightMarks.Stop];

    public static Highlights ToHtml((string Title, string? Excerpt) marked) =>
        new(ToHtml(marked.Title), marked.Excerpt is null ? null : ToHtml(marked.Excerpt));

    private static string ToHtml(string text)
    {
        var html = new StringBuilder(text.Length + 32);
        var from = 0;
        for (var at = text.IndexOfAny(Marks); at >= 0; from = at + 1, at = text.IndexOfAny(Marks, from))
        {
            html.Append(Encode(text[from..at])).Append(text[at] == HighlightMarks.Start ? "<mark>" : "</mark>");
        }
        return html.Append(Encode(text[from..])).ToString();
    }

    private static string Encode(string text) => Html.Encode(text.Replace(HighlightMarks.Lt, '<').Replace(HighlightMarks.Gt, '>'));
}
