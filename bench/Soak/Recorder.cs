using System.Collections.Concurrent;
using System.Diagnostics;

namespace Soak;

sealed record Reply(int Status, byte[] Body, string? ETag, string? LastModified, double SentAt, double ReceivedAt);

// Sends every request of the soak, checks each answer against the contract and what its kind may answer, and keeps
// latencies per kind and minute. Latency counts from when a request was due, so a stall shows as latency.
sealed class Recorder(HttpClient client, Contract contract, Stopwatch clock)
{
    private readonly Dictionary<(int Minute, string Kind), List<double>> _latencies = [];
    private readonly ConcurrentDictionary<string, long> _requests = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private long _failureCount, _serverErrors, _completed;

    public double Now => clock.Elapsed.TotalSeconds;
    public long Completed => Interlocked.Read(ref _completed);
    public long FailureCount => Interlocked.Read(ref _failureCount);
    public long ServerErrors => Interlocked.Read(ref _serverErrors);
    public IReadOnlyDictionary<string, long> Requests => _requests;
    public IEnumerable<string> Failures => _failures;
    // Latencies are kept per minute; in a run under 5 minutes, per 10 seconds.
    public double Bucket { get; init; } = 60;

    // Waits until `due` (seconds into the soak); false when the soak stopped first.
    public async Task<bool> WaitUntilAsync(double due, CancellationToken stop)
    {
        var wait = due - Now;
        try
        {
            if (wait > 0.001)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait), stop);
            }
            return !stop.IsCancellationRequested;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    public void Fail(string what)
    {
        if (Interlocked.Increment(ref _failureCount) <= 40)
        {
            _failures.Enqueue($"{Now,7:0.0} s  {what}");
        }
    }

    // expected: the statuses this kind of request may get (each also checked against openapi.json).
    public async Task<Reply?> GetAsync(string kind, string pathAndQuery, double due, int[] expected,
        IReadOnlyDictionary<string, string>? headers = null, bool countsTowardRate = true)
    {
        var sentAt = Now;
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            var reply = new Reply((int)response.StatusCode, body, response.Headers.ETag?.ToString(),
                response.Content.Headers.LastModified?.ToString("R"), sentAt, Now);
            Record(kind, reply.ReceivedAt - due, countsTowardRate);
            if (reply.Status >= 500)
            {
                Interlocked.Increment(ref _serverErrors);
            }
            var path = pathAndQuery.Split('?')[0];
            var problem = !expected.Contains(reply.Status)
                ? $"status {reply.Status}, expected {string.Join("/", expected)}"
                : contract.Check(path, reply.Status, response.Content.Headers.ContentType?.MediaType, body);
            if (problem is not null)
            {
                Fail($"{kind} {pathAndQuery[..Math.Min(pathAndQuery.Length, 160)]}: {problem}");
            }
            return reply;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Record(kind, Now - due, countsTowardRate);
            Fail($"{kind} {pathAndQuery[..Math.Min(pathAndQuery.Length, 160)]}: {e.GetType().Name} {e.Message}");
            return null;
        }
    }

    private void Record(string kind, double seconds, bool countsTowardRate)
    {
        _requests.AddOrUpdate(kind, 1, (_, n) => n + 1);
        if (countsTowardRate)
        {
            Interlocked.Increment(ref _completed);
        }
        lock (_latencies)
        {
            foreach (var key in new[] { ((int)(Now / Bucket), kind), ((int)(Now / Bucket), "(all)") })
            {
                if (!_latencies.TryGetValue(key, out var list))
                {
                    _latencies[key] = list = [];
                }
                list.Add(seconds * 1000);
            }
        }
    }

    // (minute, kind, requests, p50 ms, p99 ms), in minute then kind order.
    public List<(int Minute, string Kind, int Count, double P50, double P99)> Percentiles()
    {
        lock (_latencies)
        {
            return _latencies.OrderBy(p => p.Key.Minute).ThenBy(p => p.Key.Kind).Select(p =>
            {
                var sorted = p.Value.Order().ToArray();
                double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
                return (p.Key.Minute, p.Key.Kind, sorted.Length, At(0.5), At(0.99));
            }).ToList();
        }
    }
}
