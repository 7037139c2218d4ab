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

    [Fact]
    public async Task Secured_and_internal_columns_never_leave_the_api()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var secrets = (await connection.QueryAsync<string>("SELECT secured FROM articles WHERE secured IS NOT NULL LIMIT 50")).ToList();
        var ids = (await connection.QueryAsync<Guid>("SELECT public_id FROM articles WHERE NOT removed LIMIT 50")).ToList();

        string[] internals = ["secured", "sourcePaths", "winnerPath", "contentHash", "canonicalUrl", "firstIngestedAt", "lastIngestedAt", "removed"];
        var urls = ids.Select(id => $"/v1/articles/{id}")
            .Concat(["/v1/articles?limit=100", "/v1/articles?published=any&limit=100", "/v1/topics", "/v1/providers?limit=200"]);
        foreach (var url in urls)
        {
            var body = await _client.GetStringAsync(url);
            Assert.Empty(PropertyNames(JsonDocument.Parse(body).RootElement).Intersect(internals, StringComparer.OrdinalIgnoreCase));
            Assert.DoesNotContain(secrets, s => body.Contains(s.Split(';')[0]));
        }
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
