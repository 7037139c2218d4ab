using System.Globalization;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Articles.Data.Articles;

// An article's own words against the others' (PostgreSQL full text), with a bounded cost: its ten rarest words find at
// most 200 candidates through the full-text index, and its twenty rarest rank them (ts_rank). Rarity is the column's
// statistics, remembered for ten minutes (a word they do not list is rarer than any they do).
public sealed class SimilarRepository(NpgsqlDataSource dataSource)
{
    public const int Candidates = 200;

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
        var similar = $"""
            SELECT {ArticleSql.SummaryColumns} a.published_at AS sort_time, k.rank::float8 AS sort_value
            FROM (SELECT c.id, ts_rank(c.search, @whole::tsquery) AS rank, c.published_at
                  FROM (SELECT a.id, a.search, a.published_at FROM articles a
                        WHERE a.search @@ @rare::tsquery AND a.listed AND a.id <> @self LIMIT {Candidates.ToString(CultureInfo.InvariantCulture)}) c
                  ORDER BY rank DESC, c.published_at DESC, c.id DESC LIMIT @limit) k
            JOIN articles a ON a.id = k.id
            {ArticleSql.Joins}
            ORDER BY k.rank DESC, k.published_at DESC, k.id DESC
            """;
        return (false, await ArticleRepository.ReadRowsAsync(connection, ArticleSql.CustomPlan(similar),
            new { self = found.Id, rare = AnyOf(words.Take(10)), whole = AnyOf(words.Take(20)), limit }, ct));
    }

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
