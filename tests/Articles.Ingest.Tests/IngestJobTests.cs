using Articles.Testing;
using Dapper;
using Npgsql;

namespace Articles.Ingest.Tests;

// The job end to end through its command line, against a database of each test's own.
public sealed class IngestJobTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly DocumentFolder _folder = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    public void Dispose() => _folder.Dispose();

    // Feeds' Last-Modified has whole seconds: changes within one second must still give their feed a later date, or an
    // If-Modified-Since poll holding the first date would get a 304 for the second change (found by bench/soak.sh).
    [Fact]
    public async Task Each_change_to_a_feed_stamps_it_in_a_later_second()
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var seconds = new List<(long Topic, long Provider)>();
        for (var run = 0; run < 3; run++)
        {
            _folder.Write($"a{run}.md", Documents.Valid(url: $"https://example.com/{run}"));
            Assert.Equal(0, (await Job.IngestAsync(_database, _folder.Path)).ExitCode);
            seconds.Add(await connection.QuerySingleAsync<(long, long)>("""
                SELECT (SELECT extract(epoch FROM date_trunc('second', changed_at))::bigint FROM topics WHERE slug = 'ai'),
                       (SELECT extract(epoch FROM date_trunc('second', changed_at))::bigint FROM providers WHERE domain = 'example.com')
                """));
        }
        Assert.True(seconds[0].Topic < seconds[1].Topic && seconds[1].Topic < seconds[2].Topic, string.Join(", ", seconds));
        Assert.True(seconds[0].Provider < seconds[1].Provider && seconds[1].Provider < seconds[2].Provider, string.Join(", ", seconds));
    }

    [Fact]
    public async Task Loading_the_corpus_accounts_for_every_document_and_a_rerun_writes_nothing()
    {
        var first = await Job.IngestAsync(_database, Corpus.Directory);

        Assert.Equal(0, first.ExitCode);
        var r = first.Report!;
        Assert.Equal((2285, 2285, "completed"), (r.Files, r.Read, r.Status));
        Assert.Equal(r.Read, r.Inserted + r.Updated + r.Unchanged + r.Merged + r.Rejected);
        // 12 + 4 canonical URLs are shared by 31 + 8 files (corpus README): 23 documents merge into others.
        Assert.Equal((2262, 23, 0), (r.Inserted, r.Merged, r.Rejected));
        Assert.Equal(7, r.Warnings.Count(w => w.Contains("'topics[0]' is empty")));
        var versions = await Job.RowVersionsAsync(_database.DataSource);

        var second = await Job.IngestAsync(_database, Corpus.Directory);

        Assert.Equal(0, second.ExitCode);
        Assert.Equal((0, 0, 2262, 23), (second.Report!.Inserted, second.Report.Updated, second.Report.Unchanged, second.Report.Merged));
        Assert.Equal(versions, await Job.RowVersionsAsync(_database.DataSource));
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        Assert.Equal(2262, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM articles"));
        Assert.Contains("read 2,285  inserted 0  updated 0  unchanged 2,262  merged 23  rejected 0", second.Output);
    }

    [Fact]
    public async Task Documents_sharing_a_canonical_url_become_one_article_and_the_latest_wins()
    {
        _folder.Write("a.md", Documents.Valid(title: "Old", published: "2023-01-01T00:00:00Z", topics: "  - Old topic"));
        _folder.Write("b.md", Documents.Valid(title: "Newest", published: "2023-03-01T00:00:00Z", topics: "  - New topic"));
        _folder.Write("c.md", Documents.Valid(title: "Middle", published: "2023-02-01T00:00:00Z"));

        var run = await Job.IngestAsync(_database, _folder.Path);

        Assert.Equal((1, 2), (run.Report!.Inserted, run.Report.Merged));
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var article = await connection.QuerySingleAsync<(string Title, string[] SourcePaths)>("SELECT title, source_paths FROM articles");
        Assert.Equal("Newest", article.Title);
        Assert.Equal(["a.md", "b.md", "c.md"], article.SourcePaths.Select(Path.GetFileName));
        // The losers' topics were never the article's, so they never became topics.
        var topics = await connection.QueryAsync<(string Slug, int Count)>("SELECT slug, article_count FROM topics ORDER BY slug");
        Assert.Equal([("new-topic", 1)], topics);
    }

    [Fact]
    public async Task The_winner_does_not_depend_on_the_order_runs_see_the_files()
    {
        var files = new[]
        {
            _folder.Write("x/1.md", Documents.Valid(title: "One", published: "2023-01-01T00:00:00Z")),
            _folder.Write("x/2.md", Documents.Valid(title: "Two", published: "2023-05-01T00:00:00Z")),
            _folder.Write("x/3.md", Documents.Valid(title: "Three", published: "2023-05-01T00:00:00Z")),
        };
        await Job.IngestAsync(_database, _folder.Path);
        var together = await Job.ContentAsync(_database.DataSource);

        var separate = new TestDatabase();
        await separate.InitializeAsync();
        try
        {
            foreach (var file in files.Reverse())
            {
                await Job.IngestAsync(separate, file);
            }

            Assert.Equal(together, await Job.ContentAsync(separate.DataSource));
            // Same time: the later path in ordinal order wins.
            Assert.Contains(together["articles"], a => a.Contains("|Three|"));
        }
        finally
        {
            await separate.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_changed_document_replaces_its_topics_images_and_related_links()
    {
        var file = _folder.Write("a.md", Documents.Valid(topics: "  - AI\n  - Robots",
            extra: "images:\n  - url: https://example.com/1.jpg\nrelated:\n  - title: R1\n  - title: R2\n"));
        await Job.IngestAsync(_database, _folder.Path);
        File.WriteAllText(file, Documents.Valid(title: "Edited", topics: "  - Space",
            extra: "related:\n  - title: R3\n"));

        var run = await Job.IngestAsync(_database, _folder.Path);

        Assert.Equal((0, 1, 0), (run.Report!.Inserted, run.Report.Updated, run.Report.Unchanged));
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        Assert.Equal("Edited", await connection.ExecuteScalarAsync<string>("SELECT title FROM articles"));
        Assert.Equal(["space"], await connection.QueryAsync<string>(
            "SELECT t.slug FROM article_topics x JOIN topics t ON t.id = x.topic_id ORDER BY x.position"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM article_images"));
        Assert.Equal(["R3"], await connection.QueryAsync<string>("SELECT title FROM related_links ORDER BY position"));
        Assert.Equal([("ai", 0), ("robots", 0), ("space", 1)],
            await connection.QueryAsync<(string, int)>("SELECT slug, article_count FROM topics ORDER BY slug"));
    }

    // Relevance reads listed articles' search vectors from article_search, which a trigger keeps: every write of an
    // article (new, edited, moved, removed) shows there in the same run.
    [Fact]
    public async Task The_search_copy_follows_every_write_of_an_article()
    {
        var a = _folder.Write("a.md", Documents.Valid(url: "https://example.com/a", title: "Robots dance"));
        var b = _folder.Write("b.md", Documents.Valid(url: "https://example.com/b", title: "Robots sing"));
        await Job.IngestAsync(_database, _folder.Path);
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        const string copy = "SELECT a.title, s.published_at, s.search::text FROM article_search s JOIN articles a ON a.id = s.article_id ORDER BY a.title";
        const string source = "SELECT a.title, a.published_at, a.search::text FROM articles a WHERE a.listed ORDER BY a.title";
        Assert.Equal(2, (await connection.QueryAsync(copy)).Count());

        File.WriteAllText(a, Documents.Valid(url: "https://example.com/a", title: "Robots rest", published: "2024-06-01T00:00:00Z"));
        File.WriteAllText(b, Documents.Valid(url: "https://example.com/b", title: "Robots sing", extra: "removed: true"));
        var run = await Job.IngestAsync(_database, _folder.Path);

        Assert.Equal(2, run.Report!.Updated);
        var rows = (await connection.QueryAsync<(string, DateTime, string)>(copy)).ToList();
        Assert.Equal(await connection.QueryAsync<(string, DateTime, string)>(source), rows);
        Assert.Equal("Robots rest", Assert.Single(rows).Item1);
        Assert.Equal(new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc), rows[0].Item2.ToUniversalTime());
    }

    // Relevance walks the copy newest first: files loaded out of date order still land in time order within a batch.
    [Fact]
    public async Task The_search_copy_is_written_in_time_order()
    {
        for (var i = 0; i < 8; i++)
        {
            _folder.Write($"{i}.md", Documents.Valid(url: $"https://example.com/{i}", published: $"2024-06-{20 - i:00}T00:00:00Z"));
        }
        await Job.IngestAsync(_database, _folder.Path);
        await using var connection = await _database.DataSource.OpenConnectionAsync();

        var stored = (await connection.QueryAsync<DateTime>("SELECT published_at FROM article_search ORDER BY ctid")).ToList();

        Assert.Equal(8, stored.Count);
        Assert.Equal(stored.Order(), stored);
    }

    [Fact]
    public async Task The_search_copy_follows_writes_from_a_restore_of_a_dump()
    {
        _folder.Write("a.md", Documents.Valid(url: "https://example.com/a", title: "Robots dance"));
        await Job.IngestAsync(_database, _folder.Path);
        await using var connection = await _database.DataSource.OpenConnectionAsync();

        // pg_dump's scripts and pg_restore empty the search_path before they write rows.
        await connection.ExecuteAsync("""
            SELECT pg_catalog.set_config('search_path', '', false);
            UPDATE public.articles SET removed = true;
            """);

        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM public.article_search"));
    }

    [Fact]
    public async Task Rejected_documents_are_recorded_printed_and_the_rest_still_load()
    {
        _folder.Write("good-1.md", Documents.Valid(url: "https://example.com/1"));
        _folder.Write("bad.md", Documents.Valid(url: "https://example.com/2").Replace("quality: 50", "quality: lots"));
        _folder.Write("good-2.md", Documents.Valid(url: "https://example.com/3"));

        var run = await Job.IngestAsync(_database, _folder.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal((3, 2, 1), (run.Report!.Read, run.Report.Inserted, run.Report.Rejected));
        var reject = Assert.Single(run.Report.Rejects);
        Assert.Equal(("quality", 9), (reject.Field, reject.Line));
        Assert.EndsWith("bad.md", reject.Path);
        Assert.Contains("bad.md: line 9, column 10: quality: 'quality' must be a whole number, not 'lots'", run.Log);
        Assert.Contains("batch committed: read 3, inserted 2, updated 0, unchanged 0, merged 0, rejected 1", run.Log);
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var stored = await connection.QuerySingleAsync<(long RunId, string Field, int Line, string Status, int Rejected)>("""
            SELECT r.run_id, r.field, r.line, i.status, i.rejected
            FROM rejected_documents r JOIN ingestion_runs i ON i.id = r.run_id
            """);
        Assert.Equal((run.Report.RunId, "quality", 9, "completed", 1), stored);
    }

    [Fact]
    public async Task A_dry_run_reports_what_it_would_do_and_writes_nothing()
    {
        _folder.Write("a.md", Documents.Valid(url: "https://example.com/1"));
        _folder.Write("b.md", Documents.Valid(url: "https://example.com/1", published: "2024-01-01T00:00:00Z"));

        var run = await Job.RunAsync(_database, "ingest", _folder.Path, "--dry-run");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal((true, 1, 1), (run.Report!.DryRun, run.Report.Inserted, run.Report.Merged));
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM articles"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM ingestion_runs"));
    }

    [Fact]
    public async Task A_second_run_while_another_holds_the_lock_waits_then_exits_without_writing()
    {
        _folder.Write("a.md", Documents.Valid());
        await using var other = await _database.DataSource.OpenConnectionAsync();
        await other.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = Data.AdvisoryLocks.Ingest });
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var run = await Job.RunAsync(_database, "ingest", _folder.Path, "--wait", "2");

        Assert.Equal(2, run.ExitCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        Assert.Contains("waiting up to 2 s", run.Log);
        Assert.Contains("another ingestion run is in progress", run.Log);
        Assert.Equal(0, await other.ExecuteScalarAsync<int>("SELECT count(*) FROM articles"));
    }

    [Fact]
    public async Task A_run_that_waits_for_the_lock_goes_ahead_when_it_is_released()
    {
        _folder.Write("a.md", Documents.Valid());
        await using var other = await _database.DataSource.OpenConnectionAsync();
        await other.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = Data.AdvisoryLocks.Ingest });

        var run = Job.RunAsync(_database, "ingest", _folder.Path, "--wait", "30");
        await Task.Delay(1_500);
        await other.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = Data.AdvisoryLocks.Ingest });
        var result = await run;

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1, result.Report!.Inserted);
    }

    [Fact]
    public async Task A_run_marks_runs_that_died_before_it_as_failed()
    {
        _folder.Write("a.md", Documents.Valid());
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("INSERT INTO ingestion_runs (started_at, status, paths, host, pid) VALUES (now(), 'running', '{}', 'h', 1)");

        await Job.IngestAsync(_database, _folder.Path);

        Assert.Equal(["failed", "completed"], await connection.QueryAsync<string>("SELECT status FROM ingestion_runs ORDER BY id"));
    }

    [Fact]
    public async Task Migrate_applies_the_schema_once()
    {
        var run = await Job.RunAsync(_database, "migrate");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("schema is up to date", run.Output);
    }
}

