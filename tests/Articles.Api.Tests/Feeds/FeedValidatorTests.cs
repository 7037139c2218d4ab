using System.Net;
using System.Net.Http.Headers;
using Articles.Testing;

namespace Articles.Api.Tests.Feeds;

// A feed's ETag and Last-Modified move when, and only when, an article in that feed is written.
[Collection(nameof(Timing))]
public sealed class FeedValidatorTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly DocumentFolder _documents = new("feeds.example");
    // Another provider's documents, in another topic: changes there are in no feed under test.
    private readonly DocumentFolder _elsewhere = new("elsewhere.example");

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    public void Dispose()
    {
        _documents.Dispose();
        _elsewhere.Dispose();
    }

    // Documents 1.md, 2.md, … published on the first of month 1, 2, …
    private string Write(string name, string title, string topic) =>
        _documents.Write(name, title, topic, new DateTime(2024, name[0] - '0', 1, 0, 0, 0, DateTimeKind.Utc));

    private async Task IngestAsync()
    {
        await _documents.IngestAsync(_database);
        await _elsewhere.IngestAsync(_database);
    }

    private static async Task<(HttpStatusCode Status, EntityTagHeaderValue? ETag, DateTimeOffset? LastModified)> GetAsync(
        HttpClient client, string url, EntityTagHeaderValue? ifNoneMatch = null, DateTimeOffset? ifModifiedSince = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (ifNoneMatch is not null)
        {
            request.Headers.IfNoneMatch.Add(ifNoneMatch);
        }
        request.Headers.IfModifiedSince = ifModifiedSince;
        using var response = await client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
        return (response.StatusCode, response.Headers.ETag, response.Content.Headers.LastModified);
    }

    [Theory]
    [InlineData("/v1/topics/alpha/feed.json")]
    [InlineData("/v1/topics/alpha/feed.atom")]
    [InlineData("/v1/providers/feeds.example/feed.rss")]
    public async Task Validators_answer_304_and_change_only_with_the_feeds_articles(string url)
    {
        var edited = Write("1.md", "First", "Alpha");
        Write("2.md", "Second", "Alpha");
        var other = _elsewhere.Write("3.md", "Elsewhere", "Beta", new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc));
        await IngestAsync();
        using var api = ApiFactory.For(_database);
        var client = api.CreateClient();

        var first = await GetAsync(client, url);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.NotNull(first.ETag);
        Assert.NotNull(first.LastModified);

        Assert.Equal(HttpStatusCode.NotModified, (await GetAsync(client, url, ifNoneMatch: first.ETag)).Status);
        Assert.Equal(HttpStatusCode.NotModified, (await GetAsync(client, url, ifModifiedSince: first.LastModified)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, url, ifModifiedSince: first.LastModified!.Value.AddSeconds(-1))).Status);
        // If-None-Match takes precedence over If-Modified-Since.
        Assert.Equal(HttpStatusCode.OK,
            (await GetAsync(client, url, ifNoneMatch: new EntityTagHeaderValue("\"other\""), ifModifiedSince: first.LastModified)).Status);

        // Re-ingesting unchanged files changes nothing.
        await Task.Delay(1100);
        await IngestAsync();
        await api.CaughtUpAsync();
        var again = await GetAsync(client, url);
        Assert.Equal((first.ETag, first.LastModified), (again.ETag, again.LastModified));

        // A change to an article of another topic and provider leaves the feed alone.
        await Task.Delay(1100);
        File.WriteAllText(other, File.ReadAllText(other).Replace("Elsewhere", "Elsewhere, edited"));
        await IngestAsync();
        await api.CaughtUpAsync();
        var unrelated = await GetAsync(client, url);
        Assert.Equal((first.ETag, first.LastModified), (unrelated.ETag, unrelated.LastModified));
        Assert.Equal(HttpStatusCode.NotModified, (await GetAsync(client, url, ifNoneMatch: first.ETag)).Status);

        // A real change to one of its articles moves both validators.
        await Task.Delay(1100);
        File.WriteAllText(edited, File.ReadAllText(edited).Replace("First", "First, edited"));
        await IngestAsync();
        await api.CaughtUpAsync();
        var changed = await GetAsync(client, url);
        Assert.NotEqual(first.ETag, changed.ETag);
        Assert.True(changed.LastModified > first.LastModified);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, url, ifNoneMatch: first.ETag)).Status);
    }
}
