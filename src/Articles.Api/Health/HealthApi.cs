using Articles.Api.Http;
using Articles.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using CheckStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace Articles.Api.Health;

// schemaVersion: the database's newest migration; buildVersion: this build's; minBuildVersion: the oldest build the
// schema still allows (0 until a migration contracts it).
internal sealed record HealthStatus(string Status, int? SchemaVersion = null, int? BuildVersion = null, int? MinBuildVersion = null);

internal static class HealthApi
{
    public static void AddArticlesHealth(this IServiceCollection services) => services.AddHealthChecks()
        .AddCheck<Draining>("draining", tags: ["ready"])
        .AddCheck<SchemaCheck>("schema", tags: ["ready"]);

    // Endpoints of our own over the health checks (not MapHealthChecks), so they are in OpenAPI and a 503 is a problem.
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health");

        health.MapGet("/live", Live, "The process is up and serving HTTP. Never touches the database.");

        health.MapGet("/ready", Ready, "The database answers, its schema is this build's version or a later one that still allows it, " +
                "and the process is not shutting down.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static JsonOk<HealthStatus> Live() => JsonOk.Of(new HealthStatus("live"));

    private static async Task<Results<JsonOk<HealthStatus>, ProblemHttpResult>> Ready(HealthCheckService checks, CancellationToken ct)
    {
        var report = await checks.CheckHealthAsync(check => check.Tags.Contains("ready"), ct);
        var data = report.Entries["schema"].Data;
        if (report.Status != CheckStatus.Healthy)
        {
            // The first check that failed, in the order they were added: shutting down is said before the database.
            var failed = report.Entries.Values.First(e => e.Status != CheckStatus.Healthy);
            var notReady = Problems.Create(StatusCodes.Status503ServiceUnavailable, "Not ready", "not-ready", failed.Description ?? "A health check failed.");
            foreach (var (key, value) in data)
            {
                notReady.ProblemDetails.Extensions[key] = value;
            }
            return notReady;
        }
        return JsonOk.Of(new HealthStatus("ready", (int)data["schemaVersion"], Migrator.LatestVersion, (int)data["minBuildVersion"]));
    }
}

// The database answers within 3 s and its schema allows this build (Migrator.Incompatible).
internal sealed class SchemaCheck(Migrator migrator) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        SchemaVersion schema;
        try
        {
            // WaitAsync: an open against a server that accepts and never answers does not heed the token.
            schema = await migrator.VersionAsync(timeout.Token).WaitAsync(Timeout, ct);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The database did not answer.");
        }
        var data = new Dictionary<string, object>
        {
            ["schemaVersion"] = schema.Applied, ["buildVersion"] = Migrator.LatestVersion, ["minBuildVersion"] = schema.MinBuildVersion,
        };
        if (Migrator.Incompatible(schema) is { } problem)
        {
            var fix = schema.Applied < Migrator.LatestVersion ? "Run the job's migrate command." : "Deploy a newer build.";
            return HealthCheckResult.Unhealthy($"{char.ToUpperInvariant(problem[0])}{problem[1..]}. {fix}", data: data);
        }
        return HealthCheckResult.Healthy(data: data);
    }
}
