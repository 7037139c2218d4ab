extern alias ingest;

using System.Text.Json;
using Articles.Testing;
using Dapper;
using ingest::Articles.Ingest;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Articles.Api.Tests.Feeds;

// A partner that follows /v1/changes ends with exactly the set of listed articles, whatever the job did.
[Collection(nameof(Timing))]
public sealed class ChangeFeedTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"changes-{Guid.NewGuid():N}");
    private WebApplicationFactory<Program> _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _api = ApiFactory.For(_database);
        _client = _api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _database.DisposeAsync();
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private void Write(int n, string title, string topic, bool removed = false, bool published = true)
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, $"{n:D3}.md"), $"""
            ---
            title: "{title}"
            publishedDateTime: 2024-01-{n % 28 + 1:D2}T00:00:00Z
            webUrl: "https://changes.example/{n}"
            published: {(published ? "true" : "false")}
            removed: {(removed ? "true" : "false")}
            provider:
              name: Changes Example
              domain: changes.example
            topics:
              - {topic}
            ---
            """);
    }

    private async Task IngestAsync()
    {
        var log = new StringWriter();
        var exit = await JobCommands.RunAsync(["ingest", _folder, "--batch-size", "7", "--connection", _database.ConnectionString],
            TextWriter.Null, log, interactive: false, CancellationToken.None);
        Assert.True(exit == 0, log.ToString());
        await _api.CaughtUpAsync();
    }

    // A partner's copy: follows next links until a page comes back empty, applying each change in order.
    private sealed class Partner(HttpClient client, string start)
    {
        public Dictionary<string, string> Articles { get; } = [];

        private string _next = start;

        // As a partner polls: the feed serves a change once every transaction older than it has ended anywhere in
        // the cluster (other tests' databases included), so catching up may take a few polls.
        public async Task CatchUpAsync(Func<Task<Dictionary<string, string>>> expected)
        {
            var deadline = System.Diagnostics.Stopwatch.StartNew();
            await SyncAsync();
            while (deadline.Elapsed < TimeSpan.FromSeconds(15) && !(await expected()).OrderBy(a => a.Key).SequenceEqual(Articles.OrderBy(a => a.Key)))
            {
                await Task.Delay(200);
                await SyncAsync();
            }
        }

        public async Task SyncAsync()
        {
            while (true)
            {
                var page = await client.JsonAsync(_next);
                _next = page.GetProperty("links").Str("next");
                var items = page.Items().ToList();
                if (items.Count == 0)
                {
                    return;
                }
                foreach (var item in items)
                {
                    if (item.Str("operation") == "upsert")
                    {
                        Articles[item.Str("articleId")] = item.GetProperty("article").Str("title");
                    }
                    else
                    {
                        Assert.Equal(JsonValueKind.Null, item.GetProperty("article").ValueKind);
                        Articles.Remove(item.Str("articleId"));
                    }
                }
            }
        }
    }

    private async Task<Dictionary<string, string>> ListedAsync(string? topic = null)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(Guid Id, string Title)>("""
            SELECT a.public_id, a.title FROM articles a
            WHERE a.listed AND (@topic::text IS NULL OR EXISTS (
                SELECT 1 FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id AND t.slug = @topic))
            """, new { topic });
        return rows.ToDictionary(r => r.Id.ToString(), r => r.Title);
    }

    [Fact]
    public async Task Replaying_the_change_feed_reconstructs_the_listed_articles_after_every_run()
    {
        var everything = new Partner(_client, "/v1/changes?limit=5");
        var alphaOnly = new Partner(_client, "/v1/changes?limit=4&topic=alpha");

        for (var n = 0; n < 30; n++)
        {
            Write(n, $"Article {n}", n % 2 == 0 ? "Alpha" : "Beta");
        }
        await IngestAsync();
        await everything.CatchUpAsync(() => ListedAsync());
        await alphaOnly.CatchUpAsync(() => ListedAsync("alpha"));
        Assert.Equal(await ListedAsync(), everything.Articles);
        Assert.Equal(await ListedAsync("alpha"), alphaOnly.Articles);
        Assert.Equal(30, everything.Articles.Count);

        // Edits, removals, unpublishing, topic moves and new articles.
        for (var n = 0; n < 30; n += 3)
        {
            Write(n, $"Article {n}, edited", "Alpha");
        }
        Write(1, "Article 1", "Beta", removed: true);
        Write(2, "Article 2", "Alpha", published: false);
        Write(4, "Article 4", "Beta");
        for (var n = 30; n < 36; n++)
        {
            Write(n, $"Article {n}", "Alpha");
        }
        await IngestAsync();
        await everything.CatchUpAsync(() => ListedAsync());
        await alphaOnly.CatchUpAsync(() => ListedAsync("alpha"));
        Assert.Equal(await ListedAsync(), everything.Articles);
        Assert.Equal(await ListedAsync("alpha"), alphaOnly.Articles);
        Assert.DoesNotContain(alphaOnly.Articles.Values, t => t == "Article 4");

        // Back again: the removed and unpublished ones return, one article leaves Alpha.
        Write(1, "Article 1", "Beta");
        Write(2, "Article 2", "Alpha");
        Write(30, "Article 30", "Gamma");
        await IngestAsync();
        await everything.CatchUpAsync(() => ListedAsync());
        await alphaOnly.CatchUpAsync(() => ListedAsync("alpha"));
        Assert.Equal(await ListedAsync(), everything.Articles);
        Assert.Equal(await ListedAsync("alpha"), alphaOnly.Articles);

        // A partner starting late replays everything and gets the same set.
        var late = new Partner(_client, "/v1/changes?limit=1000");
        await late.CatchUpAsync(() => ListedAsync());
        Assert.Equal(await ListedAsync(), late.Articles);
    }

    [Fact]
    public async Task A_change_that_commits_late_with_a_lower_seq_is_not_skipped()
    {
        Write(1, "One", "Alpha");
        Write(2, "Two", "Alpha");
        await IngestAsync();
        var partner = new Partner(_client, "/v1/changes");
        await partner.CatchUpAsync(() => ListedAsync());
        Assert.Equal(2, partner.Articles.Count);
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var ids = (await connection.QueryAsync<long>("SELECT id FROM articles ORDER BY id")).ToList();

        // A transaction takes a seq and stays open; a later one takes a higher seq and commits first.
        await using var slow = await _database.DataSource.OpenConnectionAsync();
        await using var slowTx = await slow.BeginTransactionAsync();
        await slow.ExecuteAsync("""
            UPDATE articles SET title = 'One, late' WHERE id = @id;
            INSERT INTO article_changes (article_id, operation, new_published_at) SELECT id, 'upsert', published_at FROM articles WHERE id = @id
            """, new { id = ids[0] }, slowTx);
        await connection.ExecuteAsync("""
            UPDATE articles SET title = 'Two, early' WHERE id = @id;
            INSERT INTO article_changes (article_id, operation, new_published_at) SELECT id, 'upsert', published_at FROM articles WHERE id = @id
            """, new { id = ids[1] });

        await partner.SyncAsync();
        // The early commit waits behind the open transaction rather than being served past it.
        Assert.DoesNotContain("Two, early", partner.Articles.Values);

        await slowTx.CommitAsync();
        await partner.CatchUpAsync(() => ListedAsync());
        Assert.Contains("One, late", partner.Articles.Values);
        Assert.Contains("Two, early", partner.Articles.Values);
    }

    [Fact]
    public async Task Bad_cursors_and_limits_are_400_problems()
    {
        await _client.ProblemAsync("/v1/changes?cursor=nope", 400, "invalid-cursor");
        await _client.ProblemAsync("/v1/changes?limit=1001", 400, "invalid-parameter");
    }
}