// Runs that cannot start say why and exit 2.
public sealed class JobRefusalTests
{
    [Fact]
    public async Task An_unmigrated_database_is_refused()
    {
        var database = new EmptyDatabase();
        await database.InitializeAsync();
        try
        {
            using var folder = new DocumentFolder();
            folder.Write("a.md", Documents.Valid());

            var run = await Job.IngestAsync(database, folder.Path);

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("run 'migrate' first", run.Log);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_unreachable_database_exits_2_after_its_retries()
    {
        var output = new StringWriter();
        var log = new StringWriter();
        // A folder of its own: other tests create and remove folders in /tmp while this one runs.
        using var folder = new DocumentFolder();

        var exit = await JobCommands.RunAsync(
            ["ingest", folder.Path, "--retries", "1", "--connection", "Host=127.0.0.1;Port=1;Username=x;Password=SuperSecret123;Timeout=2"],
            output, log, interactive: false, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains("retry 1 of 1", log.ToString());
        Assert.Contains("error: the database could not be used", log.ToString());
        Assert.DoesNotContain("Username=x", log.ToString());
        Assert.DoesNotContain("SuperSecret123", log.ToString() + output.ToString());
    }

    [Theory]
    [InlineData(new[] { "ingest" }, "Required argument 'PATH' missing for command: 'ingest'")]
    [InlineData(new[] { "ingest", "/no/such/place" }, "no such file or directory: /no/such/place")]
    [InlineData(new[] { "ingest", "/tmp", "--batch-size", "0" }, "--batch-size takes a whole number from 1 to 10000")]
    [InlineData(new[] { "ingest", "/tmp", "--frobnicate" }, "unknown option --frobnicate")]
    [InlineData(new[] { "ingest", "/tmp", "--batch-size", "many" }, "--batch-size takes a whole number from 1 to 10000")]
    [InlineData(new[] { "explode" }, "Unrecognized command or argument 'explode'")]
    [InlineData(new[] { "keys", "add" }, "Required argument 'NAME' missing for command: 'add'")]
    public async Task Bad_arguments_exit_2_with_the_reason(string[] args, string reason)
    {
        var log = new StringWriter();

        var exit = await JobCommands.RunAsync([.. args, "--connection", "Host=127.0.0.1;Port=1"], new StringWriter(), log,
            interactive: false, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains(reason, log.ToString());
    }
}
