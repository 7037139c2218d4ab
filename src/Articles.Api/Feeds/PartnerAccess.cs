using Articles.Api.Http;
using Articles.Data.Keys;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Articles.Api.Feeds;

internal sealed class FeedOptions
{
    // When true, feeds and the change feed need a partner key (X-Api-Key header or key query parameter).
    public bool RequireApiKey { get; set; }
}

// Marks an endpoint that takes a partner key (documented as the API-key security schemes).
internal sealed record PartnerKeyMetadata;

internal static class PartnerAccessExtensions
{
    // A partner route answers a missing or unknown key (401), a revoked one (403) and a key past its limit (429).
    public static TBuilder RequirePartnerAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PartnerKeyMetadata())
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
}

// Checks the partner key of a feed request and charges that key's rate limit. A middleware, not an endpoint filter,
// so that it runs before a 304 or a cached response is served.
internal sealed class PartnerAccessMiddleware(
    RequestDelegate next, IOptions<FeedOptions> feeds, IOptions<RateLimitOptions> limits, ApiKeyCache keys, RateLimiter limiter)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<PartnerKeyMetadata>() is not null && await RefuseAsync(http) is { } refusal)
        {
            await refusal.ExecuteAsync(http);
            return;
        }
        await next(http);
    }

    private async Task<IResult?> RefuseAsync(HttpContext http)
    {
        var key = http.Request.Headers["X-Api-Key"].FirstOrDefault() ?? http.Request.Query["key"].FirstOrDefault();
        if (!feeds.Value.RequireApiKey && key is null)
        {
            return null;
        }
        if (string.IsNullOrEmpty(key))
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, "Key required", "api-key-required",
                "Feeds need a partner key: send it in the X-Api-Key header, or as the key query parameter if your reader cannot set headers.");
        }
        var (status, name) = await keys.FindAsync(key, http.RequestAborted);
        return status switch
        {
            KeyStatus.Unknown => Problems.Create(StatusCodes.Status401Unauthorized, "Unknown key", "invalid-api-key", "This partner key is not one we issued."),
            KeyStatus.Revoked => Problems.Create(StatusCodes.Status403Forbidden, "Key revoked", "api-key-revoked",
                $"The partner key '{name}' was revoked; ask for a new one."),
            _ => limiter.Admit(http, "key", "key:" + name, limits.Value.KeyPerMinute),
        };
    }
}

// Key lookups are cached for 30 seconds: a feed poll does not cost a database round trip, a revocation
// takes effect within the half minute.
internal sealed class ApiKeyCache(ApiKeyRepository keys, IMemoryCache cache)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    public async Task<(KeyStatus Status, string? Name)> FindAsync(string key, CancellationToken ct) =>
        await cache.GetOrCreateAsync((nameof(ApiKeyCache), key), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Lifetime;
            entry.Size = 1;
            return keys.FindAsync(key, ct);
        });
}

// The memory cache's clock is the API's TimeProvider (tests move it); MemoryCache still takes an ISystemClock.
internal sealed class CacheClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
{
    public DateTimeOffset UtcNow => time.GetUtcNow();
}
