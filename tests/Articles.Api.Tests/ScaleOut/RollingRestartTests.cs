extern alias ingest;

using System.Collections.Concurrent;
using System.Diagnostics;
using Articles.Testing;
using ingest::Articles.Ingest;
using Xunit.Abstractions;

namespace Articles.Api.Tests.ScaleOut;

// A rolling restart no client notices: two API processes behind nginx under a steady load, the test acting as the
// orchestrator (readiness polled every 0.5 s, a not-ready process taken out with nginx -s reload). Each process in
// turn gets SIGTERM, drains and exits, and a new one takes its place.
[Collection(nameof(Timing))]
[Trait("Category", "ScaleOut")]
public sealed class RollingRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int RequestsPerSecond = 300;
    private readonly TestDatabase _database = new();
    private readonly Dictionary<string, string> _environment = [];
    // The ports nginx balances over since its last reload.
    private volatile int[] _inRotation = [];

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        Assert.Equal(0, await JobCommands.RunAsync(
            ["ingest", Corpus.Samples, "--connection", _database.ConnectionString],
            TextWriter.Null, TextWriter.Null, interactive: false, CancellationToken.None));
        _environment["ConnectionStrings__Articles"] = _database.ConnectionString;
        _environment["RateLimits__ClientPerMinute"] = "1000000";
    }

    public Task DisposeAsync() => _database.DisposeAsync();

    private sealed record Answer(DateTime At, int Status, string? Error);

    [Fact]
    public async Task Restarting_each_process_in_turn_fails_no_request()
    {
        var processes = new List<ApiProcess> { await ApiProcess.StartAsync(_environment), await ApiProcess.StartAsync(_environment) };
        using var nginx = Nginx.Start([.. processes.Select(p => p.Port)]);
        using var stop = new CancellationTokenSource();
        var orchestrator = OrchestrateAsync(processes, nginx, stop.Token);
        var answers = new ConcurrentQueue<Answer>();
        var load = LoadAsync(nginx.Port, answers, stop.Token);
        var windows = new List<(DateTime From, DateTime To)>();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            for (var i = 0; i < 2; i++)
            {
                var old = processes[0];
                var from = DateTime.UtcNow;
                old.Terminate();
                Assert.Equal(0, await old.ExitCodeAsync(TimeSpan.FromSeconds(30)));
                windows.Add((from, DateTime.UtcNow));
                var replacement = await ApiProcess.StartAsync(_environment);
                lock (processes)
                {
                    processes.Remove(old);
                    processes.Add(replacement);
                }
                await old.DisposeAsync();
                await InRotationAsync(replacement.Port);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(orchestrator, load);
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
        }

        var failed = answers.Where(a => a.Error is not null || a.Status is not (>= 200 and < 300 or 304)).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {answers.Count} requests failed, first: {failed.FirstOrDefault()}");
        var log = File.ReadAllLines(nginx.AccessLog);
        var retried = log.Where(line => line.Contains(", ") || line.Contains(" : ")).ToList();
        Assert.True(retried.Count == 0, $"nginx sent {retried.Count} requests to more than one upstream: {retried.FirstOrDefault()}");
        foreach (var (from, to) in windows)
        {
            var served = answers.Count(a => a.At >= from && a.At <= to);
            output.WriteLine($"SIGTERM to exit: {(to - from).TotalSeconds:F1} s, {served} requests served");
            Assert.True(served >= 1_000, $"{served} requests were served between a SIGTERM and that process's exit");
        }
        output.WriteLine($"{answers.Count} requests, {log.Length} nginx log lines");
    }

    // The orchestrator: each process's readiness every 0.5 s; nginx reloaded whenever the ready set changes.
    private async Task OrchestrateAsync(List<ApiProcess> processes, Nginx nginx, CancellationToken stop)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var current = string.Join(',', processes.Select(p => p.Port));
        while (!stop.IsCancellationRequested)
        {
            ApiProcess[] known;
            lock (processes)
            {
                known = [.. processes];
            }
            var ready = new List<int>();
            foreach (var process in known)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri(process.Address, "/health/ready"), stop);
                    if (response.IsSuccessStatusCode)
                    {
                        ready.Add(process.Port);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }
            }
            var wanted = string.Join(',', ready);
            if (ready.Count > 0 && wanted != current)
            {
                nginx.Reload([.. ready]);
                current = wanted;
                _inRotation = [.. ready];
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task InRotationAsync(int port)
    {
        var clock = Stopwatch.StartNew();
        while (!_inRotation.Contains(port))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"port {port} was not taken into nginx within 10 s");
            await Task.Delay(100);
        }
    }

    // An open-loop load: requests start on a fixed schedule whether or not earlier ones have answered.
    private static async Task LoadAsync(int port, ConcurrentQueue<Answer> answers, CancellationToken stop)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(10),
        };
        string[] paths = ["/v1/articles", "/v1/articles?limit=5", "/v1/topics", "/v1/providers", "/health/live"];
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / RequestsPerSecond);
            if (due > clock.Elapsed)
            {
                try
                {
                    await Task.Delay(due - clock.Elapsed, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            inFlight.Add(SendAsync(client, paths[i % paths.Length], answers));
        }
        await Task.WhenAll(inFlight);
    }

    private static async Task SendAsync(HttpClient client, string path, ConcurrentQueue<Answer> answers)
    {
        try
        {
            // A connection of its own: nginx -s reload closes its idle client connections, and a request sent on one as
            // it closes fails between the client and nginx, which is no part of what this test is about.
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { ConnectionClose = true } };
            using var response = await client.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            answers.Enqueue(new Answer(DateTime.UtcNow, (int)response.StatusCode, null));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            answers.Enqueue(new Answer(DateTime.UtcNow, 0, $"{path}: {e.Message}"));
        }
    }
}
