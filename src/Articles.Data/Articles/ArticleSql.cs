using System.Globalization;
using Dapper;

namespace Articles.Data.Articles;

// The list query, assembled only from the fixed fragments below; request values travel as parameters.
internal static class ArticleSql
{
    // Relevance ranks at most this many of the newest matches, so a very common word stays cheap.
    public const int RelevanceCandidates = 1_000;

    // The summary columns, shared with the change feed. Topics come from the article's copies unless a job older than
    // migration 13 rewrote it after they were written (their hash is then not the content's).
    internal static readonly string SummaryColumns = Summary(SummaryParts.All);

    internal static readonly string Joins = JoinsFor(SummaryParts.All);

    private const string TopicColumns = """
        CASE WHEN a.topics_hash = a.content_hash THEN a.topic_names
                ELSE ARRAY(SELECT t.name FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id ORDER BY x.position) END AS topic_names,
            CASE WHEN a.topics_hash = a.content_hash THEN a.topic_slugs
                ELSE ARRAY(SELECT t.slug FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id ORDER BY x.position) END AS topic_slugs
        """;

    private const string ImageColumns =
        "i.url AS image_url, i.width AS image_width, i.height AS image_height, i.is_cached AS image_is_cached, i.title AS image_title";

    // The columns a response does not show are nulls (in the same places, so rows read alike), and their joins go.
    private static string Summary(SummaryParts shown) => $"""
        a.id, a.public_id, a.type, a.title, {(shown.HasFlag(SummaryParts.Excerpt) ? "a.excerpt" : "NULL::text AS excerpt")}, a.published_at,
            a.original_url, a.web_url, a.amp_web_url, a.quality, a.heat,
            {(shown.HasFlag(SummaryParts.Provider) ? "a.provider_name, p.domain AS provider_domain" : "''::text AS provider_name, ''::text AS provider_domain")},
            {(shown.HasFlag(SummaryParts.Topics) ? TopicColumns : "NULL::text[] AS topic_names, NULL::text[] AS topic_slugs")},
            {(shown.HasFlag(SummaryParts.Image) ? ImageColumns : "NULL::text AS image_url, NULL::int AS image_width, NULL::int AS image_height, NULL::boolean AS image_is_cached, NULL::text AS image_title")},
            (SELECT coalesce(max(seq), 0) FROM article_changes) AS changes_seen,
        """;

    private static string JoinsFor(SummaryParts shown) =>
        (shown.HasFlag(SummaryParts.Provider) ? "JOIN providers p ON p.id = a.provider_id\n" : "")
        + (shown.HasFlag(SummaryParts.Image) ? "LEFT JOIN article_images i ON i.article_id = a.id AND i.position = 0\n" : "");

    // The same statement reading only the summary parts a response shows.
    internal static string Showing(string sql, SummaryParts shown) =>
        shown == SummaryParts.All ? sql : sql.Replace(SummaryColumns, Summary(shown)).Replace(Joins, JoinsFor(shown));

    // Changes after the walk began that moved an article's published time. The walk's start is written into the
    // text like LIMIT (see List): every walk begun between two ingestions shares it, so their pages share one plan.
    private static string MovesSince(long since) => string.Create(CultureInfo.InvariantCulture,
        $"c.seq > {since} AND c.old_published_at IS DISTINCT FROM c.new_published_at AND c.old_published_at IS NOT NULL");

    // IndexReads: the statement must run on the index-read pool (ArticlesDatabase.CreateIndexReadSource).
    // unmoved: a walk's page as if no article had moved since the walk began (see ArticleRepository.ListAsync).
    public static (string Sql, DynamicParameters Args, bool IndexReads) List(ArticlePageRequest request, bool unmoved = false)
    {
        var (sql, args, indexReads) = Page(request, unmoved);
        return (Showing(sql, request.Shown), args, indexReads);
    }

