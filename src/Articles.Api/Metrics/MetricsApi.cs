using System.Diagnostics;
using System.Globalization;
using System.Text;
using Articles.Data.Replication;
using Articles.Data.Runs;
using Npgsql;

namespace Articles.Api.Metrics;

// Times every request and counts it under its route template (not its raw path, which would be unbounded).
internal sealed class MetricsMiddleware(RequestDelegate next, ApiMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            metrics.Observe(route, context.Request.Method, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }
}

internal static class MetricsApi
{
    public static void MapMetrics(this IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", Scrape).ExcludeFromDescription();

    // Prometheus text format 0.0.4. The HTTP figures are served even when the database is away.
    private static async Task<IResult> Scrape(
        ApiMetrics metrics, LastRunRepository runs, ReplicationRepository replication, TimeProvider clock, CancellationToken ct)
    {
        var text = new StringBuilder();
        metrics.Write(text);
        try
        {
            if (await runs.GetAsync(ct) is { } run)
            {
                text.AppendLine("# HELP articles_ingestion_last_run_documents Documents of the newest ingestion run, by outcome.");
                text.AppendLine("# TYPE articles_ingestion_last_run_documents gauge");
                foreach (var (outcome, count) in new[] { ("read", run.Read), ("inserted", run.Inserted), ("updated", run.Updated),
                             ("unchanged", run.Unchanged), ("merged", run.Merged), ("rejected", run.Rejected), ("warnings", run.Warnings) })
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"articles_ingestion_last_run_documents{{outcome=\"{outcome}\",status=\"{run.Status}\"}} {count}");
                }
                var end = run.FinishedAt ?? run.StartedAt;
                text.AppendLine("# HELP articles_ingestion_last_run_age_seconds Seconds since the newest ingestion run finished (or started, while it runs).");
                text.AppendLine("# TYPE articles_ingestion_last_run_age_seconds gauge");
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"articles_ingestion_last_run_age_seconds {(clock.GetUtcNow().UtcDateTime - DateTime.SpecifyKind(end, DateTimeKind.Utc)).TotalSeconds:F0}");
            }
            text.AppendLine("articles_ingestion_scrape_error 0");

            // With a read connection string listing standbys, which kind of server this scrape's read landed on.
            var server = await replication.GetAsync(ct);
            text.AppendLine("# HELP articles_db_reading_standby 1 when the API's reads land on a standby (a server in recovery).");
            text.AppendLine("# TYPE articles_db_reading_standby gauge");
            text.AppendLine(CultureInfo.InvariantCulture, $"articles_db_reading_standby {(server.InRecovery ? 1 : 0)}");
            if (server.ReplayLagSeconds is { } lag)
            {
                text.AppendLine("# HELP articles_db_replay_lag_seconds Seconds since the last transaction the standby replayed committed on the primary.");
                text.AppendLine("# TYPE articles_db_replay_lag_seconds gauge");
                text.AppendLine(CultureInfo.InvariantCulture, $"articles_db_replay_lag_seconds {lag:F3}");
            }
        }
        catch (NpgsqlException)
        {
            text.AppendLine("# HELP articles_ingestion_scrape_error 1 when the last ingestion run could not be read.");
            text.AppendLine("articles_ingestion_scrape_error 1");
        }
        return TypedResults.Text(text.ToString(), "text/plain; version=0.0.4", Encoding.UTF8);
    }
}
