using System.Globalization;
using Dapper;
using Npgsql;

namespace Articles.Data.Articles;

public enum Facet { Topic, Provider, Type }

public sealed record FacetCount(string Value, string Name, long Count);

// Exact: every match was counted, or the job's counts answered; else the newest `sample` matches were.
public sealed record FacetCounts(Facet Facet, bool Exact, IReadOnlyList<FacetCount> Values);

// A list's counts per topic, provider or type, each under the list's filter without that facet's own (a sidebar's).
// sample: how many of the newest matches are counted at most (10,000, as deep as numbered pages go).
public sealed class FacetRepository(NpgsqlDataSource dataSource, NpgsqlDataSource indexReads, int sample = 10_000)
{
    // filter: as ArticleRepository.PlanAsync left it. Facets whose own filter is not set share one sample; a sample off an
    // index runs on the index-read pool, whose settings keep it walking the index (one round trip per pool).
    public async Task<List<FacetCounts>> CountAsync(ArticleFilter filter, IReadOnlyList<Facet> facets, int limit, CancellationToken ct)
    {
        var args = FilterSql.Parameters(filter);
        args.Add("facetLimit", limit);
        var statements = facets.GroupBy(f => ReferenceEquals(Without(filter, f), filter) ? (Facet?)null : f)
            .SelectMany(g => Statements(Without(filter, g.First()), g.ToList()));
        var rows = new List<(string Facet, bool Exact, string? Value, string? Name, long Count)>();
        foreach (var pool in statements.GroupBy(s => s.OnIndex))
        {
            await using var connection = await (pool.Key ? indexReads : dataSource).OpenConnectionAsync(ct);
            await using var results = await connection.QueryMultipleAsync(new CommandDefinition(string.Join(";\n", pool.Select(s => s.Sql)), args, cancellationToken: ct));
            while (!results.IsConsumed)
            {
                rows.AddRange(await results.ReadAsync<(string, bool, string?, string?, long)>());
            }
        }
        return facets.Select(f =>
        {
            var mine = rows.Where(r => r.Facet == Name(f)).ToList();
            return new FacetCounts(f, mine.Count == 0 || mine[0].Exact,
                mine.Where(r => r.Value is not null).Select(r => new FacetCount(r.Value!, r.Name!, r.Count)).ToList());
        }).ToList();
    }

    private static string Name(Facet facet) => facet.ToString().ToLowerInvariant();

    // The filter a facet counts under: the list's, less the facet's own (the same filter when that one is not set).
    private static ArticleFilter Without(ArticleFilter filter, Facet facet) => facet switch
    {
        Facet.Topic when filter.Topics.Count > 0 => filter with { Topics = [] },
        Facet.Provider when filter.Providers.Count > 0 => filter with { Providers = [] },
        Facet.Type when filter.Type is not null => filter with { Type = null },
        _ => filter,
    };

    // Each facet's rows: (facet, exact, value, name, count), or one row with a null value when it has none.
    private IEnumerable<(string Sql, bool OnIndex)> Statements(ArticleFilter filter, List<Facet> facets)
    {
        var listed = filter.Published == PublishedFilter.Published;
        var sampled = new List<string>();
        foreach (var facet in facets)
        {
            // The job's counts: topics' and providers' over every listed article, types' over every one or some providers'.
            if (listed && filter.Unfiltered && facet != Facet.Type)
            {
                var (table, value) = facet == Facet.Topic ? ("topics", "slug") : ("providers", "domain");
                yield return ($"""
                    SELECT '{Name(facet)}' AS facet, true AS exact, {value} AS value, name, article_count::bigint AS count FROM {table}
                    WHERE article_count > 0 ORDER BY article_count DESC, {value} LIMIT @facetLimit
                    """, false);
            }
            else if (listed && facet == Facet.Type && (filter with { Providers = [] }).Unfiltered)
            {
                var which = filter.Providers.Count == 0 ? "" : "WHERE domain = ANY(@providers)";
                yield return ($"""
                    SELECT 'type' AS facet, true AS exact, v.value, v.value AS name, v.count
                    FROM (SELECT sum(article_count - video_count)::bigint AS articles, sum(video_count)::bigint AS videos FROM providers {which}) p
                    CROSS JOIN LATERAL (VALUES ('article', p.articles), ('video', p.videos)) v(value, count)
                    WHERE v.count > 0 ORDER BY v.count DESC, v.value LIMIT @facetLimit
                    """, false);
            }
            else
            {
                var groups = facet switch
                {
                    Facet.Topic => """
                        SELECT t.slug AS value, t.name, count(*) AS count
                        FROM k CROSS JOIN LATERAL (SELECT x.topic_id FROM article_topics x WHERE x.article_id = k.id OFFSET 0) x JOIN topics t ON t.id = x.topic_id
                        GROUP BY t.slug, t.name ORDER BY count(*) DESC, t.slug
                        """,
                    Facet.Provider => "SELECT p.domain AS value, p.name, count(*) AS count FROM k JOIN providers p ON p.id = k.provider_id GROUP BY p.domain, p.name ORDER BY count(*) DESC, p.domain",
                    _ => "SELECT k.type AS value, k.type AS name, count(*) AS count FROM k GROUP BY k.type ORDER BY count(*) DESC, k.type",
                };
                sampled.Add($"(SELECT '{Name(facet)}' AS facet, e.exact, f.value, f.name, f.count FROM e LEFT JOIN LATERAL ({groups} LIMIT @facetLimit) f ON true)");
            }
        }
        if (sampled.Count > 0)
        {
            var size = sample.ToString(CultureInfo.InvariantCulture);
            // The newest matches off the list's own index, one more than the sample to know whether it holds them all; each
            // sampled article then looked up by id (OFFSET 0 keeps PostgreSQL from hashing the whole table instead).
            var sql = $"""
                WITH m AS MATERIALIZED ({ArticleSql.Keys(filter, sample + 1, " DESC", after: null)}),
                    k AS MATERIALIZED (SELECT s.id, a.type, a.provider_id
                        FROM (SELECT id FROM m ORDER BY sort_time DESC, id DESC LIMIT {size}) s
                        CROSS JOIN LATERAL (SELECT a.type, a.provider_id FROM articles a WHERE a.id = s.id OFFSET 0) a),
                    e AS (SELECT count(*) <= {size} AS exact FROM m)
                {string.Join("\nUNION ALL ", sampled)}
                """;
            yield return (filter.Search is null ? sql : ArticleSql.CustomPlan(sql), ArticleSql.ReadsIndex(filter));
        }
    }
}
