using System.Globalization;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Articles.Data.Articles;

// An article's own words against the others' (PostgreSQL full text), with a bounded cost: its ten rarest words find at most
// 200 candidates, and its twenty rarest rank them (ts_rank). Rarity is the column's statistics, remembered for ten minutes
// (a word they do not list is rarer than any they do). indexReads: the pool of ArticlesDatabase.CreateIndexReadSource.
public sealed class SimilarRepository(NpgsqlDataSource dataSource, NpgsqlDataSource indexReads)
{
    public const int Candidates = 200;

    private static readonly string Limit = Candidates.ToString(CultureInfo.InvariantCulture);

    // Words in 1 article in 100 or more between them: the newest 200 articles sharing one, about 200 / share entries of
    // article_search_newest whatever the data's size, and the same ones on every request.
    internal static readonly string NewestSharing = Ranked($"""
        SELECT s.article_id AS id, s.search, s.published_at FROM article_search s
        WHERE s.search @@ @rare::tsquery AND s.article_id <> @self ORDER BY s.published_at DESC, s.article_id DESC LIMIT {Limit}
        """);

    // Rarer words: the first 200 matches in table order, through a bitmap (the full-text index's). A sequential scan would
    // start wherever the last one stopped on a large table (synchronized scans), a parallel one in any order: neither runs.
    internal static readonly string[] FixedOrder = ["enable_seqscan = off", "max_parallel_workers_per_gather = 0"];

    internal static readonly string AnySharing = Ranked($"""
        SELECT a.id, a.search, a.published_at FROM articles a
        WHERE a.search @@ @rare::tsquery AND a.listed AND a.id <> @self LIMIT {Limit}
        """);

    private static readonly string AnySharingStatement = ArticleSql.WithSettings(AnySharing, FixedOrder);

    private readonly MemoryCache _statistics = new(new MemoryCacheOptions());

    // Null when no article has the id; Removed when its publisher removed it.
    public async Task<(bool Removed, List<ArticleSummaryRow> Similar)?> SimilarAsync(Guid publicId, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var article = await connection.QuerySingleOrDefaultAsync<(long Id, bool Removed, string[] Words)?>(new CommandDefinition(
            "SELECT id, removed, tsvector_to_array(search) FROM articles WHERE public_id = @publicId", new { publicId }, cancellationToken: ct));
        if (article is not { } found || found.Removed || found.Words.Length == 0)
        {
            return article is { } some ? (some.Removed, []) : null;
        }
        var frequency = await FrequenciesAsync(connection, ct);
        var words = found.Words.OrderBy(w => frequency.GetValueOrDefault(w), Comparer<float>.Default).ThenBy(w => w, StringComparer.Ordinal).ToList();
        var rare = words.Take(10).ToList();
        var args = new { self = found.Id, rare = AnyOf(rare), whole = AnyOf(words.Take(20)), limit };
        if (rare.Sum(w => frequency.GetValueOrDefault(w)) < ArticleSql.CommonShare)
        {
            return (false, await ArticleRepository.ReadRowsAsync(connection, AnySharingStatement, args, ct));
        }
        await connection.CloseAsync();   // returned to its pool before the index pool's is taken
        await using var onIndex = await indexReads.OpenConnectionAsync(ct);
        return (false, await ArticleRepository.ReadRowsAsync(onIndex, NewestSharing, args, ct));
    }

    // The candidates ranked against the article's twenty rarest words, and the page's columns read for the best.
    private static string Ranked(string candidates) => $"""
        SELECT {ArticleSql.SummaryColumns} a.published_at AS sort_time, k.rank::float8 AS sort_value
        FROM (SELECT c.id, ts_rank(c.search, @whole::tsquery) AS rank, c.published_at
              FROM ({candidates}) c
              ORDER BY rank DESC, c.published_at DESC, c.id DESC LIMIT @limit) k
        JOIN articles a ON a.id = k.id
        {ArticleSql.Joins}
        ORDER BY k.rank DESC, k.published_at DESC, k.id DESC
        """;

    // Lexemes as tsquery text: quoted, a quote doubled and a backslash escaped, joined by OR.
    private static string AnyOf(IEnumerable<string> lexemes) =>
        string.Join(" | ", lexemes.Select(l => $"'{l.Replace("\\", "\\\\").Replace("'", "''")}'"));

    private async Task<Dictionary<string, float>> FrequenciesAsync(NpgsqlConnection connection, CancellationToken ct) =>
        (await _statistics.GetOrCreateAsync("search", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10);
            const string sql = """
                SELECT e.word, e.frequency
                FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) e(word, frequency)
                WHERE s.schemaname = current_schema() AND s.tablename = 'articles' AND s.attname = 'search' AND e.word IS NOT NULL
                """;
            var rows = await connection.QueryAsync<(string Word, float Frequency)>(new CommandDefinition(sql, cancellationToken: ct));
            return rows.ToDictionary(r => r.Word, r => r.Frequency);
        }))!;
}
