using System.Globalization;

namespace Articles.Data.Articles;

// Pages in an order no index holds: quality, heat and relevance.
internal static class RankedPageSql
{
    private sealed record Order(string SortValue, string[] Keys, string[] Parameters, bool Descending);

    private static readonly Dictionary<ArticleSort, Order> Orders = new()
    {
        [ArticleSort.Quality] = new("coalesce(a.quality, -1)", ["coalesce(a.quality, -1)", "a.published_at", "a.id"],
            ["@keyValue::int", "@keyTime", "@keyId"], Descending: true),
        [ArticleSort.Heat] = new("coalesce(a.heat, -1)", ["coalesce(a.heat, -1)", "a.published_at", "a.id"],
            ["@keyValue::int", "@keyTime", "@keyId"], Descending: true),
    };

    // Quality and heat: the matches filtered, then sorted.
    public static string SortedPage(ArticlePageRequest request)
    {
        var order = Orders[request.Sort];
        var descending = order.Descending ^ request.Backwards;
        var direction = descending ? " DESC" : "";
        var where = FilterSql.Filters(request.Filter, probeTopics: false);
        if (request.After is not null)
        {
            where.Add($"({string.Join(", ", order.Keys)}) {(descending ? "<" : ">")} ({string.Join(", ", order.Parameters)})");
        }
        return $"""
            SELECT {ArticleSql.SummaryColumns} a.published_at AS sort_time, {order.SortValue}::float8 AS sort_value
            FROM articles a
            {ArticleSql.Joins}
            WHERE {string.Join(" AND ", where)}
            ORDER BY {string.Join(", ", order.Keys.Select(k => k + direction))}
            LIMIT {request.Take.ToString(CultureInfo.InvariantCulture)} OFFSET {request.Skip.ToString(CultureInfo.InvariantCulture)}
            """;
    }

    // Relevance ranks the newest matches (a bounded set of ids and ranks), cuts the page from the ranking, and only
    // then reads the page's columns. onIndex: a generic plan on the index-read pool (see FilterSql.Query). A search
    // filtered by nothing but dates finds its matches in article_search, the listed articles' search vectors.
    public static string RelevancePage(ArticlePageRequest request, bool onIndex)
    {
        var descending = !request.Backwards;
        var direction = descending ? " DESC" : "";
        var keyset = request.After is null ? "" : $"WHERE (c.rank::float8, c.id) {(descending ? "<" : ">")} (@keyValue, @keyId)";
        var filter = request.Filter;
        var (from, id, where) = onIndex && filter is { Type: null, MinQuality: null }
            ? ("article_search a", "a.article_id", FilterSql.ArticleConditions(filter, "a.published_at", queryOnce: true))
            : ("articles a", "a.id", FilterSql.Filters(filter, probeTopics: false, onIndex));
        return $"""
            SELECT {ArticleSql.SummaryColumns} a.published_at AS sort_time, k.rank::float8 AS sort_value
            FROM (SELECT c.id, c.rank FROM (
                      SELECT {id} AS id, ts_rank(a.search, {FilterSql.Query(onIndex)}) AS rank
                      FROM {from} WHERE {string.Join(" AND ", where)}
                      ORDER BY a.published_at DESC, {id} DESC LIMIT {ArticleSql.RelevanceCandidates}) c
                  {keyset}
                  ORDER BY c.rank{direction}, c.id{direction}
                  LIMIT {request.Take.ToString(CultureInfo.InvariantCulture)} OFFSET {request.Skip.ToString(CultureInfo.InvariantCulture)}) k
            JOIN articles a ON a.id = k.id
            {ArticleSql.Joins}
            ORDER BY k.rank{direction}, k.id{direction}
            """;
    }
}
