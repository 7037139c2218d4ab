using System.Globalization;
using System.Threading.RateLimiting;

namespace Articles.Api.Http;

internal sealed class RateLimitOptions
{
    // Requests a minute per client IP across the whole API (0, the default: no per-client limit, since a server-side
    // front end sends all its users' requests from one address), and per partner key on the feeds.
    public int ClientPerMinute { get; set; }
    public int KeyPerMinute { get; set; } = 120;
}

// Token buckets per client or key (System.Threading.RateLimiting, which also drops idle ones), in quarters: a request
// takes a quarter to start and, unless it is answered 304, three more as its response starts. Not the framework's
// RateLimiting middleware: it charges whole permits before the status is known.
internal sealed class RateLimiter : IDisposable
{
    private const int Quarters = 4;

    private readonly PartitionedRateLimiter<(string Partition, int PerMinute)> _buckets =
        PartitionedRateLimiter.Create<(string Partition, int PerMinute), string>(key =>
            RateLimitPartition.GetTokenBucketLimiter(key.Partition, _ => Bucket(key.PerMinute)));

    // Null lets the request in and charges it as its response starts, with the headers; otherwise the 429 to answer
    // with. `name` names the policy: client or key.
    public IResult? Admit(HttpContext http, string name, string partition, int perMinute)
    {
        var key = (partition, perMinute);
        using (var lease = _buckets.AttemptAcquire(key, 1))
        {
            if (!lease.IsAcquired)
            {
                SetHeaders(http.Response, name, perMinute, 0);
                var after = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1.0 / perMinute);
                var retry = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds));
                http.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
                return Problems.Create(StatusCodes.Status429TooManyRequests, "Too many requests", "rate-limited",
                    $"The per-{name} limit of {perMinute} requests a minute is used up; retry after {retry} s. 304 responses cost a quarter of a request.");
            }
        }
        http.Response.OnStarting(() =>
        {
            // The quarter taken to start is a 304's whole cost; a body takes three more, or what is left of them.
            if (http.Response.StatusCode != StatusCodes.Status304NotModified)
            {
                using var rest = _buckets.AttemptAcquire(key, Quarters - 1);
                if (!rest.IsAcquired)
                {
                    _buckets.AttemptAcquire(key, (int)Math.Min(_buckets.GetStatistics(key)?.CurrentAvailablePermits ?? 0, Quarters - 1)).Dispose();
                }
            }
            SetHeaders(http.Response, name, perMinute, _buckets.GetStatistics(key)?.CurrentAvailablePermits ?? 0);
            return Task.CompletedTask;
        });
        return null;
    }

    public void Dispose() => _buckets.Dispose();

    // Refilled continuously (in steps of at most a tenth of a second) up to a minute's worth.
    private static TokenBucketRateLimiterOptions Bucket(int perMinute)
    {
        var perMinuteQuarters = (long)perMinute * Quarters;
        var period = TimeSpan.FromMinutes(Math.Max(1.0 / perMinuteQuarters, 1.0 / 600));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = (int)Math.Min(int.MaxValue, perMinuteQuarters),
            TokensPerPeriod = (int)Math.Min(int.MaxValue, Math.Max(1, Math.Round(perMinuteQuarters * period.TotalMinutes))),
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    // RFC draft httpapi-ratelimit-headers: every policy that applies, and what is left of the tightest one.
    private static void SetHeaders(HttpResponse response, string name, int perMinute, long quarters)
    {
        response.Headers.Append("RateLimit-Policy", $"\"{name}\";q={perMinute};w=60");
        var remaining = quarters / (double)Quarters;
        var items = response.HttpContext.Items;
        if (items.TryGetValue(nameof(RateLimiter), out var tightest) && tightest is double least && least <= remaining)
        {
            return;
        }
        items[nameof(RateLimiter)] = remaining;
        var untilFull = (perMinute - remaining) * 60.0 / perMinute;
        response.Headers["RateLimit"] = string.Create(CultureInfo.InvariantCulture,
            $"\"{name}\";r={(int)Math.Floor(remaining)};t={(int)Math.Ceiling(untilFull)}");
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
