using System.Diagnostics;

namespace Soak;

// The front-end part of the load: independent requests fired on a fixed schedule (open loop), by weighted kind.
static class Load
{
    private sealed record Kind(string Name, int Weight, Func<string> Path, int[] Expected);

    // Each kind a few times before the clock starts, so the first minute measures the API, not its JIT.
    public static async Task WarmUpAsync(HttpClient client, Shapes shapes, string[] keys)
    {
        foreach (var kind in Kinds(shapes, new Random(5)))
        {
            for (var i = 0; i < 5; i++)
            {
                using var response = await client.GetAsync(kind.Name == "feed" ? kind.Path() + Uri.EscapeDataString(keys[2]) : kind.Path());
            }
        }
    }

    public static async Task RunAsync(Recorder recorder, Shapes shapes, string[] keys, double rate, CancellationToken stop)
    {
        var random = new Random(5);
        var kinds = Kinds(shapes, random);
        var total = kinds.Sum(k => k.Weight);
        var inFlight = new List<Task>();
        var began = recorder.Now;
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var due = began + i / rate;
            if (!await recorder.WaitUntilAsync(due, stop))
            {
                break;
            }
            var pick = random.Next(total);
            var kind = kinds.First(k => (pick -= k.Weight) < 0);
            inFlight.Add(kind.Name == "feed"
                ? KeyedFeedAsync(recorder, kind.Path(), keys[random.Next(2) + 2], keys[2..], due)
                : recorder.GetAsync(kind.Name, kind.Path(), due, kind.Expected));
            if (inFlight.Count > 4096)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }
        await Task.WhenAll(inFlight);
    }

    private static Kind[] Kinds(Shapes shapes, Random random)
    {
        string T(Topic t) => Uri.EscapeDataString(t.Slug);
        return
        [
            new("page1", 20, () => "/v1/articles", [200]),
            new("topic-common", 8, () => $"/v1/articles?topic={T(shapes.Common)}", [200]),
            new("topic-mid", 8, () => $"/v1/articles?topic={T(shapes.Mid)}", [200]),
            new("topic-rare", 6, () => $"/v1/articles?topic={T(shapes.Rare)}", [200]),
            new("provider", 5, () => $"/v1/articles?provider={shapes.Provider.Domain}", [200]),
            new("numbered", 4, () => random.Next(2) == 0 ? "/v1/articles?page=2" : $"/v1/articles?page=2&topic={T(shapes.Mid)}", [200]),
            new("search", 10, () => $"/v1/articles?q={Searches[random.Next(Searches.Length)]}", [200]),
            // An id or URL sampled at the start may since have been removed (410); never unknown.
            new("by-id", 20, () => $"/v1/articles/{shapes.Ids[random.Next(shapes.Ids.Count)]}", [200, 410]),
            new("lookup", 8, () => $"/v1/articles/lookup?url={Uri.EscapeDataString(shapes.Urls[random.Next(shapes.Urls.Count)])}", [200, 410]),
            new("topics", 3, () => "/v1/topics", [200]),
            new("topic", 3, () => $"/v1/topics/{T(shapes.Topics[random.Next(shapes.Topics.Count)])}", [200]),
            new("providers", 3, () => "/v1/providers", [200]),
            // Readers that cannot set headers put their key in the query: two partners, one feed (see KeyedFeedAsync).
            new("feed", 2, () => $"/v1/topics/{T(shapes.Mid)}/feed.atom?key=", [200]),
        ];
    }

    // The response cache must never hand one partner's key (in the feed's links) to another.
    private static async Task KeyedFeedAsync(Recorder recorder, string path, string key, string[] partners, double due)
    {
        var reply = await recorder.GetAsync("feed", path + Uri.EscapeDataString(key), due, [200]);
        if (reply is not null && partners.Any(other => other != key && System.Text.Encoding.UTF8.GetString(reply.Body).Contains(other, StringComparison.Ordinal)))
        {
            recorder.Fail($"feed {path}: another partner's key in the body");
        }
    }

    private static readonly string[] Searches = ["diablo", "patch", "robotics", "season%20guide", "market", "zebra", "cloud%20-beta", "soak"];
}

// Closed-loop maximum of one URL: 32 requests at a time for a while after a warm-up, requests per second.
static class Measure
{
    public static async Task<double> MaximumAsync(HttpClient client, Uri url, double seconds)
    {
        await RunAsync(client, url, 2);
        return await RunAsync(client, url, seconds);
    }

    private static async Task<double> RunAsync(HttpClient client, Uri url, double seconds)
    {
        var clock = Stopwatch.StartNew();
        var count = 0;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                using var response = await client.GetAsync(url);
                await response.Content.ReadAsByteArrayAsync();
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref count);
            }
        }));
        return count / clock.Elapsed.TotalSeconds;
    }
}

// The API's resident memory, read from /proc every second; and every 5 s its pools' connections in use (from /metrics),
// so the pool check rests on what the pools did, not only on the absence of timeouts.
sealed class RssSampler(int pid, Recorder recorder, HttpClient client)
{
    private readonly List<(double At, double Megabytes)> _samples = [];

    public Dictionary<string, (double PeakUsed, double Max)> Pools { get; } = [];

    public IReadOnlyList<(double At, double Megabytes)> Samples { get { lock (_samples) { return [.. _samples]; } } }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (line is not null)
            {
                lock (_samples) { _samples.Add((recorder.Now, double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024)); }
            }
            if (_samples.Count % 5 == 1)
            {
                await SamplePoolsAsync();
            }
            try { await Task.Delay(TimeSpan.FromSeconds(1), stop); } catch (TaskCanceledException) { return; }
        }
    }

    private async Task SamplePoolsAsync()
    {
        try
        {
            foreach (var line in (await client.GetStringAsync("/metrics")).Split('\n').Where(l => l.StartsWith("db_client_connection_", StringComparison.Ordinal)))
            {
                var pool = System.Text.RegularExpressions.Regex.Match(line, "pool_name=\"([^\"]+)\"").Groups[1].Value;
                var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                var (peak, max) = Pools.GetValueOrDefault(pool);
                if (line.StartsWith("db_client_connection_max{", StringComparison.Ordinal))
                {
                    Pools[pool] = (peak, value);
                }
                else if (line.StartsWith("db_client_connection_count{", StringComparison.Ordinal) && line.Contains("state=\"used\"", StringComparison.Ordinal))
                {
                    Pools[pool] = (Math.Max(peak, value), max);
                }
            }
        }
        catch (HttpRequestException e)
        {
            recorder.Fail($"/metrics: {e.Message}");
        }
    }
}