    private static (string Sql, DynamicParameters Args, bool IndexReads) Page(ArticlePageRequest request, bool unmoved)
    {
        var args = FilterSql.Parameters(request.Filter);
        if (request.After is { } after)
        {
            args.Add("keyTime", after.PublishedAt);
            args.Add("keyId", after.Id);
            args.Add("keyValue", after.Value);
        }
        if (request.Sort == ArticleSort.Relevance)
        {
            // A common search without topics or providers ranks what the newest-first index yields, the only plan on the
            // index-read pool, which plans it once; others are planned for their words each time.
            var onIndex = ReadsIndex(request.Filter) && !ByTopicOrProvider(request.Filter);
            var ranked = RankedPageSql.RelevancePage(request, onIndex);
            return (onIndex ? ranked : CustomPlan(ranked), args, onIndex);
        }
        if (request.Sort is not (ArticleSort.Newest or ArticleSort.Oldest))
        {
            return (RankedPageSql.SortedPage(request), args, false);
        }
        // An unfiltered walk's pages differ only in their keys, and a common search's only in its words: one generic plan
        // along the newest-first index (the index-read pool's) serves them all, where PostgreSQL would plan each again.
        var unfilteredWalk = request.After is not null && request.Filter.Unfiltered && ReadsIndex(request.Filter);
        var commonSearch = request.Filter.Search is not null && ReadsIndex(request.Filter);
        return (TimePage(request, unmoved), args, ByTopicOrProvider(request.Filter) || unfilteredWalk || commonSearch);
    }

    // A word in this share of articles or more is common: a search for it reads an index in order, not the full-text index.
    internal const float CommonShare = 0.01f;

    // A search's plan depends on how common its words are, which a generic plan cannot know.
    internal static string CustomPlan(string sql) => WithSettings(sql, "plan_cache_mode = force_custom_plan");

    // A statement with planner settings for it alone: SET before it and RESET after it, in the same round trip.
    internal static string WithSettings(string sql, params string[] settings) =>
        $"SET {string.Join("; SET ", settings)}; {sql}; RESET {string.Join("; RESET ", settings.Select(s => s[..s.IndexOf(' ')]))}";

    // Topic and provider pages run on the index-read pool: PostgreSQL sizes a topic by the average and would sort a
    // large one whole; with its sessions' settings the ordered range is the only plan (bench/README.md, list shapes).
    internal static bool ByTopicOrProvider(ArticleFilter filter) =>
        ReadsIndex(filter) && (filter.Topics.Count > 0 || filter.Providers.Count > 0);

    // Newest or oldest listed articles come off an index already in order: the global one, a topic's, a provider's,
    // or a topic's for one provider. Exceptions: a rare search (its few matches are collected first) and lists that
    // include unpublished articles (no index holds them in order).
    internal static bool ReadsIndex(ArticleFilter filter) => filter.Published == PublishedFilter.Published && !filter.RareSearch;

    // The page's keys are found first (off an index when ReadsIndex), then its columns read once. LIMIT and OFFSET are
    // validated integers written into the text, so a prepared page-1 statement has no parameters and keeps one plan.
    // Only a time-sorted walk reads articles moved since it began at their earlier time; other sorts have no such part.
    internal static bool TracksMoves(ArticlePageRequest request) =>
        request.After is not null && request.Sort is ArticleSort.Newest or ArticleSort.Oldest;

    private static string TimePage(ArticlePageRequest request, bool unmoved)
    {
        var descending = (request.Sort == ArticleSort.Newest) ^ request.Backwards;
        var direction = descending ? " DESC" : "";
        var take = request.Take.ToString(CultureInfo.InvariantCulture);
        var skip = request.Skip.ToString(CultureInfo.InvariantCulture);
        var moves = TracksMoves(request) && !unmoved;
        var keys = Keys(request.Filter, request.Take + request.Skip, direction,
            request.After is null ? null : (descending ? "<" : ">", moves ? request.ChangesSeen : null));
        // A time-ordered walk keeps each article where it stood when the walk began: articles the job moved
        // since then are read at their earlier time, so no article is skipped or shown twice while it runs.
        var moved = !moves ? "" : $"""
            UNION ALL
            (SELECT a.id, w.old_published_at
             FROM (SELECT DISTINCT ON (c.article_id) c.article_id, c.old_published_at
                   FROM article_changes c WHERE {MovesSince(request.ChangesSeen)} ORDER BY c.article_id, c.seq) w
             JOIN articles a ON a.id = w.article_id
             WHERE {string.Join(" AND ", FilterSql.Filters(request.Filter, probeTopics: true, queryOnce: true))} AND (w.old_published_at, a.id) {(descending ? "<" : ">")} (@keyTime, @keyId)
             ORDER BY w.old_published_at{direction}, a.id{direction}
             LIMIT {take})
            """;
        var page = moved.Length == 0 && request.Skip == 0
            ? keys
            : $"""
                SELECT id, sort_time FROM ({keys}) f
                {moved}
                ORDER BY sort_time{direction}, id{direction}
                LIMIT {take} OFFSET {skip}
                """;
        return $"""
            SELECT {SummaryColumns} k.sort_time, 0::float8 AS sort_value
            FROM ({page}) k
            JOIN articles a ON a.id = k.id
            {Joins}
            ORDER BY k.sort_time{direction}, k.id{direction}
            """;
    }

