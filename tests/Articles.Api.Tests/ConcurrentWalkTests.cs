extern alias ingest;

using System.Collections.Concurrent;
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
        var seen = new ConcurrentBag<string>();
        var ingest = Task.Run(() => IngestAsync(diablo, Path.Combine(Corpus.Directory, "powerapps")));
        var pages = 0;
        for (string? next = "/v1/articles?limit=10"; next is not null; pages++)
        {
            var page = await client.JsonAsync(next);
            foreach (var item in page.Items())
            {
                seen.Add(item.Str("id"));
            }
            next = page.GetProperty("links").GetProperty("next").GetString();
        }
        var failure = await ingest;

        Assert.Null(failure);
        var ids = seen.ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Empty(before.Except(ids));
        Assert.True(pages > 50, $"only {pages} pages: the walk did not overlap the ingestion");
        Assert.True(edited > 100);
        var after = await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM articles WHERE title LIKE 'Edited: %'");
        Assert.True(after > 100, "the concurrent run did not update the edited articles");
        var moved = await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM article_changes WHERE old_published_at IS DISTINCT FROM new_published_at AND old_published_at IS NOT NULL");
        Assert.True(moved > 50, $"only {moved} articles moved in time during the walk");
    }
}
