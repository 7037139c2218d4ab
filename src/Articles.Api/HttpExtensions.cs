using Articles.Api.Articles;
using Articles.Api.Feeds;
using Articles.Api.Health;
using Articles.Api.Http;
using Articles.Api.Providers;
using Articles.Data;
using Articles.Api.Changes;
using Articles.Data.Articles;
using Articles.Data.Changes;
using Articles.Data.Keys;
using Articles.Data.Replication;
using Articles.Data.Runs;
using Articles.Data.Providers;
using Articles.Data.Topics;
using FluentValidation;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Articles.Api;

internal static class ServiceExtensions
{
    private const string IndexReads = "index-reads";

    public static void AddArticlesDatabase(this WebApplicationBuilder builder)
    {
        // Fail at startup, not on the first request, when the database is not configured. The API only reads:
        // ArticlesRead, when set, may list a primary and its standbys (Target Session Attributes=prefer-standby).
        var connectionString = builder.Configuration.GetConnectionString("ArticlesRead") is { Length: > 0 } read
            ? read
            : builder.Configuration.GetConnectionString("Articles");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "No database configured: set ConnectionStrings__Articles (environment) or ConnectionStrings:Articles (appsettings); " +
                "ConnectionStrings__ArticlesRead, when set, is used instead.");
        }
        // The API runs a few statement shapes again and again: Npgsql prepares them on each connection, so
        // PostgreSQL parses and plans each once. An operator's own Max Auto Prepare wins (0 turns it off).
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Given(string key) => given.Keys.Cast<string>().Any(k => k.Replace(" ", "").Equals(key, StringComparison.OrdinalIgnoreCase));
        if (!Given("MaxAutoPrepare"))
        {
            settings.MaxAutoPrepare = 64;
            settings.AutoPrepareMinUsages = 2;
        }
        // The API leaves no session state on a connection (its SETs are reset in the same round trip; no temporary
        // tables, advisory locks or LISTEN), so a pooled connection skips Npgsql's reset, which with prepared
        // statements is seven statements sent ahead of the next command on every checkout. Again, an operator's wins.
        if (!Given("NoResetOnClose"))
        {
            settings.NoResetOnClose = true;
        }
        // Opening a connection (or waiting for a pooled one) gives up after 5 s, inside the 10 s request timeout: an open
        // against a server that accepts and never answers does not heed the request's token, and Npgsql's default is 15 s.
        if (!Given("Timeout"))
        {
            settings.Timeout = 5;
        }
        // Not Npgsql.DependencyInjection: it builds the source itself, and a multi-host read source needs WithTargetSession.
        builder.Services.AddSingleton(_ => ArticlesDatabase.CreateDataSource(settings.ConnectionString, "articles-api"));
        // A second pool, for topic and provider pages: its sessions carry the planner settings those pages need.
        builder.Services.AddKeyedSingleton(IndexReads, (_, _) => ArticlesDatabase.CreateIndexReadSource(settings.ConnectionString, "articles-api"));
        builder.Services.AddSingleton(sp => new Migrator(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton(sp => new ArticleRepository(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredKeyedService<NpgsqlDataSource>(IndexReads)));
        builder.Services.AddSingleton<TopicRepository>();
        builder.Services.AddSingleton<ProviderRepository>();
        builder.Services.AddSingleton<ChangeRepository>();
        builder.Services.AddSingleton<ApiKeyRepository>();
        builder.Services.AddSingleton<LastRunRepository>();
        builder.Services.AddSingleton<ReplicationRepository>();
    }

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
        builder.Services.AddSingleton<PageTotals>();

        // Hot responses from memory (Cache:Enabled, Cache:SizeLimitMegabytes), keyed by the content version.
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
        builder.Services.AddCors(options => options.AddDefaultPolicy(policy =>
        {
            if (origins.Length == 0 || origins.Contains("*"))
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins(origins);
            }
            policy.WithMethods("GET", "HEAD").AllowAnyHeader()
                .WithExposedHeaders("Link", "ETag", "Retry-After", "RateLimit", "RateLimit-Policy", "X-Request-Id");
        }));

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
}
