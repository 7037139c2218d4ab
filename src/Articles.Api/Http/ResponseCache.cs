using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Articles.Api.Http;

internal sealed class CacheOptions
{
    // Cache:Enabled=false serves every request from the database; Cache:SizeLimitMegabytes bounds the cached bodies.
    public bool Enabled { get; set; } = true;
    public int SizeLimitMegabytes { get; set; } = 64;

    // What the API's heap holds beside the cache under load, with room for a collection to run (bench/README.md, Soak).
    public const int HeapHeadroomMegabytes = 64;
}

// ASP.NET Core's output cache keyed by the request (path, every query parameter, Accept-Encoding) and the content
// version: a request asked again between two commits is served from memory, and a commit is a new key, so nothing
// stale is served past the version's one-second bound. Partner keys in the query make their own entries.
internal sealed class VersionedCachePolicy(ContentVersions versions, IOptions<CacheOptions> options) : IOutputCachePolicy
{
    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var cacheable = http.GetEndpoint()?.Metadata.GetMetadata<CacheableMetadata>();
        var version = cacheable?.Validator == Validator.ChangeLog ? versions.ChangeLog : versions.Content;
        var use = options.Value.Enabled && cacheable is not null && version is not null
            && (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method));
        context.EnableOutputCaching = use;
        context.AllowCacheLookup = use;
        context.AllowCacheStorage = use;
        context.AllowLocking = use;
        if (use)
        {
            context.CacheVaryByRules.QueryKeys = "*";
            context.CacheVaryByRules.HeaderNames = HeaderNames.AcceptEncoding;
            context.CacheVaryByRules.VaryByValues["version"] = version!;
            context.ResponseExpirationTimeSpan = TimeSpan.FromMinutes(10);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken ct) => ValueTask.CompletedTask;

    // Only whole answers are kept: no problem, no 304.
    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken ct)
    {
        if (context.HttpContext.Response.StatusCode != StatusCodes.Status200OK)
        {
            context.AllowCacheStorage = false;
        }
        return ValueTask.CompletedTask;
    }
}
