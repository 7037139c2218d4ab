using Articles.Data.Articles;
using Dapper;

namespace Articles.Api.Tests;

// How the repository steers PostgreSQL's plans, and that the steering leaves nothing behind.
[Collection(nameof(CorpusApi))]
public sealed class QueryPlanTests(CorpusApi api)
{
    [Fact]
    public async Task An_unfiltered_walk_forces_generic_plans_for_its_page_only()
    {
        // One pooled connection, which the pool hands back as it was left (as with No Reset On Close in production).
        var settings = new Npgsql.NpgsqlConnectionStringBuilder(api.Database.ConnectionString) { MaxPoolSize = 1, NoResetOnClose = true };
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(settings.ConnectionString);
        var repository = new ArticleRepository(dataSource);
        var filter = new ArticleFilter([], [], null, null, null, null, PublishedFilter.Published, null);
        var first = await repository.ListAsync(new ArticlePageRequest(filter, ArticleSort.Newest, 21), CancellationToken.None);

        var second = await repository.ListAsync(
            new ArticlePageRequest(filter, ArticleSort.Newest, 21, first[19].Keyset, ChangesSeen: first[0].ChangesSeen), CancellationToken.None);

        Assert.Equal(first[20].Id, second[0].Id);
        await using var connection = await dataSource.OpenConnectionAsync();   // the pool's only connection: the walk's
        Assert.Equal("auto", await connection.ExecuteScalarAsync<string>("SHOW plan_cache_mode"));
    }

    [Fact]
    public async Task A_search_is_rare_only_when_every_word_is_and_none_is_negated()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        // The most frequent word of the statistics that stems to itself, so the query names exactly that lexeme.
        var common = await connection.ExecuteScalarAsync<string>("""
            SELECT e FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) u(e, f)
            WHERE s.tablename = 'articles' AND s.attname = 'search' AND f >= 0.01
              AND tsvector_to_array(to_tsvector('english', e)) = ARRAY[e]
            ORDER BY f DESC LIMIT 1
            """);
        Assert.NotNull(common);
        var rare = await RareWordAsync(connection);

        var repository = new ArticleRepository(api.Database.DataSource);
        async Task<bool> RareAsync(string q) => (await repository.PlanAsync(connection,
            new ArticleFilter([], [], null, null, null, null, PublishedFilter.Published, q), CancellationToken.None)).RareSearch;

        Assert.False(await RareAsync(common));
        Assert.True(await RareAsync(rare));
        Assert.True(await RareAsync("zebraquagga"));
        Assert.True(await RareAsync($"{rare} zebraquagga"));
        Assert.False(await RareAsync($"zebraquagga OR {common}"));
        Assert.False(await RareAsync("-zebraquagga"));
        Assert.False(await RareAsync("the"));
        // Asked again, the remembered answer.
        Assert.True(await RareAsync("zebraquagga"));
        Assert.False(await RareAsync(common));
    }

    // A word in a few articles (well under 1 in 100) that stems to itself.
    private static async Task<string> RareWordAsync(Npgsql.NpgsqlConnection connection) =>
        (await connection.ExecuteScalarAsync<string>("""
            SELECT word FROM ts_stat('SELECT search FROM articles')
            WHERE ndoc BETWEEN 2 AND 5 AND word ~ '^[a-z]+$' AND tsvector_to_array(to_tsvector('english', word)) = ARRAY[word]
            ORDER BY word LIMIT 1
            """))!;

    [Fact]
    public async Task A_rare_search_finds_exactly_the_matching_articles()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        foreach (var q in new[] { await RareWordAsync(connection), "zebraquagga" })
        {
            var expected = await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM articles a WHERE a.listed AND a.search @@ websearch_to_tsquery('english', @q)", new { q });

            var page = await api.Client.JsonAsync($"/v1/articles?q={q}&page=1&limit=100");
            var relevance = await api.Client.JsonAsync($"/v1/articles?q={q}&sort=relevance&limit=100");

            Assert.Equal(expected, page.GetProperty("paging").GetProperty("totalItems").GetInt64());
            Assert.Equal(expected, page.Items().Count());
            Assert.Equal(expected, relevance.Items().Count());
        }
    }
}
