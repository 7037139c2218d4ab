using System.Text.Json;
using Articles.Data.Articles;
using Dapper;

namespace Articles.Api.Tests;

// facets=topic,provider,type: counts per value under the list's filter without that facet's own, checked against
// counts made here in SQL.
[Collection(nameof(CorpusApi))]
public sealed class FacetTests(CorpusApi api)
{
    private readonly HttpClient _client = api.Client;

    private const string TopicCounts = """
        SELECT t.slug AS value, count(*) AS count FROM articles a JOIN article_topics x ON x.article_id = a.id JOIN topics t ON t.id = x.topic_id
        WHERE {0} GROUP BY t.slug ORDER BY count(*) DESC, t.slug LIMIT {1}
        """;
    private const string ProviderCounts = """
        SELECT p.domain AS value, count(*) AS count FROM articles a JOIN providers p ON p.id = a.provider_id
        WHERE {0} GROUP BY p.domain ORDER BY count(*) DESC, p.domain LIMIT {1}
        """;
    private const string TypeCounts = "SELECT a.type AS value, count(*) AS count FROM articles a WHERE {0} GROUP BY a.type ORDER BY count(*) DESC, a.type LIMIT {1}";

    private async Task<List<(string Value, long Count)>> CountAsync(string sql, string where, int limit = 20)
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<(string, long)>(string.Format(sql, where, limit))).ToList();
    }

    private static List<(string Value, long Count)> Values(JsonElement facet) =>
        facet.GetProperty("values").EnumerateArray().Select(v => (v.Str("value"), v.GetProperty("count").GetInt64())).ToList();

    [Fact]
    public async Task Without_a_filter_the_facets_are_the_jobs_counts_and_exact()
    {
        var facets = (await _client.JsonAsync("/v1/articles?facets=topic,provider,type&facetLimit=5&limit=1")).GetProperty("facets");

        Assert.Equal(await CountAsync(TopicCounts, "a.listed", 5), Values(facets.GetProperty("topic")));
        Assert.Equal(await CountAsync(ProviderCounts, "a.listed", 5), Values(facets.GetProperty("provider")));
        Assert.Equal(await CountAsync(TypeCounts, "a.listed"), Values(facets.GetProperty("type")));
        Assert.All(facets.EnumerateObject(), f => Assert.True(f.Value.GetProperty("exact").GetBoolean()));
        var ai = facets.GetProperty("topic").GetProperty("values").EnumerateArray().First();
        Assert.False(string.IsNullOrEmpty(ai.Str("name")));
    }

    [Fact]
    public async Task Each_facet_counts_under_the_filter_without_its_own()
    {
        var facets = (await _client.JsonAsync("/v1/articles?topic=ai&type=article&facets=topic,provider,type&limit=1")).GetProperty("facets");

        const string inAi = "EXISTS (SELECT 1 FROM article_topics y JOIN topics u ON u.id = y.topic_id WHERE y.article_id = a.id AND u.slug = 'ai')";
        Assert.Equal(await CountAsync(TopicCounts, "a.listed AND a.type = 'article'"), Values(facets.GetProperty("topic")));
        Assert.Equal(await CountAsync(ProviderCounts, $"a.listed AND a.type = 'article' AND {inAi}"), Values(facets.GetProperty("provider")));
        Assert.Equal(await CountAsync(TypeCounts, $"a.listed AND {inAi}"), Values(facets.GetProperty("type")));
        Assert.NotEmpty(Values(facets.GetProperty("provider")));
        Assert.All(facets.EnumerateObject(), f => Assert.True(f.Value.GetProperty("exact").GetBoolean()));
    }

    [Theory]
    [InlineData("q=diablo", "a.listed AND a.search @@ websearch_to_tsquery('english', 'diablo')")]
    [InlineData("q=zeppelin&published=any", "NOT a.removed AND a.search @@ websearch_to_tsquery('english', 'zeppelin')")]
    [InlineData("provider=windowscentral.com&from=2021-01-01", "a.listed AND a.published_at >= '2021-01-01' AND a.provider_id = (SELECT id FROM providers WHERE domain = 'windowscentral.com')")]
    public async Task Searches_and_other_filters_are_counted_over_their_matches(string query, string where)
    {
        var facets = (await _client.JsonAsync($"/v1/articles?{query}&facets=topic,type&page=1")).GetProperty("facets");

        Assert.Equal(await CountAsync(TopicCounts, where), Values(facets.GetProperty("topic")));
        Assert.Equal(await CountAsync(TypeCounts, where), Values(facets.GetProperty("type")));
        Assert.NotEmpty(Values(facets.GetProperty("topic")));
        Assert.False(facets.TryGetProperty("provider", out _));
    }

    [Fact]
    public async Task Beyond_the_sample_the_newest_matches_are_counted_and_not_exact()
    {
        var filter = new ArticleFilter(["diablo-4"], [], null, null, null, null, PublishedFilter.Published, null);
        var sampled = new FacetRepository(api.Database.DataSource, api.IndexReads, sample: 30);
        var whole = new FacetRepository(api.Database.DataSource, api.IndexReads);

        var counts = await sampled.CountAsync(filter, [Facet.Provider, Facet.Type], 100, CancellationToken.None);
        var all = await whole.CountAsync(filter, [Facet.Provider], 100, CancellationToken.None);

        const string newest30 = """
            a.id IN (SELECT x.article_id FROM article_topics x JOIN topics t ON t.id = x.topic_id
                     WHERE t.slug = 'diablo-4' AND x.listed ORDER BY x.published_at DESC, x.article_id DESC LIMIT 30)
            """;
        Assert.All(counts, c => Assert.False(c.Exact));
        Assert.Equal(await CountAsync(ProviderCounts, newest30, 100), counts[0].Values.Select(v => (v.Value, v.Count)));
        Assert.Equal(await CountAsync(TypeCounts, newest30, 100), counts[1].Values.Select(v => (v.Value, v.Count)));
        Assert.Equal(30, counts[1].Values.Sum(v => v.Count));
        Assert.True(all[0].Exact);
        Assert.True(all[0].Values.Sum(v => v.Count) > 30);
    }

    [Fact]
    public async Task Next_and_prev_links_do_not_carry_facets()
    {
        var page = await _client.JsonAsync("/v1/articles?limit=5&facets=topic&facetLimit=3");
        var links = page.GetProperty("links");
        Assert.Contains("facets=topic", links.Str("self"));
        Assert.DoesNotContain("facet", links.Str("next"));

        var second = await _client.JsonAsync(links.Str("next"));
        Assert.False(second.TryGetProperty("facets", out _));
        Assert.DoesNotContain("facet", second.GetProperty("links").Str("prev"));

        var numbered = (await _client.JsonAsync("/v1/articles?limit=5&page=2&facets=type")).GetProperty("links");
        Assert.DoesNotContain("facet", numbered.Str("next") + numbered.Str("prev"));
    }

    [Theory]
    [InlineData("facets=bogus", "facets", "Must be one or more of topic, provider, type.")]
    [InlineData("facets=", "facets", "Must be one or more of topic, provider, type.")]
    [InlineData("facets=topic&facetLimit=0", "facetLimit", "Must be a whole number from 1 to 100.")]
    [InlineData("facets=topic&facetLimit=101", "facetLimit", "Must be a whole number from 1 to 100.")]
    [InlineData("ids=00000000-0000-0000-0000-000000000001&facets=topic", "ids", "ids takes no other parameter but fields; remove facets.")]
    public async Task Bad_facets_are_a_400(string query, string key, string message)
    {
        var problem = await _client.ProblemAsync("/v1/articles?" + query, 400, "invalid-parameter");

        Assert.Equal(message, problem.GetProperty("errors").GetProperty(key)[0].GetString());
    }
}
