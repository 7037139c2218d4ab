using System.Text.Json;
using Articles.Client;
using Articles.Client.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace Articles.Api.Tests.Contract;

// A partner's view: the client Kiota generates from openapi.json at build time, over the corpus, read against the
// API's own JSON. Any response the contract mistypes makes the client throw or read a value the JSON does not hold.
[Collection(nameof(CorpusApi))]
public sealed class GeneratedClientTests(CorpusApi api)
{
    private readonly ArticlesClient _client = new(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: api.Client)
    {
        BaseUrl = api.Client.BaseAddress!.ToString().TrimEnd('/'),
    });

    [Fact]
    public async Task Walks_the_largest_topic_by_cursor_and_reads_every_article()
    {
        var topics = await _client.V1.Topics.GetAsync();
        var topic = topics!.Items!.MaxBy(t => t.ArticleCount)!;

        var ids = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await _client.V1.Articles.GetAsync(r =>
            {
                r.QueryParameters.Topic = [topic.Slug!];
                r.QueryParameters.Limit = 100;
                r.QueryParameters.Cursor = cursor;
            });
            ids.AddRange(page!.Items!.Select(i => i.Id!.Value));
            cursor = page.Paging!.NextCursor;
        }
        while (cursor is not null);

        Assert.True(ids.Count > 500, $"{ids.Count} articles");
        Assert.Equal(topic.ArticleCount, ids.Count);
        Assert.Equal(await RawWalkAsync($"/v1/articles?topic={topic.Slug}&limit=100"), ids);
        foreach (var id in ids)
        {
            var article = await _client.V1.Articles[id.ToString()].GetAsync();
            var raw = await api.Client.JsonAsync($"/v1/articles/{id}");
            Assert.Equal(raw.Str("id"), article!.Id.ToString());
            Assert.Equal(raw.Str("title"), article.Title);
            Assert.Equal(raw.GetProperty("publishedDateTime").GetDateTimeOffset(), article.PublishedDateTime);
            Assert.Equal(Nullable(raw.GetProperty("heat"), e => (int?)e.GetInt32()), article.Heat);
            Assert.Equal(Nullable(raw.GetProperty("provider").GetProperty("logo"), e => e.Str("url")), article.Provider!.Logo?.Url);
            Assert.Equal(raw.GetProperty("images").GetArrayLength(), article.Images!.Count);
            Assert.Equal(raw.GetProperty("related").EnumerateArray().Select(r => Nullable(r.GetProperty("articleId"), e => (Guid?)e.GetGuid())),
                article.Related!.Select(r => r.ArticleId));
        }
    }

    [Fact]
    public async Task Reads_a_json_feed_and_a_page_of_changes()
    {
        var topic = (await _client.V1.Topics.GetAsync())!.Items!.MaxBy(t => t.ArticleCount)!;

        var feed = await _client.V1.Topics[topic.Slug!].FeedJson.GetAsync();
        var rawFeed = await api.Client.JsonAsync($"/v1/topics/{topic.Slug}/feed.json");
        Assert.NotEmpty(feed!.Items!);
        Assert.Equal(rawFeed.GetProperty("items").EnumerateArray().Select(i => i.Str("id")), feed.Items!.Select(i => i.Id));
        Assert.Equal(rawFeed.GetProperty("items").EnumerateArray().Select(i => i.Str("url")), feed.Items!.Select(i => i.Url));

        var changes = await _client.V1.Changes.GetAsync(r => r.QueryParameters.Limit = 100);
        var rawChanges = await api.Client.JsonAsync("/v1/changes?limit=100");
        Assert.Equal(100, changes!.Items!.Count);
        Assert.Equal(rawChanges.Items().Select(i => i.GetProperty("articleId").GetGuid()), changes.Items!.Select(i => i.ArticleId!.Value));
        Assert.Equal(rawChanges.Items().Select(i => i.Str("operation")), changes.Items!.Select(i => i.Operation));
        // Removals carry no article: the client must read that null, not fail on it.
        Assert.Equal(rawChanges.Items().Select(i => i.GetProperty("article").ValueKind == JsonValueKind.Null),
            changes.Items!.Select(i => i.Article is null));
    }

    private async Task<List<Guid>> RawWalkAsync(string first)
    {
        var ids = new List<Guid>();
        for (var url = first; url is not null;)
        {
            var page = await api.Client.JsonAsync(url);
            ids.AddRange(page.Items().Select(i => i.GetProperty("id").GetGuid()));
            url = Nullable(page.GetProperty("links").GetProperty("next"), e => e.GetString());
        }
        return ids;
    }

    private static T? Nullable<T>(JsonElement e, Func<JsonElement, T> read) => e.ValueKind == JsonValueKind.Null ? default : read(e);
}
