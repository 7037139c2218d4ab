using Articles.Api.Articles;
using Articles.Api.Feeds;
using Articles.Api.Health;
using Articles.Api.Http;
using Articles.Api.Providers;
using Articles.Api.Changes;
using FluentValidation;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;

namespace Articles.Api;

internal static class HttpExtensions
{
    public static void AddArticlesHttp(this WebApplicationBuilder builder)
    {
        // SIGTERM: not ready at once, serving for the drain delay, then requests in flight get their time to finish.
        builder.Services.AddOptions<ShutdownOptions>().BindConfiguration("Shutdown");
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>(
            (host, shutdown) => host.ShutdownTimeout = shutdown.Value.DrainDelay + shutdown.Value.InFlightTimeout);
        builder.Services.AddSingleton<Draining>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Draining>());
        builder.Services.AddArticlesHealth();

        // One JSON object a line; the hosting scope puts the request id (and trace id) on every line of a request.
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(options =>
        {
            options.IncludeScopes = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });

        // Limits chosen, not inherited: a 10 KB search still reaches validation (and gets a problem, not a 414),
        // a client that trickles its headers is cut off, and no request holds a thread for long.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestLineSize = 16 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
        });
        builder.Services.AddRequestTimeouts(options => options.DefaultPolicy = new Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutPolicy
        {
            Timeout = TimeSpan.FromSeconds(10),
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
        });

        // Problem details everywhere, each with a stable code; unexpected exceptions mapped by ApiExceptionHandler.
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            var code = Problems.CodeFor(status);
            if (context.ProblemDetails.Extensions.TryAdd("code", code))
            {
                context.ProblemDetails.Type = Problems.TypeFor(code);
            }
            // Problems the framework raises (no route, wrong method) get a sentence too.
            context.ProblemDetails.Detail ??= status switch
            {
                404 => $"Nothing is served at {context.HttpContext.Request.Path}; see /swagger for the API.",
                405 => $"{context.HttpContext.Request.Method} is not allowed here; this API only reads (GET and HEAD).",
                _ => context.ProblemDetails.Title,
            };
        });
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();

        builder.Services.AddValidatorsFromAssemblyContaining<ArticleListRequestValidator>(ServiceLifetime.Singleton, includeInternalTypes: true);

        // Partner keys and rate limits (Feeds:RequireApiKey, RateLimits:ClientPerMinute, RateLimits:KeyPerMinute).
        builder.Services.AddOptions<FeedOptions>().BindConfiguration("Feeds").ValidateOnStart();
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration("RateLimits")
            .Validate(o => o.ClientPerMinute >= 0 && o.KeyPerMinute > 0, "RateLimits:ClientPerMinute must be 0 (off) or positive, RateLimits:KeyPerMinute positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RateLimiter>();
        builder.Services.AddSingleton<ApiKeyCache>();
        builder.Services.AddMemoryCache(options => options.SizeLimit = 10_000);
        builder.Services.AddOptions<Microsoft.Extensions.Caching.Memory.MemoryCacheOptions>()
            .Configure<TimeProvider>((options, time) => options.Clock = new CacheClock(time));
        builder.Services.AddSingleton<ContentVersions>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ContentVersions>());
        // Numbered lists' totals and feeds' topics or providers, remembered until the next commit.
        builder.Services.AddSingleton<VersionedMemo<ulong, (long Total, bool Exact)>>();
        builder.Services.AddSingleton<VersionedMemo<(string, string), FeedScope?>>();

        // Hot responses from memory (Cache:Enabled, Cache:SizeLimitMegabytes), keyed by the content version. The GC heap is
        // held to that bound plus headroom, or the GC lets evicted entries pile up in gen2 to twice the live set.
        LimitHeap((builder.Configuration.GetSection("Cache").Get<CacheOptions>() ?? new()).SizeLimitMegabytes + CacheOptions.HeapHeadroomMegabytes);
        builder.Services.AddOptions<CacheOptions>().BindConfiguration("Cache")
            .Validate(o => o.SizeLimitMegabytes > 0, "Cache:SizeLimitMegabytes must be positive.").ValidateOnStart();
        builder.Services.AddOutputCache();
        builder.Services.AddOptions<Microsoft.AspNetCore.OutputCaching.OutputCacheOptions>()
            .Configure<ContentVersions, Microsoft.Extensions.Options.IOptions<CacheOptions>>((output, versions, cache) =>
            {
                output.SizeLimit = cache.Value.SizeLimitMegabytes * 1024L * 1024;
                output.AddBasePolicy(new VersionedCachePolicy(versions, cache));
            });

        // Non-ASCII text as UTF-8, not \u escapes; HTML-sensitive characters (<, >, &, ', ") stay escaped, so a
        // response pasted into a page cannot close a script element.
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default);
            options.SerializerOptions.Encoder = ApiJson.Encoder;
        });

        builder.Services.AddResponseCompression(options =>
        {
            // Responses hold no secrets, so compressing over HTTPS carries no BREACH risk worth losing the bytes for.
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = [.. ResponseCompressionDefaults.MimeTypes, "application/problem+json",
                FeedWriters.JsonFeedType, FeedWriters.AtomType, FeedWriters.RssType];
        });

        // Browsers on the configured origins (Cors:Origins; any origin when unset) may read the paging and caching headers.
        var origins = builder.Configuration.GetSection("Cors:Origins").Get<string[]>() ?? [];
        // The origin "*" alone is what AllowAnyOrigin sets.
        builder.Services.AddCors(options => options.AddDefaultPolicy(policy => policy
            .WithOrigins(origins.Length == 0 || origins.Contains("*") ? ["*"] : origins)
            .WithMethods("GET", "HEAD").AllowAnyHeader()
            .WithExposedHeaders("Link", "ETag", "Retry-After", "RateLimit", "RateLimit-Policy", "X-Request-Id")));

        // Behind a proxy (nginx, a load balancer) the client is the address the proxy saw, so the per-client limit
        // and the logs are per client, not per proxy. Only proxies on loopback, or in Http:TrustedNetworks, are believed.
        var trusted = builder.Configuration.GetSection("Http:TrustedNetworks").Get<string[]>() ?? [];
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var network in trusted)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
    }

    // Only in the API's own process (a test host shares its heap with the tests); a lower limit the runtime already
    // has (a container's memory limit, DOTNET_GCHeapHardLimit) is kept.
    private static void LimitHeap(int megabytes)
    {
        var limit = (ulong)Math.Max(megabytes, 1) * 1024 * 1024;
        if (System.Reflection.Assembly.GetEntryAssembly() == typeof(HttpExtensions).Assembly &&
            Environment.GetEnvironmentVariable("DOTNET_GCHeapHardLimit") is null &&
            (ulong)GC.GetGCMemoryInfo().TotalAvailableMemoryBytes is var available && (available == 0 || limit < available))
        {
            AppContext.SetData("GCHeapHardLimit", limit);
            GC.RefreshMemoryLimit();
        }
    }
}
