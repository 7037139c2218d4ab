using System.Text.Json;
using System.Text.Json.Serialization;
using Articles.Api.Http;
using Articles.Data.Articles;

namespace Articles.Api.Articles;

internal sealed record ProviderRef(string Name, string Domain);

internal sealed record ImageResponse(string Url, int? Width, int? Height, bool? IsCached, string? Title);

// Highlights: only with highlight=true.
[Sparse]
internal sealed record ArticleSummary(
    Guid Id, string Type, string Title, string? Excerpt, DateTime PublishedDateTime, string? WebUrl, string? AmpWebUrl,
    int? Quality, int? Heat, ProviderRef Provider, IReadOnlyList<TopicRef> Topics, ImageResponse? Image,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Highlights? Highlights = null);

// HTML: the words the search matched inside <mark>…</mark>, every other character of the source's text escaped.
internal sealed record Highlights(string Title, string? Excerpt);

// Numbered pages: totalItems is exact when totalExact is true, else a lower bound (more than 10,000 matches).
internal sealed record ArticlePaging(
    int Limit, string Sort, int? Page, long? TotalItems, bool? TotalExact, int? TotalPages, string? NextCursor, string? PrevCursor);

// Missing: only for a batch asked by ids, the ids not served. Facets: only when asked for.
internal sealed record ArticlePage(IReadOnlyList<ArticleSummary> Items, ArticlePaging Paging, PageLinks Links,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<MissingArticle>? Missing = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ArticleFacets? Facets = null);

// Exact: every match counted; false: the newest 10,000 matches were.
internal sealed record FacetResponse(bool Exact, IReadOnlyList<FacetCount> Values);

internal sealed record ArticleFacets(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FacetResponse? Topic,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FacetResponse? Provider,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FacetResponse? Type);

// The articles closest to one, closest first.
internal sealed record SimilarArticles(IReadOnlyList<ArticleSummary> Items);

// Status 404: no article has the id; 410: its publisher removed it.
internal sealed record MissingArticle(Guid Id, int Status);

// The provider as the article's own document gave it: its images, and the first of them as its logo.
internal sealed record ArticleProvider(string Name, string Domain, ImageResponse? Logo, IReadOnlyList<ImageResponse> Images);

internal sealed record RelatedResponse(
    string? Title, string? Excerpt, DateTime? PublishedDateTime, string? WebUrl, string? AmpWebUrl, string? CdnAmpWebUrl,
    string? Type, ProviderRef? Provider, int? Quality, IReadOnlyList<ImageResponse> Images, Guid? ArticleId);

[Sparse]
internal sealed record ArticleResponse(
    Guid Id, string Type, string? Category, string Title, string? Excerpt, DateTime PublishedDateTime, string? OriginalUrl,
    string? WebUrl, string? AmpWebUrl, string? CdnAmpWebUrl, int? Quality, int? Heat, bool Published, string? FeaturedContent,
    ArticleProvider Provider, IReadOnlyList<TopicRef> Topics, IReadOnlyList<ImageResponse> Images, IReadOnlyList<RelatedResponse> Related);

internal static class ArticleMapping
{
    // heat -1 is the documents' way of saying "no heat".
    private static int? Heat(int? heat) => heat is null or -1 ? null : heat;

    public static ImageResponse ToResponse(this ImageRow i) => new(i.Url, i.Width, i.Height, i.IsCached, i.Title);

    public static ArticleSummary ToSummary(this ArticleSummaryRow r) => new(
        r.PublicId, r.Type, r.Title, r.Excerpt, r.PublishedAt, r.WebUrl, r.AmpWebUrl, r.Quality, Heat(r.Heat),
        new ProviderRef(r.ProviderName, r.ProviderDomain),
        r.TopicNames.Zip(r.TopicSlugs, (name, slug) => new TopicRef(name, slug)).ToList(),
        r.ImageUrl is null ? null : new ImageResponse(r.ImageUrl, r.ImageWidth, r.ImageHeight, r.ImageIsCached, r.ImageTitle));

    public static ArticleResponse ToResponse(this ArticleDetail d)
    {
        var a = d.Article;
        var providerImages = Images(d.ProviderImages);
        return new ArticleResponse(
            a.PublicId, a.Type, a.Category, a.Title, a.Excerpt, a.PublishedAt, a.OriginalUrl, a.WebUrl, a.AmpWebUrl, a.CdnAmpWebUrl,
            a.Quality, Heat(a.Heat), a.Published, a.FeaturedContent,
            new ArticleProvider(a.ProviderName, a.ProviderDomain, providerImages.FirstOrDefault(), providerImages),
            d.Topics, d.Images.Select(ToResponse).ToList(),
            d.Related.Select(r => new RelatedResponse(
                r.Title, r.Excerpt, r.PublishedAt, r.WebUrl, r.AmpWebUrl, r.CdnAmpWebUrl, r.Type,
                r.ProviderDomain is null ? null : new ProviderRef(r.ProviderName ?? r.ProviderDomain, r.ProviderDomain),
                r.Quality, Images(r.Images), r.ArticleId)).ToList());
    }

    // The summary parts a list's members asked for need read.
    public static SummaryParts ListParts(this FieldSet? fields) =>
        (fields.Shows("excerpt") ? SummaryParts.Excerpt : 0) | (fields.Shows("provider") ? SummaryParts.Provider : 0)
        | (fields.Shows("topics") ? SummaryParts.Topics : 0) | (fields.Shows("image") ? SummaryParts.Image : 0);

    // The statements a whole article needs for the members asked.
    public static ArticleParts DetailParts(this FieldSet? fields) =>
        (fields.Shows("topics") ? ArticleParts.Topics : 0) | (fields.Shows("images") ? ArticleParts.Images : 0)
        | (fields.Shows("provider") ? ArticleParts.ProviderImages : 0) | (fields.Shows("related") ? ArticleParts.Related : 0);

    private static List<ImageResponse> Images(string json) => JsonSerializer.Deserialize(json, ApiJson.Default.ListImageResponse) ?? [];
}
