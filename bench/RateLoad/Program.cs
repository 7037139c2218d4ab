using System.Diagnostics;
using System.Globalization;

// Open-loop load at a fixed rate (what wrk2 does; Debian has only wrk): request i is due at i / rate seconds and
// its latency counts from when it was due, so a stall shows in the percentiles instead of as fewer requests.
//   RateLoad URL REQUESTS_PER_SECOND SECONDS
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: RateLoad URL REQUESTS_PER_SECOND SECONDS");
    return 2;
}
var url = new Uri(args[0]);
var rate = double.Parse(args[1], CultureInfo.InvariantCulture);
var seconds = double.Parse(args[2], CultureInfo.InvariantCulture);
if (!url.IsLoopback || rate <= 0 || seconds is <= 0 or > 600)
{
    Console.Error.WriteLine("loopback URLs only, a positive rate, and at most 600 seconds");
    return 2;
}

using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { Timeout = TimeSpan.FromSeconds(10) };
await RunAsync(Math.Min(rate, 200), 2);   // warm-up: connections, JIT, the API's caches
var (latencies, lags, failures, elapsed) = await RunAsync(rate, seconds);

// lag: how late the client itself sent a request (part of its latency, not the server's doing).
Array.Sort(latencies);
Array.Sort(lags);
static double At(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"rate {rate:0} req/s for {seconds:0} s: {latencies.Length} requests in {elapsed:0.00} s, {failures} failed; " +
    $"latency ms p50 {At(latencies, 0.50):0.00} p90 {At(latencies, 0.90):0.00} p99 {At(latencies, 0.99):0.00} max {latencies[^1]:0.00}; " +
    $"send lag ms p50 {At(lags, 0.50):0.00} p99 {At(lags, 0.99):0.00} max {lags[^1]:0.00}"));
return failures == 0 ? 0 : 1;

async Task<(double[] Latencies, double[] Lags, int Failures, double Elapsed)> RunAsync(double perSecond, double duration)
{
    var total = (int)(perSecond * duration);
    var latencies = new double[total];
    var lags = new double[total];
    var failures = 0;
    var clock = Stopwatch.StartNew();
    var requests = new Task[total];
    // Paced on a thread of its own with microsecond sleeps: Task.Delay waits for the timer's tick and then for a pool
    // worker busy with responses, so requests left late and in bursts (bench/README.md, "RateLoad sent late").
    await Task.Factory.StartNew(() =>
    {
        for (var i = 0; i < total; i++)
        {
            var due = i / perSecond;
            var wait = due - clock.Elapsed.TotalSeconds;
            if (wait > 0.00005)
            {
                usleep((uint)(wait * 1_000_000));
            }
            lags[i] = Math.Max(0, (clock.Elapsed.TotalSeconds - due) * 1000);
            requests[i] = SendAsync(i, due);
        }
    }, TaskCreationOptions.LongRunning);
    await Task.WhenAll(requests);
    return (latencies, lags, failures, clock.Elapsed.TotalSeconds);

    async Task SendAsync(int index, double due)
    {
        try
        {
            using var response = await client.GetAsync(url);
            await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref failures);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref failures);
        }
        latencies[index] = (clock.Elapsed.TotalSeconds - due) * 1000;
    }
}

// Thread.Sleep rounds to whole milliseconds.
[System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
static extern int usleep(uint microseconds);
