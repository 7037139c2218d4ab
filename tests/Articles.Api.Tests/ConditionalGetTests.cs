using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Articles.Testing;

namespace Articles.Api.Tests;

// Validators come from what the job committed, not from the body: a 304 runs no page query, a commit moves the
// validators within a second, a run that changes nothing moves none.
[Collection(nameof(Timing))]
public sealed class ConditionalGetTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly DocumentFolder _documents = new("validators.example");

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    public void Dispose() => _documents.Dispose();

    private string Write(int n, string title, string topic, string? excerpt = null) =>
        _documents.Write($"{n}.md", title, topic, new DateTime(2024, 1, n, 0, 0, 0, DateTimeKind.Utc), excerpt);

    private Task IngestAsync() => _documents.IngestAsync(_database);

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, EntityTagHeaderValue? ifNoneMatch = null, string? encoding = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (ifNoneMatch is not null)
        {
            request.Headers.IfNoneMatch.Add(ifNoneMatch);
        }
        if (encoding is not null)
        {
            request.Headers.AcceptEncoding.ParseAdd(encoding);
        }
        return await client.SendAsync(request);
    }

    private static async Task<EntityTagHeaderValue> TagAsync(HttpClient client, string url)
    {
        using var response = await GetAsync(client, url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag!;
    }

    [Fact]
    public async Task A_304_runs_no_page_query()
    {
        Write(1, "One", "Alpha");
        Write(2, "Two", "Beta");
        await IngestAsync();
        // The response cache off: it answers a repeated conditional GET itself, and this is about the validators.
        using var api = ApiFactory.For(_database, ("Cache:Enabled", "false"));
        var client = api.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        var id = (await client.JsonAsync("/v1/articles")).Items().First().Str("id");
        string[] urls = ["/v1/articles", "/v1/articles?topic=alpha&limit=5", "/v1/articles?page=1", $"/v1/articles/{id}",
            "/v1/topics", "/v1/topics/alpha", "/v1/providers", "/v1/providers/validators.example", "/v1/changes",
            "/v1/topics/alpha/feed.atom", "/v1/providers/validators.example/feed.json"];
        var tags = new Dictionary<string, EntityTagHeaderValue>();
        foreach (var url in urls)
        {
            tags[url] = await TagAsync(client, url);
        }

        // Every table those pages read is locked: a page query would wait for the lock (and the client time out).
        await using (await LockAsync("articles, topics, providers, article_changes, article_topics"))
        {
            foreach (var url in urls)
            {
                var clock = Stopwatch.StartNew();
                using var response = await GetAsync(client, url, tags[url]);
                Assert.True(response.StatusCode == HttpStatusCode.NotModified, $"{url}: {(int)response.StatusCode}");
                Assert.Equal(tags[url], response.Headers.ETag);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{url} took {clock.Elapsed}");
            }
        }
    }

    [Fact]
    public async Task A_commit_moves_the_validators_within_a_second_and_a_run_that_changes_nothing_moves_none()
    {
        var edited = Write(1, "One", "Alpha");
        Write(2, "Two", "Beta");
        await IngestAsync();
        using var api = ApiFactory.For(_database);
        var client = api.CreateClient();
        await Task.Delay(ContentVersionsInterval * 2);
        var list = await TagAsync(client, "/v1/articles");
        var topics = await TagAsync(client, "/v1/topics");

        await IngestAsync();
        await Task.Delay(ContentVersionsInterval * 3);
        Assert.Equal(list, await TagAsync(client, "/v1/articles"));
        Assert.Equal(topics, await TagAsync(client, "/v1/topics"));

        File.WriteAllText(edited, File.ReadAllText(edited).Replace("\"One\"", "\"One, edited\""));
        await IngestAsync();
        var clock = Stopwatch.StartNew();
        while ((await TagAsync(client, "/v1/articles")).Equals(list))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), "the list's ETag did not move within a second of the commit");
            await Task.Delay(20);
        }
        Assert.NotEqual(topics, await TagAsync(client, "/v1/topics"));
        using var stale = await GetAsync(client, "/v1/articles", list);
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("One, edited", await stale.Content.ReadAsStringAsync());

        // A counted total is remembered until the next commit, and no longer.
        const string counted = "/v1/articles?page=1&limit=1&type=article";
        Assert.Equal(2, (await client.JsonAsync(counted)).GetProperty("paging").GetProperty("totalItems").GetInt64());
        Write(3, "Three", "Beta");
        await IngestAsync();
        await api.CaughtUpAsync();
        Assert.Equal(3, (await client.JsonAsync(counted)).GetProperty("paging").GetProperty("totalItems").GetInt64());
    }

    [Fact]
    public async Task An_articles_strong_etag_names_its_content_coding()
    {
        Write(1, "One", "Alpha");
        await IngestAsync();
        using var api = ApiFactory.For(_database);
        var client = api.CreateClient();
        var url = $"/v1/articles/{(await client.JsonAsync("/v1/articles")).Items().First().Str("id")}";

        var tags = new List<EntityTagHeaderValue>();
        foreach (var encoding in new string?[] { null, "gzip", "br" })
        {
            using var response = await GetAsync(client, url, encoding: encoding);
            Assert.Equal(encoding, response.Content.Headers.ContentEncoding.SingleOrDefault());
            Assert.False(response.Headers.ETag!.IsWeak);
            tags.Add(response.Headers.ETag);
        }

        Assert.Equal(3, tags.Distinct().Count());
        using (var same = await GetAsync(client, url, tags[1], "gzip"))
        {
            Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
        }
    }

    [Fact]
    public async Task A_repeated_request_is_served_from_memory_until_a_commit()
    {
        var edited = Write(1, "One", "Alpha");
        Write(2, "Two", "Alpha");
        await IngestAsync();
        using var api = ApiFactory.For(_database);
        var client = api.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(3);
        await Task.Delay(ContentVersionsInterval * 2);
        string[] urls = ["/v1/articles", "/v1/articles?topic=alpha", "/v1/topics/alpha/feed.json"];
        var bodies = new Dictionary<string, string>();
        foreach (var url in urls)
        {
            bodies[url] = await client.GetStringAsync(url);
        }

        // Asked again while the tables are locked: only an answer from memory arrives in time.
        await using (await LockAsync("articles, article_topics, topics"))
        {
            foreach (var url in urls)
            {
                using var response = await client.GetAsync(url);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(bodies[url], await response.Content.ReadAsStringAsync());
                Assert.NotEqual(response.Headers.GetValues("X-Request-Id").Single(), (await client.GetAsync(url)).Headers.GetValues("X-Request-Id").Single());
            }
        }

        // A commit is a new version: the next request within a second reads the new content.
        File.WriteAllText(edited, File.ReadAllText(edited).Replace("\"One\"", "\"One, edited\""));
        await IngestAsync();
        var clock = Stopwatch.StartNew();
        while (!(await client.GetStringAsync("/v1/articles?topic=alpha")).Contains("One, edited"))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), "the cached page was served more than a second after the commit");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task The_cache_is_bounded_in_bytes_and_can_be_turned_off()
    {
        for (var n = 1; n <= 9; n++)
        {
            Write(n, $"Article {n}", "Alpha", excerpt: new string('x', 2000));
        }
        await IngestAsync();
        using var small = ApiFactory.For(_database, ("Cache:SizeLimitMegabytes", "1"));
        using var off = ApiFactory.For(_database, ("Cache:Enabled", "false"));
        var client = small.CreateClient();
        var offClient = off.CreateClient();
        await Task.Delay(ContentVersionsInterval * 2);
        // An answer from the cache carries its Age; one from the database does not.
        async Task<bool> CachedAsync(HttpClient http, string url)
        {
            using var response = await http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return response.Headers.Age is not null;
        }

        Assert.False(await CachedAsync(client, "/v1/articles?limit=9&n=first"));
        Assert.True(await CachedAsync(client, "/v1/articles?limit=9&n=first"));
        Assert.False(await CachedAsync(offClient, "/v1/articles?limit=9"));
        Assert.False(await CachedAsync(offClient, "/v1/articles?limit=9"));
        // About 20 KB a page: 200 pages are four times the bound. The store compacts in the background once full,
        // dropping what was used longest ago, and stores new pages again after that.
        for (var i = 0; i < 200; i++)
        {
            await client.GetStringAsync($"/v1/articles?limit=9&n={i}");
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await CachedAsync(client, "/v1/articles?limit=9&n=last"))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "nothing was cached again after the compaction");
            await Task.Delay(100);
        }

        Assert.False(await CachedAsync(client, "/v1/articles?limit=9&n=first"));
    }

    // Holds ACCESS EXCLUSIVE locks on the tables until disposed: any query that reads them waits.
    private async Task<IAsyncDisposable> LockAsync(string tables)
    {
        var connection = await _database.DataSource.OpenConnectionAsync();
        var tx = await connection.BeginTransactionAsync();
        await new Npgsql.NpgsqlCommand($"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE", connection, tx).ExecuteNonQueryAsync();
        return connection;
    }

    private static TimeSpan ContentVersionsInterval => Http.ContentVersions.Interval;
}
