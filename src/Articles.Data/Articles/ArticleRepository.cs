using System.Globalization;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Articles.Data.Articles;

// indexReads: the pool topic and provider pages run on (ArticlesDatabase.CreateIndexReadSource).
public sealed class ArticleRepository(NpgsqlDataSource dataSource, NpgsqlDataSource indexReads)
{
    // Whether a search text is rare, remembered for ten minutes (at most 2,000 texts).
    private readonly MemoryCache _rareSearches = new(new MemoryCacheOptions { SizeLimit = 2_000 });

    // The newest change a walk's page has shown: walks begun before it are read with their moved articles at once.
    private long _newestChange;

    public async Task<List<ArticleSummaryRow>> ListAsync(ArticlePageRequest request, CancellationToken ct)
    {
        request = request with { Filter = await PlanAsync(request.Filter, ct) };
        // A time-sorted walk's page is first read as if nothing had moved since the walk began, which is exact when the
        // page's own snapshot shows no change after it (the rows' ChangesSeen); otherwise it is read again with the moved articles.
        var rows = ArticleSql.TracksMoves(request) && request.ChangesSeen >= Volatile.Read(ref _newestChange)
            ? await ReadAsync(ArticleSql.List(request, unmoved: true), ct)
            : null;
        if (rows is not null && (rows.Count == 0 || rows[0].ChangesSeen > request.ChangesSeen))
        {
            if (rows.Count > 0 && rows[0].ChangesSeen > Volatile.Read(ref _newestChange))
            {
                Volatile.Write(ref _newestChange, rows[0].ChangesSeen);
            }
            rows = null;
        }
        rows ??= await ReadAsync(ArticleSql.List(request), ct);
        // A backwards page is read nearest-first; callers always get the sort order.
        if (request.Backwards)
        {
            rows.Reverse();
        }
        return rows;
    }

    private async Task<List<ArticleSummaryRow>> ReadAsync((string Sql, DynamicParameters Args, bool IndexReads) page, CancellationToken ct)
    {
        await using var connection = await (page.IndexReads ? indexReads : dataSource).OpenConnectionAsync(ct);
        return await ReadRowsAsync(connection, page.Sql, page.Args, ct);
    }

