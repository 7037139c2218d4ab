using Articles.Api.Http;
using Articles.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Articles.Api.Health;

// schemaVersion: the database's newest migration; buildVersion: this build's; minBuildVersion: the oldest build the
// schema still allows (0 until a migration contracts it).
internal sealed record HealthStatus(string Status, int? SchemaVersion = null, int? BuildVersion = null, int? MinBuildVersion = null);

internal static class HealthApi
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(3);

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health");

        health.MapGet("/live", Live)
            .WithName(nameof(Live))
            .WithSummary("The process is up and serving HTTP. Never touches the database.");

        health.MapGet("/ready", Ready)
            .WithName(nameof(Ready))
            .WithSummary("The database answers, its schema is this build's version or a later one that still allows it, " +
                "and the process is not shutting down.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static Ok<HealthStatus> Live() => TypedResults.Ok(new HealthStatus("live"));

    private static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> Ready(Migrator migrator, Draining draining, CancellationToken ct)
    {
        if (draining.Started)
        {
            return NotReady("The process is shutting down.");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadyTimeout);
        SchemaVersion schema;
        try
        {
            // WaitAsync: an open against a server that accepts and never answers does not heed the token.
            schema = await migrator.VersionAsync(timeout.Token).WaitAsync(ReadyTimeout, ct);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return NotReady("The database did not answer.");
        }
        if (Migrator.Incompatible(schema) is { } problem)
        {
            var fix = schema.Applied < Migrator.LatestVersion ? "Run the job's migrate command." : "Deploy a newer build.";
            var notReady = NotReady($"{char.ToUpperInvariant(problem[0])}{problem[1..]}. {fix}");
            notReady.ProblemDetails.Extensions["schemaVersion"] = schema.Applied;
            notReady.ProblemDetails.Extensions["buildVersion"] = Migrator.LatestVersion;
            notReady.ProblemDetails.Extensions["minBuildVersion"] = schema.MinBuildVersion;
            return notReady;
        }
        return TypedResults.Ok(new HealthStatus("ready", schema.Applied, Migrator.LatestVersion, schema.MinBuildVersion));
    }

    private static ProblemHttpResult NotReady(string detail) =>
        Problems.Create(StatusCodes.Status503ServiceUnavailable, "Not ready", "not-ready", detail);
}
