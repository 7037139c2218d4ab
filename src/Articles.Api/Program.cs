using Articles.Api;
using Articles.Api.Articles;
using Articles.Api.Changes;
using Articles.Api.Feeds;
using Articles.Api.Health;
using Articles.Api.Http;
using Articles.Api.Metrics;
using Articles.Api.Providers;
using Articles.Api.Topics;

var builder = WebApplication.CreateBuilder(args);

// PostgreSQL: one pooled NpgsqlDataSource behind every repository.
builder.AddArticlesDatabase();

// Problem details, validation, JSON, compression, CORS, Kestrel limits, timeouts, partner keys and rate limits.
builder.AddArticlesHttp();

// OpenAPI document and Swagger UI.
builder.AddArticlesOpenApi();

// Prometheus metrics through OpenTelemetry.
builder.AddArticlesMetrics();

var app = builder.Build();

// The client's address as a trusted proxy forwarded it; the request id and security headers; errors as problem+json; compression;
// the per-client rate limit charges a request once its status (200 or a cheaper 304) is known; partner keys are checked,
// then a conditional GET is answered from the content version, then a repeated request from the output cache.
app.UseForwardedHeaders();
app.UseResponseHeaders();
app.UseExceptionHandler();
app.UseResponseCompression();
app.UseStatusCodePages();
app.UseRouting();
app.UseRequestTimeouts();
app.UseCors();
app.UseMiddleware<ClientRateLimitMiddleware>();
app.UseMiddleware<PartnerAccessMiddleware>();
app.UseMiddleware<ConditionalGetMiddleware>();
app.UseOutputCache();

app.UseArticlesOpenApi();

var api = app.MapGroup("").WithHead();

// Where to start; liveness and readiness for orchestrators and load balancers; Prometheus metrics.
api.MapRoot();
api.MapHealth();
api.MapMetrics();

// The read API for front-end apps.
api.MapArticles();
api.MapTopics();
api.MapProviders();

// Partner feeds: JSON Feed, Atom and RSS per topic and provider.
api.MapFeeds();
api.MapChanges();

app.Run();
