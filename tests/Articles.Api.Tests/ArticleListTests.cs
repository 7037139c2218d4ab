using System.Net;
using System.Text.Json;
using Dapper;

namespace Articles.Api.Tests;

[Collection(nameof(CorpusApi))]
public sealed class ArticleListTests(CorpusApi api)
{
    private readonly HttpClient _client = api.Client;

    private async Task<long> CountAsync(string where)
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM articles a WHERE {where}");
    }

    // Every item of every page, following links.next from the given first page.
    private async Task<List<JsonElement>> WalkAsync(string url)
    {
        var items = new List<JsonElement>();
        for (string? next = url; next is not null;)
        {
            var page = await _client.JsonAsync(next);
            items.AddRange(page.Items());
            next = page.GetProperty("links").GetProperty("next").GetString();
        }
        return items;
    }

    [Fact]
    public async Task The_default_list_is_the_newest_twenty_listed_articles_with_links()
    {
        using var response = await _client.GetAsync("/v1/articles");
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var items = page.Items().ToList();
        Assert.Equal(20, items.Count);
        var times = items.Select(i => i.GetProperty("publishedDateTime").GetDateTime()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.All(items, i => Assert.EndsWith("Z", i.Str("publishedDateTime")));
        var first = items[0];
        foreach (var field in new[] { "id", "type", "title", "excerpt", "publishedDateTime", "webUrl", "ampWebUrl", "quality", "heat", "provider", "topics", "image" })
        {
            Assert.True(first.TryGetProperty(field, out _), field);
        }
        Assert.Equal(20, page.GetProperty("paging").GetProperty("limit").GetInt32());
        var next = page.GetProperty("links").GetProperty("next").GetString();
        Assert.Contains("cursor=", next);
        Assert.Equal(JsonValueKind.Null, page.GetProperty("links").GetProperty("prev").ValueKind);
        var link = response.Headers.GetValues("Link").Single();
        Assert.Contains($"<{next}>; rel=\"next\"", link);
        Assert.Contains("rel=\"self\"", link);
    }

    [Fact]
    public async Task A_cursor_walk_returns_every_listed_article_exactly_once_in_order()
    {
        var items = await WalkAsync("/v1/articles?limit=100");

        var ids = items.Select(i => i.Str("id")).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(await CountAsync("a.listed"), ids.Count);
        var keys = items.Select(i => i.GetProperty("publishedDateTime").GetDateTime()).ToList();
        Assert.Equal(keys.OrderDescending(), keys);
    }

    [Fact]
    public async Task Prev_links_lead_back_to_exactly_the_previous_page()
    {
        var first = await _client.JsonAsync("/v1/articles?topic=diablo-4&limit=7");
        var second = await _client.JsonAsync(first.GetProperty("links").Str("next"));
        var third = await _client.JsonAsync(second.GetProperty("links").Str("next"));

        var backToSecond = await _client.JsonAsync(third.GetProperty("links").Str("prev"));
        var backToFirst = await _client.JsonAsync(backToSecond.GetProperty("links").Str("prev"));

        Assert.Equal(Ids(second), Ids(backToSecond));
        Assert.Equal(Ids(first), Ids(backToFirst));
        Assert.Equal(JsonValueKind.Null, backToFirst.GetProperty("links").GetProperty("prev").ValueKind);
        Assert.Equal(Ids(third), Ids(await _client.JsonAsync(backToSecond.GetProperty("links").Str("next"))));
    }

    private static List<string> Ids(JsonElement page) => page.Items().Select(i => i.Str("id")).ToList();

    [Theory]
    [InlineData("topic=diablo-4", "EXISTS (SELECT 1 FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id AND t.slug = 'diablo-4') AND a.listed")]
    [InlineData("topic=ai,computer-vision", "EXISTS (SELECT 1 FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id AND t.slug IN ('ai', 'computer-vision')) AND a.listed")]
    [InlineData("topic=ai&topic=Computer-Vision", "EXISTS (SELECT 1 FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id AND t.slug IN ('ai', 'computer-vision')) AND a.listed")]
    [InlineData("provider=youtube.com", "a.provider_id = (SELECT id FROM providers WHERE domain = 'youtube.com') AND a.listed")]
    [InlineData("provider=YouTube.com,microsoft.com", "a.provider_id IN (SELECT id FROM providers WHERE domain IN ('youtube.com', 'microsoft.com')) AND a.listed")]
    [InlineData("type=video", "a.type = 'video' AND a.listed")]
    [InlineData("from=2023-01-01&to=2023-02-01T00:00:00Z", "a.published_at >= '2023-01-01T00:00:00Z' AND a.published_at < '2023-02-01T00:00:00Z' AND a.listed")]
    [InlineData("minQuality=100", "a.quality >= 100 AND a.listed")]
    [InlineData("published=false", "NOT a.published AND NOT a.removed")]
    [InlineData("published=any", "NOT a.removed")]
    [InlineData("q=release%20date", "a.search @@ websearch_to_tsquery('english', 'release date') AND a.listed")]
    [InlineData("q=%22open%20beta%22", "a.search @@ websearch_to_tsquery('english', '\"open beta\"') AND a.listed")]
    [InlineData("q=diablo%20-beta", "a.search @@ websearch_to_tsquery('english', 'diablo -beta') AND a.listed")]
    [InlineData("q=portals%20OR%20dataverse", "a.search @@ websearch_to_tsquery('english', 'portals OR dataverse') AND a.listed")]
    public async Task Each_filter_selects_exactly_the_matching_articles(string query, string where)
    {
        var expected = await CountAsync(where);
        Assert.True(expected > 0, $"the corpus has no article for {query}; the test would prove nothing");

        var page = await _client.JsonAsync($"/v1/articles?{query}&page=1&limit=100");
        var walked = await WalkAsync($"/v1/articles?{query}&limit=100");

        Assert.Equal(expected, page.GetProperty("paging").GetProperty("totalItems").GetInt64());
        Assert.Equal(expected, walked.Select(i => i.Str("id")).Distinct().Count());
    }

    [Fact]
    public async Task Filters_shape_the_items_they_select()
    {
        var videos = await _client.JsonAsync("/v1/articles?type=video&limit=100");
        Assert.All(videos.Items(), i => Assert.Equal("video", i.Str("type")));

        var quality = await _client.JsonAsync("/v1/articles?minQuality=100&limit=100");
        Assert.All(quality.Items(), i => Assert.True(i.GetProperty("quality").GetInt32() >= 100));

        var range = await _client.JsonAsync("/v1/articles?from=2023-01-01&to=2023-01-31T12:00:00Z&limit=100");
        Assert.All(range.Items(), i => Assert.InRange(i.GetProperty("publishedDateTime").GetDateTime(),
            new DateTime(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2023, 1, 31, 11, 59, 59, DateTimeKind.Utc)));

        var topics = await _client.JsonAsync("/v1/articles?topic=ai&limit=100");
        Assert.All(topics.Items(), i => Assert.Contains(i.GetProperty("topics").EnumerateArray(), t => t.Str("slug") == "ai"));
    }

    [Theory]
    [InlineData("oldest")]
    [InlineData("quality")]
    [InlineData("heat")]
    public async Task Every_sort_orders_its_pages_and_walks_without_repeats(string sort)
    {
        var items = await WalkAsync($"/v1/articles?topic=power-apps&sort={sort}&limit=50");

        Assert.Equal(await CountAsync(
            "EXISTS (SELECT 1 FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id AND t.slug = 'power-apps') AND a.listed"),
            items.Count);
        Assert.Equal(items.Count, items.Select(i => i.Str("id")).Distinct().Count());
        var keys = items.Select(i => sort switch
        {
            "oldest" => -i.GetProperty("publishedDateTime").GetDateTime().Ticks,
            "quality" => i.GetProperty("quality").ValueKind == JsonValueKind.Null ? -1 : i.GetProperty("quality").GetInt32(),
            _ => i.GetProperty("heat").ValueKind == JsonValueKind.Null ? -1 : i.GetProperty("heat").GetInt32(),
        }).ToList();
        Assert.Equal(keys.OrderDescending(), keys);
    }

    [Fact]
    public async Task Relevance_ranks_title_matches_first_and_walks_its_candidates_once()
    {
        var page = await _client.JsonAsync("/v1/articles?q=rogue&sort=relevance&limit=5");
        var items = await WalkAsync("/v1/articles?q=rogue&sort=relevance&limit=7");

        Assert.Contains("rogue", page.Items().First().Str("title"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(items.Count, items.Select(i => i.Str("id")).Distinct().Count());
        Assert.Equal(await CountAsync("a.search @@ websearch_to_tsquery('english', 'rogue') AND a.listed"), items.Count);
    }

    // README: relevance ranks the 1,000 newest matches. A search matching more than 1,000 listed articles (the corpus's
    // ten most common words, OR-ed) ranks exactly those.
    [Fact]
    public async Task Relevance_ranks_only_the_1000_newest_matches_of_a_common_search()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var word = string.Join(" OR ", await connection.QueryAsync<string>("""
            SELECT word FROM ts_stat('SELECT search FROM articles WHERE listed')
            WHERE word ~ '^[a-z]{4,}$' ORDER BY ndoc DESC LIMIT 10
            """));
        const string matches = "a.listed AND a.search @@ websearch_to_tsquery('english', @word)";
        Assert.True(await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM articles a WHERE {matches}", new { word }) > 1000);
        var newest = (await connection.QueryAsync<Guid>(
            $"SELECT a.public_id FROM articles a WHERE {matches} ORDER BY a.published_at DESC, a.id DESC LIMIT 1000", new { word }))
            .Select(id => id.ToString()).ToHashSet();

        var q = Uri.EscapeDataString(word);
        var walked = (await WalkAsync($"/v1/articles?q={q}&sort=relevance&limit=100")).Select(i => i.Str("id")).ToList();
        var numbered = await _client.JsonAsync($"/v1/articles?q={q}&sort=relevance&page=1&limit=100");

        Assert.Equal(1000, walked.Count);
        Assert.True(newest.SetEquals(walked), "the relevance walk is not the 1,000 newest matches");
        Assert.Equal(1000, numbered.GetProperty("paging").GetProperty("totalItems").GetInt64());
    }

    [Fact]
    public async Task Numbered_pages_give_exact_totals_and_page_links()
    {
        var expected = await CountAsync("a.listed");

        var page = await _client.JsonAsync("/v1/articles?page=3&limit=50");

        var paging = page.GetProperty("paging");
        Assert.Equal(expected, paging.GetProperty("totalItems").GetInt64());
        Assert.Equal((int)Math.Ceiling(expected / 50.0), paging.GetProperty("totalPages").GetInt32());
        Assert.Equal(3, paging.GetProperty("page").GetInt32());
        Assert.Contains("page=4", page.GetProperty("links").Str("next"));
        Assert.Contains("page=2", page.GetProperty("links").Str("prev"));
        var walked = await WalkAsync("/v1/articles?limit=50");
        Assert.Equal(walked.Skip(100).Take(50).Select(i => i.Str("id")), page.Items().Select(i => i.Str("id")));
    }

    [Theory]
    [InlineData("topic=diablo-4")]
    [InlineData("topic=portals,teams-integration&topic=model-driven-apps")]
    [InlineData("provider=microsoft.com")]
    [InlineData("topic=power-apps&provider=microsoft.com&type=article")]
    [InlineData("q=diablo&type=video")]
    public async Task A_numbered_page_is_its_slice_of_the_walk_with_its_total(string query)
    {
        var walked = await WalkAsync($"/v1/articles?{query}&limit=100");
        Assert.True(walked.Count > 25, $"{query}: {walked.Count} articles");

        var page = await _client.JsonAsync($"/v1/articles?{query}&page=3&limit=10");

        Assert.Equal(walked.Skip(20).Take(10).Select(i => i.Str("id")), page.Items().Select(i => i.Str("id")));
        Assert.Equal(walked.Count, page.GetProperty("paging").GetProperty("totalItems").GetInt64());
        Assert.True(page.GetProperty("paging").GetProperty("totalExact").GetBoolean());
    }

    [Fact]
    public async Task Pages_past_ten_thousand_results_point_to_the_cursor()
    {
        var problem = await _client.ProblemAsync("/v1/articles?page=101&limit=100", 400, "page-too-deep");

        Assert.Contains("cursor", problem.Str("detail"));
        await _client.JsonAsync("/v1/articles?page=100&limit=100");
    }

    [Fact]
    public async Task Invalid_parameters_are_listed_one_by_one()
    {
        var problem = await _client.ProblemAsync(
            "/v1/articles?limit=0&sort=best&from=yesterday&to=2020-13-01&minQuality=-1&published=maybe&type=podcast&page=0", 400, "invalid-parameter");

        var errors = problem.GetProperty("errors");
        foreach (var name in new[] { "limit", "sort", "from", "to", "minQuality", "published", "type", "page" })
        {
            Assert.True(errors.TryGetProperty(name, out var messages), name);
            Assert.NotEmpty(messages.EnumerateArray());
        }
    }

    [Theory]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=99999999999999999999", "limit")]
    [InlineData("sort=relevance", "sort")]
    [InlineData("from=2024-02-01&to=2024-01-01", "to")]
    [InlineData("page=2&cursor=abc", "cursor")]
    public async Task Out_of_range_values_are_refused_not_clamped(string query, string parameter)
    {
        var problem = await _client.ProblemAsync($"/v1/articles?{query}", 400, "invalid-parameter");

        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task A_cursor_used_with_other_filters_or_another_sort_is_refused()
    {
        var page = await _client.JsonAsync("/v1/articles?topic=diablo-4&limit=5");
        var cursor = page.GetProperty("paging").Str("nextCursor");

        await _client.ProblemAsync($"/v1/articles?topic=power-apps&limit=5&cursor={cursor}", 400, "cursor-mismatch");
        await _client.ProblemAsync($"/v1/articles?topic=diablo-4&sort=oldest&limit=5&cursor={cursor}", 400, "cursor-mismatch");
        // The same filters however spelled, and another page size, are the same query.
        await _client.JsonAsync($"/v1/articles?topic=Diablo-4&limit=9&cursor={cursor}");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("!!!!")]
    [InlineData("AAAA")]
    [InlineData("%00%01")]
    public async Task Garbage_cursors_are_a_400(string cursor)
    {
        await _client.ProblemAsync($"/v1/articles?cursor={cursor}", 400, "invalid-cursor");
    }

    [Fact]
    public async Task A_tampered_cursor_is_a_400()
    {
        var cursor = (await _client.JsonAsync("/v1/articles?limit=5")).GetProperty("paging").Str("nextCursor");
        var tampered = cursor[..10] + (cursor[10] == 'A' ? 'B' : 'A') + cursor[11..];

        await _client.ProblemAsync($"/v1/articles?limit=5&cursor={tampered}", 400, "invalid-cursor");
    }

    [Fact]
    public async Task Lists_carry_a_weak_etag_and_answer_304_when_it_matches()
    {
        using var first = await _client.GetAsync("/v1/articles?topic=ai");
        var etag = first.Headers.ETag!;
        Assert.True(etag.IsWeak);
        Assert.Equal("public, max-age=30", first.Headers.CacheControl!.ToString());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/articles?topic=ai");
        request.Headers.IfNoneMatch.Add(etag);
        using var second = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, second.Headers.ETag);
    }

    [Fact]
    public async Task The_seed_articles_are_served_for_topic_ai()
    {
        var page = await _client.JsonAsync("/v1/articles?topic=ai");

        var titles = page.Items().Select(i => i.Str("title")).ToList();
        Assert.Contains("U.S. cities are backing off banning facial recognition as crime rises", titles);
        // Seeds 000 and 002 are unpublished; they show only when asked for.
        Assert.Equal(3, titles.Count);
        Assert.Equal(5, (await _client.JsonAsync("/v1/articles?topic=ai&published=any")).Items().Count());
    }
}
