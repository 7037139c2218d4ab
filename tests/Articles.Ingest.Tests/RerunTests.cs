using Articles.Data.Articles;
using Articles.Testing;
using Dapper;

namespace Articles.Ingest.Tests;

// Reruns skip files whose bytes were loaded before, and still end where a run that parsed everything ends.
public sealed class RerunTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly DocumentFolder _folder = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    public void Dispose() => _folder.Dispose();

    private async Task<string> TitleAsync()
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        return await connection.QuerySingleAsync<string>("SELECT title FROM articles");
    }

    [Fact]
    public async Task A_rerun_parses_only_the_files_that_changed()
    {
        for (var i = 0; i < 20; i++)
        {
            _folder.Write($"{i:D2}.md", Documents.Valid(url: $"https://example.com/{i}", title: $"T{i}"));
        }
        _folder.Write("twin.md", Documents.Valid(url: "https://example.com/3", title: "T3 again", published: "2020-01-01T00:00:00Z"));
        _folder.Write("bad.md", "no front matter");
        var first = await Job.IngestAsync(_database, _folder.Path);
        Assert.Equal((20, 1, 1, 0), (first.Report!.Inserted, first.Report.Merged, first.Report.Rejected, first.Report.Skipped));

        var unchanged = await Job.IngestAsync(_database, _folder.Path);
        // Rejected files are read again every time: their rejects belong in every run's report.
        Assert.Equal((0, 0, 20, 1, 1, 21), (unchanged.Report!.Inserted, unchanged.Report.Updated, unchanged.Report.Unchanged,
            unchanged.Report.Merged, unchanged.Report.Rejected, unchanged.Report.Skipped));

        _folder.Write("05.md", Documents.Valid(url: "https://example.com/5", title: "T5 edited"));
        var edited = await Job.IngestAsync(_database, _folder.Path);
        Assert.Equal((1, 19, 20), (edited.Report!.Updated, edited.Report.Unchanged, edited.Report.Skipped));

        var full = await Job.RunAsync(_database, "ingest", _folder.Path, "--full");
        Assert.Equal((0, 20, 0), (full.Report!.Updated, full.Report.Unchanged, full.Report.Skipped));
    }

    // A release that stores more of each document (here: the provider images of migration 0011) moves the reader's
    // version; rows an older reader left, with an older content hash and without the new column, are written again.
    [Fact]
    public async Task Articles_an_older_reader_loaded_are_written_again()
    {
        for (var i = 0; i < 3; i++)
        {
            _folder.Write($"{i}.md", Documents.Valid(url: $"https://example.com/{i}"));
        }
        await Job.IngestAsync(_database, _folder.Path);
        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                UPDATE source_files SET reader_version = reader_version - 1;
                UPDATE articles SET provider_images = NULL, content_hash = '\x00';
                """);
        }

        var rerun = await Job.IngestAsync(_database, _folder.Path);

        Assert.Equal((3, 0, 0), (rerun.Report!.Updated, rerun.Report.Unchanged, rerun.Report.Skipped));
        await using var check = await _database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await check.ExecuteScalarAsync<int>("SELECT count(*) FROM articles WHERE provider_images IS NULL"));
    }

    // Lists read an article's topics from its copies of their names, which are the names each topic was first
    // written with; an article a job older than migration 13 rewrote (its topics_hash no longer its content hash)
    // has its topics read from article_topics again.
    [Fact]
    public async Task Lists_read_the_articles_topic_copies_unless_an_older_job_rewrote_it()
    {
        _folder.Write("first.md", Documents.Valid(url: "https://example.com/1", topics: "  - Machine Learning"));
        await Job.IngestAsync(_database, _folder.Path);
        _folder.Write("second.md", Documents.Valid(url: "https://example.com/2", topics: "  - machine learning\n  - Robots"));
        await Job.IngestAsync(_database, _folder.Path);
        var repository = new ArticleRepository(_database.DataSource, _database.DataSource);
        var all = new ArticleFilter([], [], null, null, null, null, PublishedFilter.Published, null);
        async Task<string> TopicsAsync()
        {
            var rows = await repository.ListAsync(new ArticlePageRequest(all, ArticleSort.Newest, 10), CancellationToken.None);
            var second = rows.Single(r => r.WebUrl == "https://example.com/2");
            return $"{string.Join('|', second.TopicNames)} / {string.Join('|', second.TopicSlugs)}";
        }
        Assert.Equal("Machine Learning|Robots / machine-learning|robots", await TopicsAsync());

        // What an older job leaves: topics rewritten, the copies and their hash untouched, a new content hash.
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            DELETE FROM article_topics x USING articles a, topics t
            WHERE x.article_id = a.id AND x.topic_id = t.id AND a.web_url = 'https://example.com/2' AND t.slug = 'robots'
            """);
        Assert.Equal("Machine Learning|Robots / machine-learning|robots", await TopicsAsync());
        await connection.ExecuteAsync("UPDATE articles SET content_hash = '\\x00' WHERE web_url = 'https://example.com/2'");
        Assert.Equal("Machine Learning / machine-learning", await TopicsAsync());
    }

    // A winner edited back in time may lose to a file it used to beat, even when that file is unchanged (and
    // skipped) and whichever order the files come in.
    [Theory]
    [InlineData("a.md", "b.md")]
    [InlineData("b.md", "a.md")]
    public async Task A_winner_moved_back_in_time_loses_to_an_unchanged_file_it_used_to_beat(string winner, string other)
    {
        var winnerFile = _folder.Write(winner, Documents.Valid(title: "Winner", published: "2024-01-01T00:00:00Z"));
        _folder.Write(other, Documents.Valid(title: "Other", published: "2023-01-01T00:00:00Z"));
        await Job.IngestAsync(_database, _folder.Path);
        Assert.Equal("Winner", await TitleAsync());

        File.WriteAllText(winnerFile, Documents.Valid(title: "Winner, backdated", published: "2022-01-01T00:00:00Z"));
        var run = await Job.IngestAsync(_database, _folder.Path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Other", await TitleAsync());
        // The same end as a database that read the edited files from scratch.
        var scratch = new TestDatabase();
        await scratch.InitializeAsync();
        try
        {
            await Job.IngestAsync(scratch, _folder.Path);
            Assert.Equal(await Job.ContentAsync(scratch.DataSource), await Job.ContentAsync(_database.DataSource));
        }
        finally
        {
            await scratch.DisposeAsync();
        }
    }
}
