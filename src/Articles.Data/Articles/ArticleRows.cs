using System.Data.Common;

namespace Articles.Data.Articles;

public sealed record ArticleSummaryRow
{
    public long Id { get; init; }
    public Guid PublicId { get; init; }
    public required string Type { get; init; }
    public required string Title { get; init; }
    public string? Excerpt { get; init; }
    public DateTime PublishedAt { get; init; }
    public string? OriginalUrl { get; init; }
    public string? WebUrl { get; init; }
    public string? AmpWebUrl { get; init; }
    public int? Quality { get; init; }
    public int? Heat { get; init; }
    public required string ProviderName { get; init; }
    public required string ProviderDomain { get; init; }
    public string[] TopicNames { get; init; } = [];
    public string[] TopicSlugs { get; init; } = [];
    public string? ImageUrl { get; init; }
    public int? ImageWidth { get; init; }
    public int? ImageHeight { get; init; }
    public bool? ImageIsCached { get; init; }
    public string? ImageTitle { get; init; }
    // Where the article stands in a time-ordered walk: its published time when the walk began.
    public DateTime SortTime { get; init; }
    // The value the page is sorted by besides time and id: quality, heat or relevance.
    public double SortValue { get; init; }
    // The newest change the query could see: where a walk that starts here begins.
    public long ChangesSeen { get; init; }

    public Keyset Keyset => new(SortTime, Id, SortValue);

    // Typed reads in ArticleSql.SummaryColumns' order, then sort_time and sort_value: Dapper's mapper boxes every value,
    // which showed in page 1's profile (bench/README.md).
    internal static ArticleSummaryRow Read(DbDataReader r) => new()
    {
        Id = r.GetInt64(0), PublicId = r.GetGuid(1), Type = r.GetString(2), Title = r.GetString(3), Excerpt = Text(r, 4),
        PublishedAt = r.GetDateTime(5), OriginalUrl = Text(r, 6), WebUrl = Text(r, 7), AmpWebUrl = Text(r, 8),
        Quality = Number(r, 9), Heat = Number(r, 10), ProviderName = r.GetString(11), ProviderDomain = r.GetString(12),
        TopicNames = r.IsDBNull(13) ? [] : r.GetFieldValue<string[]>(13), TopicSlugs = r.IsDBNull(14) ? [] : r.GetFieldValue<string[]>(14),
        ImageUrl = Text(r, 15), ImageWidth = Number(r, 16), ImageHeight = Number(r, 17),
        ImageIsCached = r.IsDBNull(18) ? null : r.GetBoolean(18), ImageTitle = Text(r, 19),
        ChangesSeen = r.GetInt64(20), SortTime = r.GetDateTime(21), SortValue = r.GetDouble(22),
    };

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    private static int? Number(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt32(i);
}

// A whole article's own columns, in ArticleDetailRepository's order.
public sealed record ArticleRow(
    long Id, Guid PublicId, string? Category, string Type, string Title, string? Excerpt, DateTime PublishedAt, string? OriginalUrl,
    string? WebUrl, string? AmpWebUrl, string? CdnAmpWebUrl, int? Quality, int? Heat, bool Published, bool Removed,
    string? FeaturedContent, string ProviderName, string ProviderDomain);

public sealed record TopicRef(string Name, string Slug);

public sealed record ImageRow(string Url, int? Width, int? Height, bool? IsCached, string? Title);

// Images: [{url, width, height, isCached, title}] as the job stored it.
public sealed record RelatedRow(
    string? Title, string? Excerpt, DateTime? PublishedAt, string? WebUrl, string? AmpWebUrl, string? CdnAmpWebUrl, string? Type,
    string? ProviderName, string? ProviderDomain, int? Quality, string Images, Guid? ArticleId);

// One article with everything that hangs off it; ProviderImages are its document's, as stored (JSON like Related.Images).
public sealed record ArticleDetail(
    ArticleRow Article, IReadOnlyList<TopicRef> Topics, IReadOnlyList<ImageRow> Images,
    string ProviderImages, IReadOnlyList<RelatedRow> Related);
