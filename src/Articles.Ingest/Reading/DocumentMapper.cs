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
        return new ArticleDocument
        {
            Category = f.String("category"),
            Title = Text(f.String("title")),
            Excerpt = Text(f.String("excerpt")),
            PublishedAt = f.Date("publishedDateTime"),
            OriginalUrl = Identity.NormalizeUrl(f.String("originalUrl")),
            WebUrl = Identity.NormalizeUrl(f.String("webUrl")),
            AmpWebUrl = Identity.NormalizeUrl(f.String("ampWebUrl")),
            CdnAmpWebUrl = Identity.NormalizeUrl(f.String("cdnAmpWebUrl")),
            Type = f.String("type")?.Trim() ?? "article",
            Quality = f.Int("quality"),
            Heat = f.Int("heat"),
            Removed = f.Bool("removed") ?? false,
            Published = f.Bool("published") ?? true,
            FeaturedContent = f.String("featuredContent"),
            Provider = f.Mapping("provider", Provider, ProviderKeys) ?? new ProviderDocument(),
            Topics = Distinct(f.List("topics", (node, name) => Fields.ScalarValue(node, name).Trim())),
            Images = f.List("images", Image),
            Related = f.List("related", Related),
            Secured = f.String("secured"),
        };

        RelatedDocument Related(YamlNode node, string name)
        {
            var r = new Fields(node, name, warnings, RelatedKeys);
            var relatedProvider = r.Mapping("provider", Provider, ProviderKeys);
            return new RelatedDocument
            {
                Title = Text(r.String("title")),
                Excerpt = Text(r.String("excerpt")),
                PublishedAt = r.Date("publishedDateTime"),
                WebUrl = Identity.NormalizeUrl(r.String("webUrl")),
                AmpWebUrl = Identity.NormalizeUrl(r.String("ampWebUrl")),
                CdnAmpWebUrl = Identity.NormalizeUrl(r.String("cdnAmpWebUrl")),
                Type = r.String("type")?.Trim(),
                ProviderName = relatedProvider?.Name,
                ProviderDomain = relatedProvider?.Domain,
                Quality = r.Int("quality"),
                Images = r.List("images", Image),
            };
        }

        ProviderDocument Provider(Fields p) => new()
        {
            Name = p.String("name")?.Trim(),
            Domain = p.String("domain")?.Trim().ToLowerInvariant(),
            Logos = p.List("images", Image),
        };

        ImageDocument Image(YamlNode node, string name)
        {
            var i = new Fields(node, name, warnings, ImageKeys);
            return new ImageDocument
            {
                Url = Identity.NormalizeUrl(i.String("url")),
                Width = i.Int("width"),
                Height = i.Int("height"),
                IsCached = i.Bool("isCached"),
                Title = Text(i.String("title")),
            };
        }
    }

    // Titles and excerpts are plain text: HTML character references decoded, nothing else touched.
    public static string? Text(string? value) => value is null ? null : WebUtility.HtmlDecode(value);

    private static IReadOnlyList<string> Distinct(IReadOnlyList<string> topics) =>
        topics.Where(t => t.Length > 0).DistinctBy(Identity.Slug).ToList();
}
