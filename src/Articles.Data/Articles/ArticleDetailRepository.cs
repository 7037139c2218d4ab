using Dapper;
using Npgsql;

namespace Articles.Data.Articles;

// Whole articles: by id, and found by URL.
public sealed class ArticleDetailRepository(NpgsqlDataSource dataSource)
{
    // One article and what hangs off it; the parts a sparse response does not show are not read.
    public async Task<ArticleDetail?> GetAsync(Guid publicId, CancellationToken ct, ArticleParts parts = ArticleParts.All)
    {
        const string select = """
            SELECT a.id, a.public_id, a.category, a.type, a.title, a.excerpt, a.published_at, a.original_url, a.web_url,
                a.amp_web_url, a.cdn_amp_web_url, a.quality, a.heat, a.published, a.removed, a.featured_content,
                a.provider_name, p.domain AS provider_domain
            FROM articles a JOIN providers p ON p.id = a.provider_id
            WHERE a.public_id = @publicId;
            """;
        var sql = string.Join('\n', [select, .. PartStatements.Where(p => parts.HasFlag(p.Part)).Select(p => p.Sql)]);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { publicId }, cancellationToken: ct));
        var article = await results.ReadSingleOrDefaultAsync<ArticleRow>();
        if (article is null)
        {
            return null;
        }
        var topics = parts.HasFlag(ArticleParts.Topics) ? (await results.ReadAsync<TopicRef>()).ToList() : [];
        var images = parts.HasFlag(ArticleParts.Images) ? (await results.ReadAsync<ImageRow>()).ToList() : [];
        var providerImages = parts.HasFlag(ArticleParts.ProviderImages) ? await results.ReadSingleAsync<string>() : "[]";
        var related = parts.HasFlag(ArticleParts.Related) ? (await results.ReadAsync<RelatedRow>()).ToList() : [];
        return new ArticleDetail(article, topics, images, providerImages, related);
    }

    private static readonly (ArticleParts Part, string Sql)[] PartStatements =
    [
        (ArticleParts.Topics, """
            SELECT t.name, t.slug
            FROM article_topics x JOIN topics t ON t.id = x.topic_id
            WHERE x.article_id = (SELECT id FROM articles WHERE public_id = @publicId)
            ORDER BY x.position;
            """),
        (ArticleParts.Images, """
            SELECT url, width, height, is_cached, title
            FROM article_images
            WHERE article_id = (SELECT id FROM articles WHERE public_id = @publicId)
            ORDER BY position;
            """),
        // An article written before the job kept its own provider images shows its provider's.
        (ArticleParts.ProviderImages, """
            SELECT coalesce(a.provider_images, (
                SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object('url', l.url, 'width', l.width,
                    'height', l.height, 'isCached', l.is_cached, 'title', l.title)) ORDER BY l.position), '[]')
                FROM provider_logos l WHERE l.provider_id = a.provider_id))::text
            FROM articles a
            WHERE a.public_id = @publicId;
            """),
        (ArticleParts.Related, """
            SELECT r.title, r.excerpt, r.published_at, r.web_url, r.amp_web_url, r.cdn_amp_web_url, r.type,
                r.provider_name, r.provider_domain, r.quality, r.images::text AS images,
                (SELECT m.public_id FROM articles m WHERE m.canonical_url = r.web_url AND NOT m.removed) AS article_id
            FROM related_links r
            WHERE r.article_id = (SELECT id FROM articles WHERE public_id = @publicId)
            ORDER BY r.position;
            """),
    ];

    // The article that has this URL in any of its forms; the canonical form wins a tie.
    public async Task<Guid?> LookupAsync(string url, CancellationToken ct)
    {
        const string sql = """
            SELECT public_id FROM articles
            WHERE canonical_url = @url OR web_url = @url OR original_url = @url OR amp_web_url = @url OR cdn_amp_web_url = @url
            ORDER BY canonical_url = @url DESC, id
            LIMIT 1
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(sql, new { url }, cancellationToken: ct));
    }
}
