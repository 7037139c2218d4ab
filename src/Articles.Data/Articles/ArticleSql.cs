using System.Globalization;
using Dapper;

namespace Articles.Data.Articles;

// The list query, assembled only from the fixed fragments below; request values travel as parameters.
internal static class ArticleSql
{
    // Relevance ranks at most this many of the newest matches, so a very common word stays cheap.
    public const int RelevanceCandidates = 1_000;

    // The summary columns, shared with the change feed.
    internal const string SummaryColumns = """
        a.id, a.public_id, a.type, a.title, a.excerpt, a.published_at, a.original_url, a.web_url, a.amp_web_url, a.quality, a.heat,
            a.provider_name, p.domain AS provider_domain,
            ARRAY(SELECT t.name FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id ORDER BY x.position) AS topic_names,
            ARRAY(SELECT t.slug FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id ORDER BY x.position) AS topic_slugs,
            i.url AS image_url, i.width AS image_width, i.height AS image_height, i.is_cached AS image_is_cached, i.title AS image_title,
            (SELECT coalesce(max(seq), 0) FROM article_changes) AS changes_seen,
        """;

    // Changes after the walk began that moved an article's published time. The walk's start is written into the
    // text like LIMIT (see List): every walk begun between two ingestions shares it, so their pages share one plan.
    private static string MovesSince(long since) => string.Create(CultureInfo.InvariantCulture,
        $"c.seq > {since} AND c.old_published_at IS DISTINCT FROM c.new_published_at AND c.old_published_at IS NOT NULL");

    internal const string Joins = """
        JOIN providers p ON p.id = a.provider_id
        LEFT JOIN article_images i ON i.article_id = a.id AND i.position = 0
        """;

    private sealed record Order(string SortValue, string[] Keys, string[] Parameters, bool Descending);

    private static readonly Dictionary<ArticleSort, Order> Orders = new()
    {
        [ArticleSort.Newest] = new("0", ["a.published_at", "a.id"], ["@keyTime", "@keyId"], Descending: true),
        [ArticleSort.Oldest] = new("0", ["a.published_at", "a.id"], ["@keyTime", "@keyId"], Descending: false),
        [ArticleSort.Quality] = new("coalesce(a.quality, -1)", ["coalesce(a.quality, -1)", "a.published_at", "a.id"],
            ["@keyValue::int", "@keyTime", "@keyId"], Descending: true),
        [ArticleSort.Heat] = new("coalesce(a.heat, -1)", ["coalesce(a.heat, -1)", "a.published_at", "a.id"],
            ["@keyValue::int", "@keyTime", "@keyId"], Descending: true),
        [ArticleSort.Relevance] = new("a.rank", ["a.rank::float8", "a.id"], ["@keyValue", "@keyId"], Descending: true),
    };

