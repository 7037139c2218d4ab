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