    // (id, sort_time) of the first `limit` articles in index order, after the cursor when there is one. Several topics
    // or providers: each one's index is read for `limit` entries and the runs merged (an article in two topics once).
    // A walk's ChangesSeen, when given, leaves out the articles moved since (TimePage reads them at their earlier time).
    internal static string Keys(ArticleFilter filter, int limit, string direction, (string Beyond, long? ChangesSeen)? after)
    {
        var count = limit.ToString(CultureInfo.InvariantCulture);
        var index = ReadsIndex(filter);
        var byTopic = index && filter.Topics.Count > 0;
        var byProvider = index && filter.Providers.Count > 0;
        var (time, id) = byTopic ? ("x.published_at", "x.article_id") : ("a.published_at", "a.id");
        // One topic and at most one provider, or one provider: its range is read directly, with no per-name join to sort after.
        var single = (!byTopic || filter.Topics.Count == 1) && (!byProvider || filter.Providers.Count == 1);
        var (topicId, providerId) = single
            ? ("(SELECT id FROM topics WHERE slug = (@topics)[1])", "(SELECT id FROM providers WHERE domain = (@providers)[1])")
            : ("t.id", "pr.id");
        var from = "articles a";
        var where = new List<string>();
        if (!index)
        {
            where.AddRange(FilterSql.Filters(filter, probeTopics: false));
        }
        else if (byTopic)
        {
            var needsArticle = filter.Type is not null || filter.MinQuality is not null || filter.Search is not null;
            from = "article_topics x" + (needsArticle ? " JOIN articles a ON a.id = x.article_id" : "");
            where.Add($"x.topic_id = {topicId}");
            where.AddRange(byProvider ? [$"x.provider_id = {providerId}", "x.listed"] : ["x.listed"]);
            where.AddRange(FilterSql.ArticleConditions(filter, time, queryOnce: true));
        }
        else
        {
            where.AddRange(byProvider ? [$"a.provider_id = {providerId}", "a.listed"] : ["a.listed"]);
            where.AddRange(FilterSql.ArticleConditions(filter, time, queryOnce: true));
        }
        if (after is { } walk)
        {
            where.Add($"({time}, {id}) {walk.Beyond} (@keyTime, @keyId)");
            if (walk.ChangesSeen is { } since)
            {
                where.Add($"NOT EXISTS (SELECT 1 FROM article_changes c WHERE c.article_id = {id} AND {MovesSince(since)})");
            }
        }
        var scan = $"""
            SELECT {id} AS id, {time} AS sort_time FROM {from}
            WHERE {string.Join(" AND ", where)}
            ORDER BY {time}{direction}, {id}{direction} LIMIT {count}
            """;
        if (single)
        {
            return scan;
        }
        // One index range per topic, provider or pair of them, each read by the LATERAL scan.
        var ranges = new[] { byTopic ? "topics t" : null, byProvider ? "providers pr" : null }.OfType<string>();
        var names = new[] { byTopic ? "t.slug = ANY(@topics)" : null, byProvider ? "pr.domain = ANY(@providers)" : null }.OfType<string>();
        return $"""
            SELECT {(filter.Topics.Count > 1 ? "DISTINCT " : "")}k.id, k.sort_time
            FROM {string.Join(" CROSS JOIN ", ranges)} CROSS JOIN LATERAL ({scan}) k
            WHERE {string.Join(" AND ", names)}
            ORDER BY k.sort_time{direction}, k.id{direction} LIMIT {count}
            """;
    }
}
