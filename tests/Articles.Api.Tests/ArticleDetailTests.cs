using System.Net;
using System.Text.Json;
using Articles.Data;
using Dapper;

namespace Articles.Api.Tests;

[Collection(nameof(CorpusApi))]
public sealed class ArticleDetailTests(CorpusApi api)
{
    private readonly HttpClient _client = api.Client;

    private static string IdOf(string url) => Identity.PublicId(url).ToString();

    [Fact]
    public async Task An_article_is_served_whole()
    {
        // Seed 000: unpublished, heat -1, three related links, a provider without logo.
        var article = await _client.JsonAsync($"/v1/articles/{IdOf("https://interestingengineering.com/facial-recognition-comeback-clearview")}");

        Assert.Equal("Facial recognition is making a comeback in US cities. Here's what we know", article.Str("title"));
        Assert.Equal("news", article.Str("category"));
        Assert.Equal("2022-05-14T00:00:00Z", article.Str("publishedDateTime"));
        Assert.Equal(58, article.GetProperty("quality").GetInt32());
        Assert.Equal(JsonValueKind.Null, article.GetProperty("heat").ValueKind);
        Assert.False(article.GetProperty("published").GetBoolean());
        Assert.StartsWith("https://amp-interestingengineering-com.cdn.ampproject.org/", article.Str("cdnAmpWebUrl"));
        Assert.Equal("interestingengineering.com", article.GetProperty("provider").Str("domain"));
        Assert.Equal(["computer-vision", "ai"], article.GetProperty("topics").EnumerateArray().Select(t => t.Str("slug")));
        Assert.Equal(744, article.GetProperty("images")[0].GetProperty("width").GetInt32());
        var related = article.GetProperty("related").EnumerateArray().ToList();
        Assert.Equal(3, related.Count);
        Assert.Equal("theregister.com", related[0].GetProperty("provider").Str("domain"));
        Assert.Equal(1000, related[0].GetProperty("images")[0].GetProperty("width").GetInt32());
    }

    [Fact]
    public async Task Related_links_carry_our_id_when_we_hold_their_article()
    {
        var article = await _client.JsonAsync($"/v1/articles/{IdOf("https://example.org/related-a")}");

        var related = article.GetProperty("related").EnumerateArray().ToList();
        Assert.Equal(IdOf("https://example.org/related-b"), related[0].Str("articleId"));
        Assert.Equal(JsonValueKind.Null, related[1].GetProperty("articleId").ValueKind);
    }

    [Fact]
    public async Task A_provider_logo_is_served_with_the_article()
    {
        var article = await _client.JsonAsync(
            $"/v1/articles/{IdOf("https://www.reuters.com/world/us/us-cities-are-backing-off-banning-facial-recognition-crime-rises-2022-05-12/")}");

        Assert.EndsWith("reuters.com-50x50.jpg", article.GetProperty("provider").GetProperty("logo").Str("url"));
    }

    // Every kind of response that carries article data: by id, lists, topics, providers, the three feed formats of the
    // topics and providers those articles are in, and the whole change feed.
    [Fact]
    public async Task Secured_and_internal_columns_never_leave_the_api()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var secured = (await connection.QueryAsync<(Guid Id, string Secured)>(
            "SELECT public_id, secured FROM articles WHERE secured IS NOT NULL AND listed ORDER BY published_at DESC LIMIT 50")).ToList();
        Assert.True(secured.Count >= 20, $"only {secured.Count} listed articles hold a secured value: the check would prove little");
        var secrets = secured.SelectMany(s => s.Secured.Split(';')).Where(part => part.Length >= 8).Distinct().ToList();
        Assert.NotEmpty(secrets);
        var ids = secured.Select(s => s.Id).ToArray();
        var topics = await connection.QueryAsync<string>("""
            SELECT DISTINCT t.slug FROM article_topics x JOIN topics t ON t.id = x.topic_id JOIN articles a ON a.id = x.article_id
            WHERE a.public_id = ANY(@ids) LIMIT 5
            """, new { ids });
        var providers = await connection.QueryAsync<string>(
            "SELECT DISTINCT p.domain FROM articles a JOIN providers p ON p.id = a.provider_id WHERE a.public_id = ANY(@ids) LIMIT 5", new { ids });

        string[] internals = ["secured", "sourcePaths", "winnerPath", "contentHash", "canonicalUrl", "firstIngestedAt", "lastIngestedAt", "removed"];
        string[] feeds = ["feed.json?limit=200", "feed.atom?limit=200", "feed.rss?limit=200"];
        var urls = ids.Select(id => $"/v1/articles/{id}")
            .Concat(["/v1/articles?limit=100", "/v1/articles?published=any&limit=100", "/v1/topics", "/v1/providers?limit=200"])
            .Concat(topics.SelectMany(slug => feeds.Select(f => $"/v1/topics/{slug}/{f}").Prepend($"/v1/topics/{slug}")))
            .Concat(providers.SelectMany(domain => feeds.Select(f => $"/v1/providers/{domain}/{f}").Prepend($"/v1/providers/{domain}")))
            .ToList();
        var checkedIds = new HashSet<string>();
        for (string? next = "/v1/changes?limit=1000"; next is not null;)
        {
            var page = await _client.JsonAsync(next);
            var changes = page.GetProperty("items").EnumerateArray().ToList();
            urls.Add(next);
            next = changes.Count == 0 ? null : page.GetProperty("links").GetProperty("next").GetString();
        }
        foreach (var url in urls)
        {
            var body = await _client.GetStringAsync(url);
            if (!url.Contains(".atom") && !url.Contains(".rss"))
            {
                Assert.Empty(PropertyNames(JsonDocument.Parse(body).RootElement).Intersect(internals, StringComparer.OrdinalIgnoreCase));
            }
            Assert.DoesNotContain(secrets, secret => body.Contains(secret));
            checkedIds.UnionWith(ids.Select(id => id.ToString()).Where(body.Contains));
        }
        // Every secret-holding article was in some response checked, so no secret was looked for where it could not be.
        Assert.Equal(ids.Length, checkedIds.Count);
    }

    private static IEnumerable<string> PropertyNames(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => PropertyNames(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(PropertyNames),
        _ => [],
    };

    [Fact]
    public async Task Unknown_ids_are_404_and_removed_articles_410()
    {
        await _client.ProblemAsync($"/v1/articles/{Guid.NewGuid()}", 404, "not-found");
        await _client.ProblemAsync("/v1/articles/not-a-uuid", 404, "not-found");
        var gone = await _client.ProblemAsync($"/v1/articles/{IdOf("https://example.org/removed")}", 410, "gone");

        Assert.Contains("removed", gone.Str("detail"));
    }

    [Fact]
    public async Task Removed_articles_are_never_listed()
    {
        var all = await _client.JsonAsync("/v1/articles?published=any&topic=fixtures&limit=100");

        Assert.DoesNotContain(all.Items(), i => i.Str("id") == IdOf("https://example.org/removed"));
    }

    [Fact]
    public async Task An_article_has_a_strong_etag_and_answers_304()
    {
        var url = $"/v1/articles/{IdOf("https://example.org/related-a")}";
        using var first = await _client.GetAsync(url);
        Assert.False(first.Headers.ETag!.IsWeak);

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.IfNoneMatch.Add(first.Headers.ETag);
        using var second = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Theory]
    [InlineData("https://example.org/with%20space/x")]
    [InlineData("https://example.org/with space/x")]
    [InlineData("  https://example.org/with space/x  ")]
    [InlineData("https://example.org/original/x")]
    [InlineData("https://amp.example.org/with space/x")]
    [InlineData("https://amp-example-org.cdn.ampproject.org/c/s/amp.example.org/x")]
    public async Task Lookup_finds_an_article_by_every_url_form(string url)
    {
        var article = await _client.JsonAsync($"/v1/articles/lookup?url={Uri.EscapeDataString(url)}");

        Assert.Equal(IdOf("https://example.org/with%20space/x"), article.Str("id"));
    }

    [Fact]
    public async Task Lookup_finds_a_video_by_its_original_url()
    {
        var article = await _client.JsonAsync($"/v1/articles/lookup?url={Uri.EscapeDataString("https://youtube.com/watch?v=9FGveeLt1qk")}");

        Assert.Equal("video", article.Str("type"));
        Assert.Null(article.GetProperty("webUrl").GetString());
    }

    [Fact]
    public async Task Lookup_answers_404_410_and_400_as_by_id()
    {
        await _client.ProblemAsync("/v1/articles/lookup?url=https%3A%2F%2Fnowhere.example%2F", 404, "not-found");
        await _client.ProblemAsync("/v1/articles/lookup?url=https%3A%2F%2Fexample.org%2Fremoved", 410, "gone");
        var problem = await _client.ProblemAsync("/v1/articles/lookup", 400, "invalid-parameter");
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _));
    }
}
