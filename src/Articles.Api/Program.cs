using Articles.Api;
using Articles.Api.Health;

var builder = WebApplication.CreateBuilder(args);

// PostgreSQL: one pooled NpgsqlDataSource behind every repository.
builder.AddArticlesDatabase();

// Every error leaves as application/problem+json, never a stack trace.
builder.Services.AddProblemDetails();

// OpenAPI document and Swagger UI.
builder.AddArticlesOpenApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.UseArticlesOpenApi();

// Liveness and readiness for orchestrators and load balancers.
app.MapHealth();

app.Run();
