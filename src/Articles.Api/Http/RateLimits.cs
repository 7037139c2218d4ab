using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Articles.Api.Http;

internal sealed class RateLimitOptions
{
    // Requests a minute per client IP across the whole API (0, the default: no per-client limit, since a server-side
    // front end sends all its users' requests from one address), and per partner key on the feeds.
    public int ClientPerMinute { get; set; }
    public int KeyPerMinute { get; set; } = 120;
}

// Token buckets, one per client or key, refilled continuously. A request may start while the bucket holds
// at least the smallest cost; it is charged when its response starts: 1 for a body, a quarter for a 304.
internal sealed class RateLimiter(TimeProvider clock)
{
    public const double NotModifiedCost = 0.25;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new();
    private long _calls;

    private sealed class Bucket(double tokens, long at)
    {
        public double Tokens = tokens;
        public long At = at;
    }

    public readonly record struct State(int Limit, double Remaining, TimeSpan Reset);

    // Null lets the request in and charges it as its response starts (1, or a quarter for a 304), with the
    // headers; otherwise the 429 to answer with. `name` names the policy: client or key.
    public IResult? Admit(HttpContext http, string name, string partition, int perMinute)
    {
        if (Update(partition, perMinute, cost: 0, out var state) < NotModifiedCost)
        {
            SetHeaders(http.Response, name, state);
            return TooMany(http.Response, state, $"per-{name}");
        }
        http.Response.OnStarting(() =>
        {
            var cost = http.Response.StatusCode == StatusCodes.Status304NotModified ? NotModifiedCost : 1;
            Update(partition, perMinute, cost, out var after);
            SetHeaders(http.Response, name, after);
            return Task.CompletedTask;
        });
        return null;
    }

    private double Update(string partition, int perMinute, double cost, out State state)
    {
        if (Interlocked.Increment(ref _calls) % 10_000 == 0)
        {
            Sweep();
        }
        var now = clock.GetTimestamp();
        var bucket = _buckets.GetOrAdd(partition, _ => new Bucket(perMinute, now));
        lock (bucket)
        {
            var elapsed = clock.GetElapsedTime(bucket.At, now).TotalMinutes;
            bucket.Tokens = Math.Min(perMinute, bucket.Tokens + elapsed * perMinute) - cost;
            bucket.At = now;
            var untilFull = TimeSpan.FromMinutes((perMinute - bucket.Tokens) / perMinute);
            state = new State(perMinute, bucket.Tokens, untilFull);
            return bucket.Tokens;
        }
    }

    // Full buckets carry no information: forget them so memory stays bounded by active clients.
    private void Sweep()
    {
        var now = clock.GetTimestamp();
        foreach (var (key, bucket) in _buckets)
        {
            if (clock.GetElapsedTime(bucket.At, now) > TimeSpan.FromMinutes(2))
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    // RFC draft httpapi-ratelimit-headers: every policy that applies, and what is left of the tightest one.
    private static void SetHeaders(HttpResponse response, string name, State state)
    {
        response.Headers.Append("RateLimit-Policy", $"\"{name}\";q={state.Limit};w=60");
        var items = response.HttpContext.Items;
        if (items.TryGetValue(nameof(RateLimiter), out var tightest) && tightest is double remaining && remaining <= state.Remaining)
        {
            return;
        }
        items[nameof(RateLimiter)] = state.Remaining;
        response.Headers["RateLimit"] = string.Create(CultureInfo.InvariantCulture,
            $"\"{name}\";r={Math.Max(0, (int)Math.Floor(state.Remaining))};t={(int)Math.Ceiling(state.Reset.TotalSeconds)}");
    }

    private static IResult TooMany(HttpResponse response, State state, string what)
    {
        // Time until the bucket holds a token again.
        var retry = Math.Max(1, (int)Math.Ceiling((NotModifiedCost - state.Remaining) * 60.0 / state.Limit));
        response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        return Problems.Create(StatusCodes.Status429TooManyRequests, "Too many requests", "rate-limited",
            $"The {what} limit of {state.Limit} requests a minute is used up; retry after {retry} s. 304 responses cost a quarter of a request.");
    }
}

// The per-client-IP limit for the whole API (health checks and metrics excepted, so orchestrators and scrapers never trip it).
internal sealed class ClientRateLimitMiddleware(RequestDelegate next, RateLimiter limiter, Microsoft.Extensions.Options.IOptions<RateLimitOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (options.Value.ClientPerMinute == 0 || context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/metrics"))
        {
            await next(context);
            return;
        }
        var partition = "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "local");
        if (limiter.Admit(context, "client", partition, options.Value.ClientPerMinute) is { } tooMany)
        {
            await tooMany.ExecuteAsync(context);
            return;
        }
        await next(context);
    }
}
