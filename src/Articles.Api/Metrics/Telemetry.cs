using System.Diagnostics.Metrics;
using Articles.Data.Replication;
using Articles.Data.Runs;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Articles.Api.Metrics;

// /metrics: ASP.NET Core's request metrics, Npgsql's pool metrics and the gauges below, as Prometheus text.
internal static class Telemetry
{
    public static void AddArticlesMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DatabaseGauges>();
        builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("articles-api")).WithMetrics(metrics => metrics
            // Requests, connections and unhandled exceptions; not routing's per-request match counter nor Kestrel's memory-pool counters.
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics")
            .AddNpgsqlInstrumentation()
            // The pool's state is what operators watch; per-command histograms cost every query a measurement.
            .AddView("db.client.operation.*", MetricStreamConfiguration.Drop)
            .AddMeter(DatabaseGauges.MeterName)
            .AddPrometheusExporter(options =>
            {
                options.ScrapeResponseCacheDurationMilliseconds = 0;
                options.ScopeInfoEnabled = false;
            }));
    }

    // The gauges read the database before the exporter collects: its callbacks are synchronous.
    public static void MapMetrics(this IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(
            async (context, next) =>
            {
                await context.RequestServices.GetRequiredService<DatabaseGauges>().ReadAsync(context.RequestAborted);
                await next(context);
            }), optionsName: null);
}

// The newest ingestion run and the server the reads land on, as read at the last scrape.
internal sealed class DatabaseGauges
{
    public const string MeterName = "Articles.Api";

    private readonly LastRunRepository _runs;
    private readonly ReplicationRepository _replication;
    private readonly TimeProvider _clock;
    private volatile Snapshot _last = new(null, null, Failed: false);

    private sealed record Snapshot(LastRunRow? Run, ReplicationRow? Server, bool Failed);

    public DatabaseGauges(IMeterFactory meters, LastRunRepository runs, ReplicationRepository replication, TimeProvider clock)
    {
        (_runs, _replication, _clock) = (runs, replication, clock);
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("articles.ingestion.last_run.documents", Documents,
            description: "Documents of the newest ingestion run, by outcome.");
        meter.CreateObservableGauge("articles.ingestion.last_run.age", Age, unit: "s",
            description: "Seconds since the newest ingestion run finished (or started, while it runs).");
        meter.CreateObservableGauge("articles.ingestion.scrape_error", () => _last.Failed ? 1 : 0,
            description: "1 when the database could not be read for this scrape.");
        meter.CreateObservableGauge("articles.db.reading_standby", ReadingStandby,
            description: "1 when the API's reads land on a standby (a server in recovery).");
        meter.CreateObservableGauge("articles.db.replay_lag", ReplayLag, unit: "s",
            description: "Seconds since the last transaction the standby replayed committed on the primary.");
    }

    public async Task ReadAsync(CancellationToken ct)
    {
        try
        {
            _last = new Snapshot(await _runs.GetAsync(ct), await _replication.GetAsync(ct), Failed: false);
        }
        catch (NpgsqlException)
        {
            _last = new Snapshot(null, null, Failed: true);
        }
    }

    private IEnumerable<Measurement<long>> Documents()
    {
        if (_last.Run is not { } run)
        {
            yield break;
        }
        foreach (var (outcome, count) in new[] { ("read", run.Read), ("inserted", run.Inserted), ("updated", run.Updated),
                     ("unchanged", run.Unchanged), ("merged", run.Merged), ("rejected", run.Rejected), ("warnings", run.Warnings) })
        {
            yield return new(count, new("outcome", outcome), new("status", run.Status));
        }
    }

    private IEnumerable<Measurement<double>> Age()
    {
        if (_last.Run is { } run)
        {
            var end = DateTime.SpecifyKind(run.FinishedAt ?? run.StartedAt, DateTimeKind.Utc);
            // The database's clock wrote the time: a run that has just ended may seem a moment in the future.
            yield return new(Math.Max(0, Math.Round((_clock.GetUtcNow().UtcDateTime - end).TotalSeconds)));
        }
    }

    private IEnumerable<Measurement<int>> ReadingStandby()
    {
        if (_last.Server is { } server)
        {
            yield return new(server.InRecovery ? 1 : 0);
        }
    }

    private IEnumerable<Measurement<double>> ReplayLag()
    {
        if (_last.Server?.ReplayLagSeconds is { } lag)
        {
            yield return new(lag);
        }
    }
}
