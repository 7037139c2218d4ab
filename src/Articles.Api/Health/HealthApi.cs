using Articles.Api.Http;
using Articles.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Articles.Api.Health;

internal sealed record HealthStatus(string Status, int? SchemaVersion = null);

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
            .WithSummary("The database answers and its schema is the version this build expects.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static Ok<HealthStatus> Live() => TypedResults.Ok(new HealthStatus("live"));

    private static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> Ready(Migrator migrator, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadyTimeout);
        int version;
        try
        {
            version = await migrator.AppliedVersionAsync(timeout.Token);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return NotReady("The database did not answer.");
        }
        return version == Migrator.LatestVersion
            ? TypedResults.Ok(new HealthStatus("ready", version))
            : NotReady($"The database schema is at version {version}; this build needs {Migrator.LatestVersion}. Run the job's migrate command.");
    }

    private static ProblemHttpResult NotReady(string detail) =>
        Problems.Create(StatusCodes.Status503ServiceUnavailable, "Not ready", "not-ready", detail);
}
