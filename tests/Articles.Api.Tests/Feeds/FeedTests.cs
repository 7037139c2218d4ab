using System.Net;
using System.Text.Json;
using Dapper;

namespace Articles.Api.Tests.Feeds;

[Collection(nameof(CorpusApi))]
public sealed class FeedTests(CorpusApi api)
{
    private readonly HttpClient _client = api.Client;

    public static TheoryData<string, string, string> Formats => new()
    {
        { "json", "application/feed+json", "json11" },
        { "atom", "application/atom+xml", "atom10" },
        { "rss", "application/rss+xml", "rss20" },
    };

    private async Task<(JsonElement Parsed, byte[] Body)> FetchAsync(string url, string kind, string contentType)
    {
        using var response = await _client.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        var parsed = await FeedParser.ParseAsync(kind, body);
        Assert.False(parsed.GetProperty("bozo").GetBoolean(), $"{url}: {parsed.GetProperty("error")}");
        return (parsed, body);
    }

    private static string? Next(JsonElement parsed, string kind) =>
        parsed.GetProperty("links").EnumerateArray().Where(l => l.Str("rel") == "next").Select(l => l.Str("href")).FirstOrDefault();

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_topic_feed_parses_and_holds_the_newest_published_articles(string kind, string contentType, string version)
    {
        var (parsed, _) = await FetchAsync($"/v1/topics/diablo-4/feed.{kind}?limit=25", kind, contentType);
        var list = await _client.JsonAsync("/v1/articles?topic=diablo-4&limit=25");

        Assert.Equal(version, parsed.Str("version"));
        var entries = parsed.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(list.Items().Select(i => $"urn:uuid:{i.Str("id")}"), entries.Select(e => e.Str("id")));
        Assert.Equal(list.Items().Select(i => i.Str("title")), entries.Select(e => e.Str("title")));
        // Atom categories carry the slug as term (and the name as label); JSON Feed and RSS carry the name.
        Assert.All(entries, e => Assert.Contains(kind == "atom" ? "diablo-4" : "Diablo 4", e.GetProperty("tags").EnumerateArray().Select(t => t.GetString())));
        Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("author").GetString())));
        Assert.All(entries, e => Assert.StartsWith("http", e.Str("link")));
        Assert.NotNull(Next(parsed, kind));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Following_next_links_reaches_every_article_of_the_feed_once(string kind, string contentType, string version)
    {
        var ids = new List<string>();
        for (string? next = $"/v1/providers/microsoft.com/feed.{kind}?limit=150"; next is not null;)
        {
            var (parsed, _) = await FetchAsync(next, kind, contentType);
            Assert.Equal(version, parsed.Str("version"));
            ids.AddRange(parsed.GetProperty("entries").EnumerateArray().Select(e => e.Str("id")));
            next = Next(parsed, kind);
        }

        var provider = await _client.JsonAsync("/v1/providers/microsoft.com");
        Assert.Equal(provider.GetProperty("articleCount").GetInt32(), ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Theory]
    [InlineData("atom")]
    [InlineData("rss")]
    public async Task Images_are_media_content_with_their_size(string kind)
    {
        var (parsed, _) = await FetchAsync($"/v1/providers/reuters.com/feed.{kind}", kind, kind == "atom" ? "application/atom+xml" : "application/rss+xml");

        var media = parsed.GetProperty("entries")[0].GetProperty("media")[0];
        Assert.EndsWith("KMEMGIH2CJIC5CELHPUKA5RQX4.jpg", media.Str("url"));
        Assert.Equal(("728", "381"), (media.Str("width"), media.Str("height")));
    }

    [Fact]
    public async Task Json_feed_items_carry_image_tags_author_and_amp_url()
    {
        using var response = await _client.GetAsync("/v1/topics/natural-language-processing/feed.json");
        var feed = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var item = feed.GetProperty("items")[0];
        Assert.StartsWith("https://", item.Str("image"));
        Assert.Contains("AI", item.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("The Next Web", item.GetProperty("authors")[0].Str("name"));
        Assert.EndsWith("/amp/", item.GetProperty("_articles").Str("amp_url"));
    }

    [Fact]
    public async Task Text_with_markup_characters_and_emoji_survives_every_format()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var title = await connection.ExecuteScalarAsync<string>(
            "SELECT a.title FROM articles a WHERE a.listed AND a.title LIKE '%&%' AND a.provider_id = (SELECT id FROM providers WHERE domain = 'youtube.com') LIMIT 1");
        Assert.NotNull(title);

        foreach (var (kind, type, _) in new[] { ("json", "application/feed+json", ""), ("atom", "application/atom+xml", ""), ("rss", "application/rss+xml", "") })
        {
            var all = new List<string>();
            for (string? next = $"/v1/providers/youtube.com/feed.{kind}?limit=200"; next is not null;)
            {
                var (parsed, _) = await FetchAsync(next, kind, type);
                all.AddRange(parsed.GetProperty("entries").EnumerateArray().Select(e => e.Str("title")));
                next = Next(parsed, kind);
            }
            Assert.Contains(title, all);
        }
    }

    [Fact]
    public async Task Unknown_topics_and_providers_are_404_problems()
    {
        await _client.ProblemAsync("/v1/topics/no-such-topic/feed.rss", 404, "not-found");
        await _client.ProblemAsync("/v1/providers/nowhere.example/feed.atom", 404, "not-found");
        await _client.ProblemAsync("/v1/topics/ai/feed.json?limit=201", 400, "invalid-parameter");
        await _client.ProblemAsync("/v1/topics/ai/feed.json?cursor=junk", 400, "invalid-cursor");
    }

    [Fact]
    public async Task Topics_and_providers_link_to_their_feeds()
    {
        var topic = await _client.JsonAsync("/v1/topics/ai");
        var provider = await _client.JsonAsync("/v1/providers/reuters.com");

        Assert.EndsWith("/v1/topics/ai/feed.atom", topic.GetProperty("links").GetProperty("feeds").Str("atom"));
        Assert.EndsWith("/v1/providers/reuters.com/feed.rss", provider.GetProperty("links").GetProperty("feeds").Str("rss"));
    }
}
