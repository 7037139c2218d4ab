using System.Diagnostics;
using Articles.Testing;
using Dapper;
using Xunit.Abstractions;

namespace Articles.Ingest.Tests;

// The job as operators run it, in its own process, stopped hard at random moments.
public sealed class CrashTests(ITestOutputHelper output)
{
    // Six on every test run; ARTICLES_KILL_TRIALS=20 (or more) for the long version.
    private static readonly int Trials = int.TryParse(Environment.GetEnvironmentVariable("ARTICLES_KILL_TRIALS"), out var n) ? n : 6;
    private const string BatchSize = "50";
    private static readonly string Documents = Path.Combine(Corpus.Directory, "diablo4");

    [Fact]
    public async Task Kill_9_at_any_moment_then_a_rerun_leaves_what_a_clean_run_leaves()
    {
        var clean = await CleanRunAsync();
        var random = new Random(20261122);
        var killedMidRun = 0;
        var batches = Directory.GetFiles(Documents).Length / int.Parse(BatchSize);

        for (var trial = 0; trial < Trials; trial++)
        {
            var database = new TestDatabase();
            await database.InitializeAsync();
            try
            {
                // After a random number of committed batches, a random moment into the next one: wall-clock
                // timing would depend on how warm the machine is.
                var committed = random.Next(1, batches);
                var delay = TimeSpan.FromMilliseconds(random.Next(0, 150));
                using var job = Start(database);
                await Job.WaitForProgressAsync(database, committed * int.Parse(BatchSize));
                await Task.Delay(delay);
                var exitedAlready = job.HasExited;
                job.Kill(entireProcessTree: true);
                await job.WaitForExitAsync();
                killedMidRun += exitedAlready ? 0 : 1;

                var rerun = await Job.IngestAsync(database, Documents, "--batch-size", BatchSize);

                Assert.Equal(0, rerun.ExitCode);
                Assert.Equal(clean, await Job.ContentAsync(database.DataSource));
                output.WriteLine($"trial {trial}: killed {delay.TotalMilliseconds:N0} ms after batch {committed} of {batches + 1} committed " +
                    $"(finished already: {exitedAlready}); rerun inserted {rerun.Report!.Inserted}, unchanged {rerun.Report.Unchanged}");
            }
            finally
            {
                await database.DisposeAsync();
            }
        }
        // Most kills must land inside a run, or the test proves nothing.
        Assert.InRange(killedMidRun, Trials / 2, Trials);
    }

    // The two moments random kills rarely hit, held open with a lock the test takes: inside the first batch (its insert
    // into article_changes waits on a SHARE lock), inside the end-of-run recount (its UPDATE of every topic, after a
    // failed run, waits on a row no batch touches), and inside the closing ANALYZE (it waits on a lock inserts do not
    // take). The job is killed while its backend waits there.
    [Theory]
    [InlineData("first batch", "LOCK TABLE article_changes IN SHARE MODE", "INSERT INTO article_changes%")]
    [InlineData("recount", "SELECT 1 FROM topics WHERE slug = 'held-by-the-test' FOR UPDATE", "UPDATE topics t SET article_count%")]
    [InlineData("final ANALYZE", "LOCK TABLE article_changes IN SHARE UPDATE EXCLUSIVE MODE", "ANALYZE %")]
    public async Task Kill_9_in_the_first_batch_or_the_recount_then_a_rerun_leaves_what_a_clean_run_leaves(
        string moment, string hold, string waitingStatement)
    {
        var clean = await CleanRunAsync();
        var database = new TestDatabase();
        await database.InitializeAsync();
        try
        {
            await using (var holder = await database.DataSource.OpenConnectionAsync())
            {
                // A topic no document names, with a wrong count, and a failed run before: the recount must write every topic.
                await holder.ExecuteAsync("""
                    INSERT INTO topics (slug, name, article_count) VALUES ('held-by-the-test', 'Held', 99);
                    INSERT INTO ingestion_runs (started_at, finished_at, status, paths, host, pid) VALUES (now(), now(), 'failed', '{}', 'test', 0);
                    """);
                await using var tx = await holder.BeginTransactionAsync();
                await holder.ExecuteAsync(hold, transaction: tx);
                using var job = Start(database);
                var clock = Stopwatch.StartNew();
                // Watched from a connection of its own: pg_stat_activity holds still for the length of a transaction.
                await using var watcher = await database.DataSource.OpenConnectionAsync();
                string? waiting;
                while ((waiting = await watcher.ExecuteScalarAsync<string?>("""
                    SELECT query FROM pg_stat_activity
                    WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
                    """)) is null)
                {
                    Assert.False(job.HasExited, $"the job exited ({(job.HasExited ? job.ExitCode : 0)}) before it reached the {moment}");
                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the job did not reach the {moment} in 60 s");
                    await Task.Delay(10);
                }
                Assert.True(await watcher.ExecuteScalarAsync<bool>("SELECT @waiting LIKE @waitingStatement", new { waiting, waitingStatement }),
                    $"the job waits on the test's lock in another statement: {waiting}");
                var committed = await holder.ExecuteScalarAsync<int>("SELECT count(*) FROM articles", transaction: tx);
                job.Kill(entireProcessTree: true);
                await job.WaitForExitAsync();
                Assert.True(committed == (moment == "first batch" ? 0 : clean["articles"].Length),
                    $"{committed} articles were committed when the job was killed in the {moment}");
                await tx.RollbackAsync();
            }

            var rerun = await Job.IngestAsync(database, Documents, "--batch-size", BatchSize);

            Assert.Equal(0, rerun.ExitCode);
            await using (var connection = await database.DataSource.OpenConnectionAsync())
            {
                Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT article_count FROM topics WHERE slug = 'held-by-the-test'"));
                await connection.ExecuteAsync("DELETE FROM topics WHERE slug = 'held-by-the-test'");
            }
            Assert.Equal(clean, await Job.ContentAsync(database.DataSource));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sigterm_rolls_back_the_open_batch_exits_3_and_a_rerun_completes()
    {
        var clean = await CleanRunAsync();
        var database = new TestDatabase();
        await database.InitializeAsync();
        try
        {
            using var job = Start(database);
            await Job.WaitForProgressAsync(database);
            var signalled = Stopwatch.StartNew();
            Process.Start("kill", ["-TERM", job.Id.ToString()])!.WaitForExit();
            await job.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal(3, job.ExitCode);
            Assert.InRange(signalled.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
            await using (var connection = await database.DataSource.OpenConnectionAsync())
            {
                Assert.Equal("interrupted", await connection.ExecuteScalarAsync<string>("SELECT status FROM ingestion_runs"));
            }

            var rerun = await Job.IngestAsync(database, Documents, "--batch-size", BatchSize);

            Assert.Equal("completed", rerun.Report!.Status);
            Assert.Equal(clean, await Job.ContentAsync(database.DataSource));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    // What a run of the job's own process that nothing interrupts leaves.
    private static async Task<IReadOnlyDictionary<string, string[]>> CleanRunAsync()
    {
        var database = new TestDatabase();
        await database.InitializeAsync();
        try
        {
            using var job = Start(database);
            await job.WaitForExitAsync();
            Assert.Equal(0, job.ExitCode);
            return await Job.ContentAsync(database.DataSource);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private static Process Start(TestDatabase database)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ConnectionStrings__Articles"] = database.ConnectionString },
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Articles.Ingest.dll"), "ingest", Documents, "--batch-size", BatchSize })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        // Drain the pipes so the job never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

}
