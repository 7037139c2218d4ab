extern alias ingest;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Articles.Testing;
using Dapper;
using ingest::Articles.Ingest;

namespace Articles.Api.Tests;

// The API while its database restarts or its connections are cut: quick 503 problems, never a 500 or a hang,
// and back to 200 by itself once the database is.
[Collection(nameof(Timing))]
public sealed class DatabaseOutageTests
{
    private sealed record Outcome(TimeSpan At, string Url, int Status, TimeSpan Took, string? Code);

    // The load here is about the database, not the per-client limit (which has its own tests).
    private static readonly (string, string) Unlimited = ("RateLimits:ClientPerMinute", "1000000");

    // Every request goes to the database: answers from the response cache would outlive the outage.
    private static readonly (string, string) Uncached = ("Cache:Enabled", "false");

    private static async Task<TestDatabase> LoadedAsync(string server)
    {
        var database = new TestDatabase(server);
        await database.InitializeAsync();
        var exit = await JobCommands.RunAsync(
            ["ingest", Corpus.Seeds, "--connection", database.ConnectionString],
            TextWriter.Null, TextWriter.Null, interactive: false, CancellationToken.None);
        Assert.Equal(0, exit);
        return database;
    }

    // Four clients hammer a list and the readiness check until told to stop.
    private static async Task<List<Outcome>> LoadAsync(HttpClient client, Stopwatch clock, CancellationToken stop)
    {
        var outcomes = new ConcurrentBag<Outcome>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var url = worker % 2 == 0 ? "/v1/articles?limit=5&topic=ai" : "/health/ready";
            while (!stop.IsCancellationRequested)
            {
                var started = clock.Elapsed;
                using var response = await client.GetAsync(url, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                var code = response.IsSuccessStatusCode ? null : JsonDocument.Parse(body).RootElement.GetProperty("code").GetString();
                outcomes.Add(new Outcome(started, url, (int)response.StatusCode, clock.Elapsed - started, code));
                await Task.Delay(25, CancellationToken.None);
            }
        }, CancellationToken.None)));
        return [.. outcomes.OrderBy(o => o.At)];
    }

    [Fact]
    public async Task A_database_down_for_seconds_gives_quick_503s_and_the_api_recovers_by_itself()
    {
        using var cluster = PostgresCluster.Start();
        var database = await LoadedAsync(cluster.AdminConnectionString);
        using var api = ApiFactory.For(database, Unlimited, Uncached);
        var client = api.CreateClient();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();

        var load = LoadAsync(client, clock, stop.Token);
        await Task.Delay(1_500);
        await Task.Run(cluster.Down);
        // Down from when the stop has finished until the start begins (the server answers before pg_ctl returns).
        var downFrom = clock.Elapsed;
        // Metrics are still served, and say the database could not be read.
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Matches(@"articles_ingestion_scrape_error(\{\})? 1\n", metrics);
        Assert.Contains("http_server_request_duration_seconds_count{", metrics);
        await Task.Delay(3_000);
        var downUntil = clock.Elapsed;
        await Task.Run(cluster.Up);
        var upAt = clock.Elapsed;
        // Three seconds of load past the 5 s recovery bound, so the check below rests on many requests, not a few.
        await Task.Delay(8_000);
        stop.Cancel();
        var outcomes = await load;

        Assert.NotEmpty(outcomes);
        Assert.All(outcomes, o => Assert.True(o.Status is 200 or 503, $"{o.Url} at {o.At}: {o.Status} {o.Code}"));
        Assert.All(outcomes, o => Assert.True(o.Took < TimeSpan.FromSeconds(5), $"{o.Url} took {o.Took}"));
        var during = outcomes.Where(o => o.At > downFrom && o.At + o.Took < downUntil).ToList();
        Assert.Contains(during, o => o.Url.StartsWith("/v1/") && o.Status == 503 && o.Code == "database-unavailable");
        Assert.Contains(during, o => o.Url == "/health/ready" && o.Status == 503 && o.Code == "not-ready");
        Assert.DoesNotContain(during, o => o.Status == 200);
        // Within five seconds of the database being back, everything answers again.
        var recovered = outcomes.Where(o => o.At > upAt + TimeSpan.FromSeconds(5)).ToList();
        Assert.True(recovered.Count >= 20, $"only {recovered.Count} requests after the recovery bound");
        Assert.All(recovered, o => Assert.Equal(200, o.Status));
        await database.DisposeAsync();
    }

    [Fact]
    public async Task Terminated_backends_mid_load_cost_at_most_a_503_each()
    {
        var database = await LoadedAsync(PostgresServer.AdminConnectionString);
        using var api = ApiFactory.For(database, Unlimited, Uncached);
        var client = api.CreateClient();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();

        var load = LoadAsync(client, clock, stop.Token);
        var terminated = 0;
        await using (var admin = await database.DataSource.OpenConnectionAsync())
        {
            for (var i = 0; i < 10; i++)
            {
                await Task.Delay(200);
                terminated += await admin.ExecuteScalarAsync<int>("""
                    SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = 'articles-api') t
                    """);
            }
        }
        var lastKill = clock.Elapsed;
        await Task.Delay(3_000);
        stop.Cancel();
        var outcomes = await load;

        Assert.True(terminated > 0, "no API backend was terminated");
        Assert.All(outcomes, o => Assert.True(o.Status is 200 or 503, $"{o.Url} at {o.At}: {o.Status} {o.Code}"));
        var failed = outcomes.Count(o => o.Status == 503);
        Assert.True(failed <= terminated, $"{failed} requests got a 503 for {terminated} terminated backends");
        var after = outcomes.Where(o => o.At > lastKill + TimeSpan.FromSeconds(1)).ToList();
        Assert.True(after.Count >= 20, $"only {after.Count} requests from a second after the last kill");
        Assert.All(after, o => Assert.Equal(200, o.Status));
        await database.DisposeAsync();
    }
}