    // A numbered page and its total (unless the caller knows it), on one connection. The total is exact up to
    // `countUpTo` matches, and exact from the counts the job keeps for an unfiltered list, one topic or one provider;
    // otherwise a larger one is a lower bound.
    public async Task<(List<ArticleSummaryRow> Rows, long Total, bool Exact)> PageAsync(
        ArticlePageRequest request, int countUpTo, (long Total, bool Exact)? known, CancellationToken ct)
    {
        request = request with { Filter = await PlanAsync(request.Filter, ct) };
        var (listSql, listArgs, onIndex) = ArticleSql.List(request);
        await using var connection = await (onIndex ? indexReads : dataSource).OpenConnectionAsync(ct);
        var rows = await ReadRowsAsync(connection, listSql, listArgs, ct);
        if (known is { } given)
        {
            return (rows, given.Total, given.Exact);
        }
        // On the page's connection: a count over topics' or providers' ranges needs the index pool's settings too.
        var (countSql, countArgs, kept) = FilterSql.Count(request.Filter, request.Sort, countUpTo + 1);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(countSql, countArgs, cancellationToken: ct));
        return kept || total <= countUpTo ? (rows, total, true) : (rows, countUpTo, false);
    }

    // The summaries of the articles asked for, in the order asked (each once), in one statement; an unpublished article
    // is served as it is by id.
    public async Task<ArticleBatch> BatchAsync(IReadOnlyList<Guid> ids, SummaryParts shown, CancellationToken ct)
    {
        var sql = $"""
            SELECT {ArticleSql.SummaryColumns} a.published_at AS sort_time, 0::float8 AS sort_value, a.removed
            FROM articles a
            {ArticleSql.Joins}
            WHERE a.public_id = ANY(@ids)
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            ArticleSql.Showing(sql, shown), new { ids = ids.ToArray() }, cancellationToken: ct));
        var rows = new Dictionary<Guid, (ArticleSummaryRow Row, bool Removed)>();
        while (await reader.ReadAsync(ct))
        {
            var row = ArticleSummaryRow.Read(reader);
            rows[row.PublicId] = (row, reader.GetBoolean(23));
        }
        var found = new List<ArticleSummaryRow>();
        var missing = new List<(Guid, int)>();
        foreach (var id in ids.Distinct())
        {
            if (rows.TryGetValue(id, out var hit) && !hit.Removed)
            {
                found.Add(hit.Row);
            }
            else
            {
                missing.Add((id, hit.Row is null ? 404 : 410));
            }
        }
        return new ArticleBatch(found, missing);
    }

    // Each article's title (whole) and excerpt (at most three fragments) with the words the search matched between
    // HighlightMarks, which are first taken out of the text itself (its < and > become Lt and Gt).
    public async Task<Dictionary<long, (string Title, string? Excerpt)>> HighlightsAsync(IReadOnlyList<long> ids, string search, CancellationToken ct)
    {
        const string sql = """
            SELECT a.id, ts_headline('english', translate(a.title, @marks, @brackets), q, @titleOptions),
                CASE WHEN a.excerpt IS NOT NULL THEN ts_headline('english', translate(a.excerpt, @marks, @brackets), q, @excerptOptions) END
            FROM articles a, websearch_to_tsquery('english', @search) q
            WHERE a.id = ANY(@ids)
            """;
        var marks = $"StartSel={HighlightMarks.Start}, StopSel={HighlightMarks.Stop}";
        var args = new
        {
            ids = ids.ToArray(), search, brackets = $"{HighlightMarks.Lt}{HighlightMarks.Gt}",
            marks = $"<>{HighlightMarks.Start}{HighlightMarks.Stop}{HighlightMarks.Lt}{HighlightMarks.Gt}",
            titleOptions = $"{marks}, HighlightAll=true", excerptOptions = $"{marks}, MaxFragments=3, FragmentDelimiter=\" … \"",
        };
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(long Id, string Title, string? Excerpt)>(new CommandDefinition(sql, args, cancellationToken: ct));
        return rows.ToDictionary(r => r.Id, r => (r.Title, r.Excerpt));
    }

    internal static async Task<List<ArticleSummaryRow>> ReadRowsAsync(NpgsqlConnection connection, string sql, object args, CancellationToken ct)
    {
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, args, cancellationToken: ct));
        var rows = new List<ArticleSummaryRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(ArticleSummaryRow.Read(reader));
        }
        return rows;
    }

    // The question PlanAsync asks (below), in one statement.
    private static readonly string RareSearchSql = $"""
        SELECT numnode(q) > 0 AND strpos(q::text, '!') = 0 AND coalesce((
            SELECT bool_and(coalesce(s.most_common_elem_freqs[array_position(s.most_common_elems::text::text[], w)], 0) < {ArticleSql.CommonShare.ToString(CultureInfo.InvariantCulture)})
            FROM unnest(tsvector_to_array(to_tsvector('english', @search))) w,
                pg_stats s
            WHERE s.schemaname = current_schema() AND s.tablename = 'articles' AND s.attname = 'search'), true)
        FROM websearch_to_tsquery('english', @search) q
        """;

    // Whether a search is rare, from what the database knows, in one round trip and only for a search text not seen
    // lately. It is rare when the query negates nothing and each of its words is in under 1 in 100 articles by the
    // column's statistics (a word they do not list is rarer than any they do). PostgreSQL itself guesses hundreds of
    // matches for a word it has never seen and walks the whole list looking for them.
    public async Task<ArticleFilter> PlanAsync(ArticleFilter filter, CancellationToken ct)
    {
        if (filter.Search is null)
        {
            return filter;
        }
        if (_rareSearches.TryGetValue(filter.Search, out bool remembered))
        {
            return filter with { RareSearch = remembered };
        }
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rare = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(RareSearchSql, new { search = filter.Search }, cancellationToken: ct));
        _rareSearches.Set(filter.Search, rare, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10) });
        return filter with { RareSearch = rare };
    }
}
