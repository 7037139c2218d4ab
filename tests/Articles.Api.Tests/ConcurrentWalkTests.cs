extern alias ingest;

using System.Text.RegularExpressions;
using ingest::Articles.Ingest;
using Articles.Testing;
using Dapper;

namespace Articles.Api.Tests;

// Front-end apps page with cursors while the job runs: no article twice, none that was there skipped,
// even when the job moves articles across the walk's position.
public sealed class ConcurrentWalkTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"walk-{Guid.NewGuid():N}");

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<string?> IngestAsync(params string[] paths)
    {
        var log = new StringWriter();
        var exit = await JobCommands.RunAsync(["ingest", .. paths, "--batch-size", "25", "--connection", _database.ConnectionString],
            TextWriter.Null, log, interactive: false, CancellationToken.None);
        return exit == 0 ? null : $"exit {exit}: {string.Join("\n", log.ToString().Split('\n').Where(l => !l.StartsWith("progress")))}";
    }

    [Fact]
    public async Task A_cursor_walk_during_ingestion_sees_every_article_once()
    {
        // Start with the diablo4 documents; while the walk runs, edit some of them and add the powerapps ones.
        var diablo = Path.Combine(_folder, "diablo4");
        Directory.CreateDirectory(diablo);
        foreach (var file in Directory.GetFiles(Path.Combine(Corpus.Directory, "diablo4")))
        {
            File.Copy(file, Path.Combine(diablo, Path.GetFileName(file)));
        }
        Assert.Null(await IngestAsync(diablo));
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var before = (await connection.QueryAsync<Guid>("SELECT public_id FROM articles WHERE listed")).Select(g => g.ToString()).ToHashSet();
        // Edit a fifth of the documents; move a third of those far forward or back in time, so that
        // articles jump across the walk's position in both directions while it runs.
        var edited = 0;
        foreach (var file in Directory.GetFiles(diablo).Order().Where((_, i) => i % 5 == 0))
        {
            var text = (await File.ReadAllTextAsync(file)).Replace("\ntitle: \"", "\ntitle: \"Edited: ");
            text = (edited % 3) switch
            {
                0 => Regex.Replace(text, "\npublishedDateTime: .*\n", "\npublishedDateTime: 2026-06-01T00:00:00Z\n"),
                1 => Regex.Replace(text, "\npublishedDateTime: .*\n", "\npublishedDateTime: 2001-01-01T00:00:00Z\n"),
                _ => text,
            };
            await File.WriteAllTextAsync(file, text);
            edited++;
        }

        using var api = ApiFactory.For(_database);
        var client = api.CreateClient();
        var seen = new List<string>();
        const string moves = "old_published_at IS DISTINCT FROM new_published_at AND old_published_at IS NOT NULL";
        async Task<long> LastChangeAsync() => await connection.ExecuteScalarAsync<long>("SELECT coalesce(max(seq), 0) FROM article_changes");
        async Task<int> MovesSinceAsync(long seq) =>
            await connection.ExecuteScalarAsync<int>($"SELECT count(*) FROM article_changes WHERE seq > @seq AND {moves}", new { seq });

        // The walk's first page, then the job starts; the walk goes on only once the job has committed moved articles, so
        // the walk spans commits that move articles across its position, whatever the machine's speed.
        var first = await client.JsonAsync("/v1/articles?limit=10");
        var atFirstPage = await LastChangeAsync();
        var ingest = Task.Run(() => IngestAsync(diablo, Path.Combine(Corpus.Directory, "powerapps")));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await MovesSinceAsync(atFirstPage) == 0 && !ingest.IsCompleted)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the job committed no moved article within 60 s");
            await Task.Delay(20);
        }
        var pages = 1;
        seen.AddRange(first.Items().Select(item => item.Str("id")));
        for (var next = first.GetProperty("links").GetProperty("next").GetString(); next is not null; pages++)
        {
            var page = await client.JsonAsync(next);
            seen.AddRange(page.Items().Select(item => item.Str("id")));
            next = page.GetProperty("links").GetProperty("next").GetString();
        }
        var atLastPage = await LastChangeAsync();
        var failure = await ingest;

        Assert.Null(failure);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Empty(before.Except(seen));
        var movedDuringWalk = await connection.ExecuteScalarAsync<int>(
            $"SELECT count(*) FROM article_changes WHERE seq > @atFirstPage AND seq <= @atLastPage AND {moves}", new { atFirstPage, atLastPage });
        Assert.True(movedDuringWalk > 0, $"no moved article was committed between the walk's first page (change {atFirstPage}) and its last ({atLastPage})");
        var after = await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM articles WHERE title LIKE 'Edited: %'");
        Assert.True(after > 100, "the concurrent run did not update the edited articles");
    }
}