    public static (string Sql, DynamicParameters Args) List(ArticlePageRequest request)
    {
        var args = Parameters(request.Filter);
        var order = Orders[request.Sort];
        var descending = order.Descending ^ request.Backwards;
        var where = Filters(request.Filter);
        // LIMIT and OFFSET are validated integers written into the text: a page-1 query then has no parameters, and a
        // prepared statement keeps one plan. As parameters they made PostgreSQL plan every execution again (a LIMIT
        // it cannot see makes the generic plan look dear), and planning was most of the page's database time.
        var take = request.Take.ToString(CultureInfo.InvariantCulture);
        var skip = request.Skip.ToString(CultureInfo.InvariantCulture);
        if (request.After is { } after)
        {
            args.Add("keyTime", after.PublishedAt);
            args.Add("keyId", after.Id);
            args.Add("keyValue", after.Value);
        }
        var direction = descending ? " DESC" : "";
        var beyond = descending ? "<" : ">";

        // A time-ordered walk keeps each article where it stood when the walk began: articles the job moved
        // since then are read at their earlier time, so no article is skipped or shown twice while it runs.
        if (request.After is not null && request.Sort is ArticleSort.Newest or ArticleSort.Oldest)
        {
            // The keys of the page are found first and its columns read once, for 21 rows: the statement is half the
            // size it would be with the columns in both branches, and PostgreSQL plans it in about half the time.
            var sql = $"""
                SELECT {SummaryColumns} k.sort_time, 0::float8 AS sort_value
                FROM (
                    (SELECT a.id, a.published_at AS sort_time
                     FROM articles a
                     WHERE {string.Join(" AND ", where)} AND (a.published_at, a.id) {beyond} (@keyTime, @keyId)
                       AND NOT EXISTS (SELECT 1 FROM article_changes c WHERE c.article_id = a.id AND {MovesSince(request.ChangesSeen)})
                     ORDER BY a.published_at{direction}, a.id{direction}
                     LIMIT {take})
                    UNION ALL
                    (SELECT a.id, w.old_published_at
                     FROM (SELECT DISTINCT ON (c.article_id) c.article_id, c.old_published_at
                           FROM article_changes c WHERE {MovesSince(request.ChangesSeen)} ORDER BY c.article_id, c.seq) w
                     JOIN articles a ON a.id = w.article_id
                     WHERE {string.Join(" AND ", where)} AND (w.old_published_at, a.id) {beyond} (@keyTime, @keyId)
                     ORDER BY w.old_published_at{direction}, a.id{direction}
                     LIMIT {take})
                    ORDER BY sort_time{direction}, id{direction}
                    LIMIT {take}
                ) k
                JOIN articles a ON a.id = k.id
                {Joins}
                ORDER BY k.sort_time{direction}, k.id{direction}
                """;
            return (sql, args);
        }

        // Relevance ranks a bounded set of candidates; the page is then cut from their ranking.
        string source;
        var outer = new List<string>();
        if (request.Sort == ArticleSort.Relevance)
        {
            source = $"""
                (SELECT a.*, ts_rank(a.search, websearch_to_tsquery('english', @search)) AS rank
                 FROM articles a WHERE {string.Join(" AND ", where)}
                 ORDER BY a.published_at DESC, a.id DESC LIMIT {RelevanceCandidates})
                """;
        }
        else
        {
            source = "articles";
            outer.AddRange(where);
        }
        if (request.After is not null)
        {
            outer.Add($"({string.Join(", ", order.Keys)}) {beyond} ({string.Join(", ", order.Parameters)})");
        }

        var list = $"""
            SELECT {SummaryColumns} a.published_at AS sort_time, {order.SortValue}::float8 AS sort_value
            FROM {source} a
            {Joins}
            {(outer.Count > 0 ? "WHERE " + string.Join(" AND ", outer) : "")}
            ORDER BY {string.Join(", ", order.Keys.Select(k => k + direction))}
            LIMIT {take} OFFSET {skip}
            """;
        return (list, args);
    }

    public static (string Sql, DynamicParameters Args) Count(ArticleFilter filter, ArticleSort sort)
    {
        var where = string.Join(" AND ", Filters(filter));
        var sql = sort == ArticleSort.Relevance
            ? $"SELECT count(*) FROM (SELECT 1 FROM articles a WHERE {where} LIMIT {RelevanceCandidates}) c"
            : $"SELECT count(*) FROM articles a WHERE {where}";
        return (sql, Parameters(filter));
    }

    private static List<string> Filters(ArticleFilter filter)
    {
        var where = new List<string>
        {
            filter.Published switch
            {
                PublishedFilter.Published => "a.listed",
                PublishedFilter.Unpublished => "NOT a.published AND NOT a.removed",
                _ => "NOT a.removed",
            },
        };
        if (filter.Topics.Count > 0)
        {
            // Common topics: a scalar subquery is not flattened into a join, so the plan keeps the newest-first index order
            // and probes each row. Rare topics: ARRAY() runs once and the articles are then fetched by id.
            where.Add(filter.ProbeTopics
                ? "(SELECT true FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id AND t.slug = ANY(@topics) LIMIT 1)"
                : "a.id = ANY(ARRAY(SELECT x.article_id FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE t.slug = ANY(@topics)))");
        }
        if (filter.Providers.Count > 0)
        {
            where.Add("a.provider_id IN (SELECT id FROM providers WHERE domain = ANY(@providers))");
        }
        if (filter.Type is not null)
        {
            where.Add("a.type = @type");
        }
        if (filter.From is not null)
        {
            where.Add("a.published_at >= @from");
        }
        if (filter.To is not null)
        {
            where.Add("a.published_at < @to");
        }
        if (filter.MinQuality is not null)
        {
            where.Add("a.quality >= @minQuality");
        }
        if (filter.Search is not null)
        {
            where.Add("a.search @@ websearch_to_tsquery('english', @search)");
            if (filter.RareSearch)
            {
                where.Add("a.id = ANY(ARRAY(SELECT s.id FROM articles s WHERE s.search @@ websearch_to_tsquery('english', @search)))");
            }
        }
        return where;
    }

    private static DynamicParameters Parameters(ArticleFilter filter)
    {
        var args = new DynamicParameters();
        args.Add("topics", filter.Topics.ToArray());
        args.Add("providers", filter.Providers.ToArray());
        args.Add("type", filter.Type);
        args.Add("from", filter.From);
        args.Add("to", filter.To);
        args.Add("minQuality", filter.MinQuality);
        args.Add("search", filter.Search);
        return args;
    }
}
