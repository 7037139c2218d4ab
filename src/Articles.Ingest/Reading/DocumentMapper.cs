using System.Net;
using Articles.Data;
using YamlDotNet.RepresentationModel;

namespace Articles.Ingest.Reading;

// Turns a front-matter tree into an ArticleDocument: typed values, decoded text, normalised URLs.
internal static class DocumentMapper
{
    private static readonly HashSet<string> ArticleKeys =
    [
        "category", "title", "excerpt", "publishedDateTime", "originalUrl", "webUrl", "ampWebUrl", "cdnAmpWebUrl",
        "type", "quality", "heat", "removed", "published", "featuredContent", "provider", "topics", "images",
        "related", "secured",
    ];
    private static readonly HashSet<string> ProviderKeys = ["name", "domain", "images"];
    private static readonly HashSet<string> ImageKeys = ["url", "width", "height", "isCached", "title"];
    private static readonly HashSet<string> RelatedKeys =
    [
        "title", "excerpt", "publishedDateTime", "webUrl", "ampWebUrl", "cdnAmpWebUrl", "type", "provider",
        "quality", "images",
    ];

    public static ArticleDocument Map(YamlMappingNode root, List<string> warnings)
    {
        var f = new Fields(root, "", warnings, ArticleKeys);
        return new ArticleDocument(
            f.String("category"), Text(f.String("title")), Text(f.String("excerpt")), f.Date("publishedDateTime"),
            Identity.NormalizeUrl(f.String("originalUrl")), Identity.NormalizeUrl(f.String("webUrl")),
            Identity.NormalizeUrl(f.String("ampWebUrl")), Identity.NormalizeUrl(f.String("cdnAmpWebUrl")),
            f.String("type")?.Trim() ?? "article", f.Int("quality"), f.Int("heat"), f.Bool("removed") ?? false,
            f.Bool("published") ?? true, f.String("featuredContent"),
            f.Mapping("provider", Provider, ProviderKeys) ?? new ProviderDocument(null, null, []),
            Distinct(f.List("topics", (node, name) => Fields.ScalarValue(node, name).Trim())), f.List("images", Image),
            f.List("related", Related), f.String("secured"));

        RelatedDocument Related(YamlNode node, string name)
        {
            var r = new Fields(node, name, warnings, RelatedKeys);
            var relatedProvider = r.Mapping("provider", Provider, ProviderKeys);
            return new RelatedDocument(
                Text(r.String("title")), Text(r.String("excerpt")), r.Date("publishedDateTime"),
                Identity.NormalizeUrl(r.String("webUrl")), Identity.NormalizeUrl(r.String("ampWebUrl")),
                Identity.NormalizeUrl(r.String("cdnAmpWebUrl")), r.String("type")?.Trim(), relatedProvider?.Name,
                relatedProvider?.Domain, r.Int("quality"), r.List("images", Image));
        }

        ProviderDocument Provider(Fields p) =>
            new(p.String("name")?.Trim(), p.String("domain")?.Trim().ToLowerInvariant(), p.List("images", Image));

        ImageDocument Image(YamlNode node, string name)
        {
            var i = new Fields(node, name, warnings, ImageKeys);
            return new ImageDocument(
                Identity.NormalizeUrl(i.String("url")), i.Int("width"), i.Int("height"), i.Bool("isCached"), Text(i.String("title")));
        }
    }

    // Titles and excerpts are plain text: HTML character references decoded, nothing else touched.
    public static string? Text(string? value) => value is null ? null : WebUtility.HtmlDecode(value);

    private static IReadOnlyList<string> Distinct(IReadOnlyList<string> topics) =>
        topics.Where(t => t.Length > 0).DistinctBy(Identity.Slug).ToList();
}
