extern alias ingest;

using System.Diagnostics;
using System.Text.Json;
using Articles.Testing;
using Dapper;
using ingest::Articles.Ingest;
using Npgsql;

namespace Articles.Api.Tests.ScaleOut;

// A primary and a pg_basebackup standby on loopback: the API reads from the standby through a multi-host
// connection string, the job writes to the primary even when given that same string, and the API falls back
// to the primary when the standby stops.
[Collection(nameof(Timing))]
[Trait("Category", "ScaleOut")]
public sealed class ReplicaTests
{
    private static Task<int> IngestAsync(string path, string connection, StringWriter? log = null) =>
        JobCommands.RunAsync(["ingest", path, "--connection", connection, "--retries", "0", "--wait", "0"],
            TextWriter.Null, log ?? TextWriter.Null, interactive: false, CancellationToken.None);

    private static async Task<long> TotalAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/v1/articles?page=1&limit=1&published=any");
        Assert.Equal(200, (int)response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("paging").GetProperty("totalItems").GetInt64();
    }

    private static async Task<int> ApiConnectionsAsync(PostgresCluster server, string database)
    {
        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        return await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'articles-api' AND datname = @database", new { database });
    }

    [Fact]
    public async Task The_api_reads_from_a_standby_and_falls_back_to_the_primary_when_it_stops()
    {
        using var primary = PostgresCluster.Start();
        var database = new TestDatabase(primary.AdminConnectionString);  // goes with its cluster
        await database.InitializeAsync();
        Assert.Equal(0, await IngestAsync(Corpus.Seeds, database.ConnectionString));
        using var standby = primary.StartStandby();

        // The standby first, the primary as the fallback: what an operator puts in ConnectionStrings__ArticlesRead.
        var read = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Host = $"127.0.0.1:{standby.Port},127.0.0.1:{primary.Port}",
            Port = 5432,
            TargetSessionAttributes = "prefer-standby",
        }.ConnectionString;

        // Handed the same string, the job still writes to the primary (a standby would refuse every write).
        Assert.Equal(0, await IngestAsync(Path.Combine(Corpus.Samples, "powerapps"), read));
        long expected;
        await using (var onPrimary = new NpgsqlConnection(database.ConnectionString))
        {
            expected = await onPrimary.ExecuteScalarAsync<long>("SELECT count(*) FROM articles");
        }

        // Uncached: every request reads from the database, so the failover shows.
        using var api = ApiFactory.For(database, ("ConnectionStrings:ArticlesRead", read), ("RateLimits:ClientPerMinute", "1000000"),
            ("Cache:Enabled", "false"));
        var client = api.CreateClient();

        // Replication is asynchronous: the standby serves the second load once it has replayed it.
        var clock = Stopwatch.StartNew();
        while (await TotalAsync(client) != expected)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the standby did not catch up in 30 s");
            await Task.Delay(100);
        }
        Assert.True(await ApiConnectionsAsync(standby, database.Name) > 0, "the API's reads should go to the standby");
        Assert.Equal(0, await ApiConnectionsAsync(primary, database.Name));
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Matches(@"articles_db_reading_standby(\{\})? 1\n", metrics);
        Assert.Matches(@"articles_db_replay_lag_seconds(\{\})? \d+(\.\d+)?(E-?\d+)?\n", metrics);

        // Stop the standby: connections to it break (a 503 problem at most, never a 500) and the API moves to the primary.
        standby.Down();
        var statuses = new List<int>();
        clock.Restart();
        var served = 0;
        while (served < 20)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the API did not serve from the primary in 15 s: {string.Join(",", statuses)}");
            using var response = await client.GetAsync("/v1/articles?page=1&limit=1&published=any");
            statuses.Add((int)response.StatusCode);
            Assert.True(response.StatusCode is System.Net.HttpStatusCode.OK or System.Net.HttpStatusCode.ServiceUnavailable,
                $"status {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            served = response.IsSuccessStatusCode ? served + 1 : 0;
        }
        Assert.Equal(expected, await TotalAsync(client));
        Assert.True(await ApiConnectionsAsync(primary, database.Name) > 0, "the API should now read from the primary");
        Assert.Matches(@"articles_db_reading_standby(\{\})? 0\n", await client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task The_job_refuses_a_standby_given_alone_and_writes_nothing()
    {
        using var primary = PostgresCluster.Start();
        var database = new TestDatabase(primary.AdminConnectionString);  // goes with its cluster
        await database.InitializeAsync();
        using var standby = primary.StartStandby();
        var onStandby = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = standby.Port }.ConnectionString;

        var log = new StringWriter();
        Assert.Equal(2, await IngestAsync(Corpus.Seeds, onStandby, log));
        Assert.Contains("standby", log.ToString());
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM articles"));
    }
}
