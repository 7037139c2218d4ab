using Dapper;

namespace Articles.Api.Tests;

[Collection(nameof(CorpusApi))]
public sealed class TopicProviderTests(CorpusApi api)
{
    private readonly HttpClient _client = api.Client;

    [Fact]
    public async Task Topics_list_every_topic_with_exact_counts_and_links()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var expected = (await connection.QueryAsync<(string Slug, long Count)>("""
            SELECT t.slug, count(x.article_id) FROM topics t LEFT JOIN article_topics x ON x.topic_id = t.id AND x.listed GROUP BY t.slug
            """)).ToDictionary(r => r.Slug, r => r.Count);

        var topics = (await _client.JsonAsync("/v1/topics")).Items().ToList();

        Assert.Equal(expected.Count, topics.Count);
        Assert.All(topics, t => Assert.Equal(expected[t.Str("slug")], t.GetProperty("articleCount").GetInt64()));
        var diablo = topics.Single(t => t.Str("slug") == "diablo-4");
        Assert.EndsWith("/v1/articles?topic=diablo-4", diablo.GetProperty("links").Str("articles"));
        Assert.Equal("2023-05-10T19:09:00Z", diablo.Str("latestPublishedDateTime"));
        var counts = topics.Select(t => t.GetProperty("articleCount").GetInt32()).ToList();
        Assert.Equal(counts.OrderDescending(), counts);
    }

    [Fact]
    public async Task A_topic_is_served_by_slug_and_its_article_link_lists_that_many()
    {
        var topic = await _client.JsonAsync("/v1/topics/power-apps");
        var page = await _client.JsonAsync(topic.GetProperty("links").Str("articles") + "&page=1");

        Assert.Equal("Power Apps", topic.Str("name"));
        Assert.Equal(topic.GetProperty("articleCount").GetInt64(), page.GetProperty("paging").GetProperty("totalItems").GetInt64());
        await _client.ProblemAsync("/v1/topics/no-such-topic", 404, "not-found");
    }

    [Theory]
    [InlineData("you", "youtube.com")]
    [InlineData("YOUTUBE.C", "youtube.com")]
    [InlineData("Reut", "reuters.com")]
    public async Task Providers_are_found_by_a_prefix_of_name_or_domain(string q, string domain)
    {
        var page = await _client.JsonAsync($"/v1/providers?q={Uri.EscapeDataString(q)}");

        Assert.Contains(page.Items(), p => p.Str("domain") == domain);
        Assert.All(page.Items(), p => Assert.True(
            p.Str("name").StartsWith(q, StringComparison.OrdinalIgnoreCase) || p.Str("domain").StartsWith(q, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task Like_wildcards_in_a_provider_prefix_match_only_themselves()
    {
        var page = await _client.JsonAsync("/v1/providers?q=%25");

        Assert.Empty(page.Items());
    }

    [Fact]
    public async Task Providers_page_with_exact_totals()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var total = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM providers");

        var first = await _client.JsonAsync("/v1/providers?limit=25");
        var second = await _client.JsonAsync(first.GetProperty("links").Str("next"));

        Assert.Equal(total, first.GetProperty("paging").GetProperty("totalItems").GetInt64());
        Assert.Equal(25, first.Items().Count());
        Assert.Empty(first.Items().Select(p => p.Str("domain")).Intersect(second.Items().Select(p => p.Str("domain"))));
        await _client.ProblemAsync("/v1/providers?limit=500", 400, "invalid-parameter");
    }

    [Fact]
    public async Task A_provider_is_served_by_domain_with_logo_and_counts()
    {
        var provider = await _client.JsonAsync("/v1/providers/Reuters.com");

        Assert.Equal("reuters.com", provider.Str("domain"));
        Assert.Equal(1, provider.GetProperty("articleCount").GetInt32());
        Assert.EndsWith("reuters.com-50x50.jpg", provider.GetProperty("logo").Str("url"));
        await _client.ProblemAsync("/v1/providers/nowhere.example", 404, "not-found");
    }
}
