extern alias ingest;

using System.Collections.Concurrent;
using ingest::Articles.Ingest;
using Articles.Testing;
using Dapper;

namespace Articles.Api.Tests;

// Front-end apps page with cursors while the job runs: no article twice, none that was there skipped.
public sealed class ConcurrentWalkTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"walk-{Guid.NewGuid():N}");

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<int> IngestAsync(params string[] paths) => JobCommands.RunAsync(
        ["ingest", .. paths, "--batch-size", "25", "--connection", _database.ConnectionString],
        TextWriter.Null, TextWriter.Null, interactive: false, CancellationToken.None);

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
        Assert.Equal(0, await IngestAsync(diablo));
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var before = (await connection.QueryAsync<Guid>("SELECT public_id FROM articles WHERE listed")).Select(g => g.ToString()).ToHashSet();
        var edited = 0;
        foreach (var file in Directory.GetFiles(diablo).Order().Where((_, i) => i % 5 == 0))
        {
            var text = await File.ReadAllTextAsync(file);
            await File.WriteAllTextAsync(file, text.Replace("\ntitle: \"", "\ntitle: \"Edited: "));
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
        var exit = await ingest;

        Assert.Equal(0, exit);
        var ids = seen.ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Empty(before.Except(ids));
        Assert.True(pages > 50, $"only {pages} pages: the walk did not overlap the ingestion");
        Assert.True(edited > 100);
        var after = await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM articles WHERE title LIKE 'Edited: %'");
        Assert.True(after > 100, "the concurrent run did not update the edited articles");
    }
}
