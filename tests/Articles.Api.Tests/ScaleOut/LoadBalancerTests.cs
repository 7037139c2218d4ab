extern alias ingest;

using System.Diagnostics;
using Articles.Testing;
using ingest::Articles.Ingest;
using Xunit.Abstractions;

namespace Articles.Api.Tests.ScaleOut;

// Two API processes behind nginx: either serves any request (any cursor too), and killing one under load fails
// no request but those it had in flight, which nginx retries on the other.
[Collection(nameof(Timing))]
[Trait("Category", "ScaleOut")]
public sealed class LoadBalancerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private ApiProcess _first = null!;
    private ApiProcess _second = null!;
    private Nginx _nginx = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        Assert.Equal(0, await JobCommands.RunAsync(
            ["ingest", Corpus.Samples, "--connection", _database.ConnectionString],
            TextWriter.Null, TextWriter.Null, interactive: false, CancellationToken.None));
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Articles"] = _database.ConnectionString,
            ["RateLimits__ClientPerMinute"] = "1000000",
        };
        _first = await ApiProcess.StartAsync(environment);
        _second = await ApiProcess.StartAsync(environment);
        _nginx = Nginx.Start(_first.Port, _second.Port);
    }

    public async Task DisposeAsync()
    {
        _nginx.Dispose();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _database.DisposeAsync();
    }

    private HttpClient Client() => new() { BaseAddress = new Uri($"http://127.0.0.1:{_nginx.Port}"), Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task A_cursor_from_one_process_pages_on_the_other()
    {
        using var client = Client();
        var seen = new HashSet<string>();
        var upstreams = new HashSet<string>();
        string? next = "/v1/articles?limit=20";
        while (next is not null)
        {
            using var response = await client.GetAsync(next);
            Assert.Equal(200, (int)response.StatusCode);
            upstreams.Add(AnsweredBy(response.Headers.GetValues("X-Upstream").Single())!);
            using var page = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            foreach (var item in page.RootElement.GetProperty("items").EnumerateArray())
            {
                Assert.True(seen.Add(item.GetProperty("id").GetString()!), "an article was served twice");
            }
            next = page.RootElement.GetProperty("links").TryGetProperty("next", out var link) && link.ValueKind == System.Text.Json.JsonValueKind.String
                ? link.GetString() : null;
        }

        await using var connection = new Npgsql.NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM articles WHERE published", connection);
        Assert.Equal((long)(await count.ExecuteScalarAsync())!, seen.Count);
        Assert.Equal(2, upstreams.Count);
    }

    [Fact]
    public async Task Killing_one_process_under_load_fails_at_most_the_requests_it_had_in_flight()
    {
        const int clients = 8;
        var clock = Stopwatch.StartNew();
        var killAt = TimeSpan.FromSeconds(3);
        var stopAt = TimeSpan.FromSeconds(8);
        var inFlight = 0;
        var inFlightAtKill = -1;
        var results = new System.Collections.Concurrent.ConcurrentBag<(TimeSpan At, int Status, string? Upstream)>();
        using var client = Client();
        string[] urls = ["/v1/articles?limit=20", "/v1/articles?limit=5&topic=diablo-4", "/v1/topics", "/v1/articles?q=power"];

        var load = Enumerable.Range(0, clients).Select(worker => Task.Run(async () =>
        {
            for (var i = worker; clock.Elapsed < stopAt; i++)
            {
                var started = clock.Elapsed;
                Interlocked.Increment(ref inFlight);
                try
                {
                    using var response = await client.GetAsync(urls[i % urls.Length]);
                    await response.Content.ReadAsByteArrayAsync();
                    results.Add((started, (int)response.StatusCode,
                        response.Headers.TryGetValues("X-Upstream", out var tried) ? string.Join(",", tried) : null));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    results.Add((started, 0, null));
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }
        })).ToList();

        await Task.Delay(killAt);
        inFlightAtKill = Volatile.Read(ref inFlight);
        _first.Kill();
        await Task.WhenAll(load);

        var failed = results.Count(r => r.Status != 200);
        var before = results.Where(r => r.At < killAt).ToList();
        var after = results.Where(r => r.At > killAt + TimeSpan.FromSeconds(1)).ToList();
        output.WriteLine($"{results.Count} requests, {failed} failed, {inFlightAtKill} in flight at the kill; " +
            $"{before.Count} before it, {after.Count} from 1 s after it; " +
            $"{results.Count(r => r.Upstream?.Contains(',') == true)} retried by nginx; failures: " +
            string.Join(", ", results.Where(r => r.Status != 200).Select(r => $"{r.Status} at {r.At.TotalMilliseconds:0} ms")));

        Assert.True(failed <= inFlightAtKill, $"{failed} requests failed; {inFlightAtKill} were in flight when the process was killed");
        Assert.Equal(2, before.Select(r => AnsweredBy(r.Upstream)).Where(u => u is not null).Distinct().Count());
        Assert.True(after.Count > 100, $"only {after.Count} requests were served after the kill");
        Assert.All(after, r => Assert.Equal(200, r.Status));
    }

    // nginx's $upstream_addr lists every server a request tried ("a, b" when it retried); the last one answered.
    private static string? AnsweredBy(string? tried) => tried?.Split(',', StringSplitOptions.TrimEntries)[^1];
}
