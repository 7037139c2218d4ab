using System.Diagnostics;
using Articles.Testing;
using Dapper;

namespace Articles.Ingest.Tests;

// The job against a database that goes away under it: it retries with capped backoff and finishes
// with what a clean run leaves.
public sealed class DatabaseFaultTests
{
    private static readonly string Documents = Path.Combine(Corpus.Directory, "diablo4");

    private static async Task<IReadOnlyDictionary<string, string[]>> CleanContentAsync()
    {
        var database = new TestDatabase();
        await database.InitializeAsync();
        try
        {
            Assert.Equal(0, (await Job.IngestAsync(database, Documents, "--batch-size", "50")).ExitCode);
            return await Job.ContentAsync(database.DataSource);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    // README: `--retries N` reconnects with backoff capped at 8 s.
    [Fact]
    public void The_backoff_doubles_from_half_a_second_and_stops_at_8_seconds()
    {
        Assert.Equal([0.5, 1, 2, 4, 8, 8, 8], Enumerable.Range(1, 7).Select(attempt => JobConnection.Backoff(attempt).TotalSeconds));
        Assert.Equal(8, JobConnection.Backoff(1_000).TotalSeconds);
    }

    [Fact]
    public async Task A_postgres_restart_during_ingestion_is_retried_and_the_run_completes()
    {
        var clean = await CleanContentAsync();
        using var cluster = PostgresCluster.Start();
        var database = new TestDatabase(cluster.AdminConnectionString);
        await database.InitializeAsync();
        try
        {
            var run = Job.IngestAsync(database, Documents, "--batch-size", "50", "--retries", "10");
            await Job.WaitForProgressAsync(database);
            await Task.Run(cluster.Restart);
            var result = await run;
            // The test's own pooled connections died with the server too.
            database.DataSource.Clear();

            Assert.True(result.ExitCode == 0, result.Log);
            Assert.Contains("reconnecting", result.Log);
            Assert.Equal(clean, await Job.ContentAsync(database.DataSource));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_backend_terminated_mid_batch_is_retried_and_the_run_completes()
    {
        var clean = await CleanContentAsync();
        var database = new TestDatabase();
        await database.InitializeAsync();
        try
        {
            var run = Job.IngestAsync(database, Documents, "--batch-size", "50", "--retries", "10");
            await Job.WaitForProgressAsync(database);
            await using (var admin = await database.DataSource.OpenConnectionAsync())
            {
                var killed = await admin.ExecuteScalarAsync<int>("""
                    SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = 'articles-ingest') t
                    """);
                Assert.True(killed > 0, "no job backend to terminate");
            }
            var result = await run;

            Assert.True(result.ExitCode == 0, result.Log);
            Assert.Contains("reconnecting", result.Log);
            Assert.Equal(clean, await Job.ContentAsync(database.DataSource));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }
}
