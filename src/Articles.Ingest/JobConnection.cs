using Articles.Data;
using Articles.Ingest.Writing;
using Dapper;
using Npgsql;

namespace Articles.Ingest;

internal sealed class JobException(string message) : Exception(message);

// The one connection a run writes through. It holds the ingest lock, so two runs never interleave,
// and it comes back (with capped backoff) when the database restarts under it.
internal sealed class JobConnection(NpgsqlDataSource dataSource, int retries, TimeSpan lockWait, Action<string> log) : IAsyncDisposable
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(8);
    private NpgsqlConnection? _connection;

    public NpgsqlConnection Connection => _connection!;

    public ArticleStore Store { get; private set; } = null!;

    public SourceFileStore Files { get; private set; } = null!;

    public static async Task<JobConnection> OpenAsync(
        NpgsqlDataSource dataSource, int retries, TimeSpan lockWait, Action<string> log, CancellationToken ct)
    {
        var job = new JobConnection(dataSource, retries, lockWait, log);
        await job.ConnectAsync(ct);
        return job;
    }

    public async Task ReconnectAsync(CancellationToken ct)
    {
        await _connection!.DisposeAsync();
        await ConnectAsync(ct);
    }

    public ValueTask DisposeAsync() => _connection?.DisposeAsync() ?? ValueTask.CompletedTask;

    public static async Task<T> RetryAsync<T>(Func<Task<T>> action, int retries, Action<string> log, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (NpgsqlException e) when (e.IsTransient && attempt <= retries && !ct.IsCancellationRequested)
            {
                var delay = Backoff(attempt);
                log($"database unavailable ({e.Message}); retry {attempt} of {retries} in {delay.TotalSeconds:0.#}s");
                await Task.Delay(delay, ct);
            }
        }
    }

    // The wait before retry `attempt`: 0.5 s, doubling, at most MaxDelay.
    internal static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(500 * Math.Pow(2, Math.Min(attempt - 1, 30)), MaxDelay.TotalMilliseconds));

    private async Task ConnectAsync(CancellationToken ct)
    {
        _connection = await RetryAsync(() => dataSource.OpenConnectionAsync(ct).AsTask(), retries, log, ct);
        if (await _connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_is_in_recovery()", cancellationToken: ct)))
        {
            throw new JobException($"{_connection.Host}:{_connection.Port} is a read-only standby; point the job at the primary");
        }

        // A later build's migrate may have run first (the deploy order): this job loads on until the floor passes it.
        var schema = await new Migrator(dataSource).VersionAsync(ct);
        if (Migrator.Incompatible(schema) is { } problem)
        {
            throw new JobException(schema.Applied < Migrator.LatestVersion ? $"{problem}: run 'migrate' first" : $"{problem}: deploy a newer job");
        }

        // Another run holds the lock: wait a while (a killed run's backend may still be finishing its last
        // statement, or cron started us early), then give up with a clear message.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var announced = false;
        while (!await _connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT pg_try_advisory_lock(@key)", new { key = AdvisoryLocks.Ingest }, cancellationToken: ct)))
        {
            const string holder = "SELECT id, host, pid, started_at FROM ingestion_runs WHERE status = 'running' ORDER BY id DESC LIMIT 1";
            var run = await _connection.QueryFirstOrDefaultAsync<(long Id, string Host, int Pid, DateTime StartedAt)?>(
                new CommandDefinition(holder, cancellationToken: ct));
            var who = run is { } r ? $" (run {r.Id}, pid {r.Pid} on {r.Host}, started {r.StartedAt:u})" : "";
            if (waited.Elapsed >= lockWait)
            {
                throw new JobException($"another ingestion run is in progress{who}; waited {lockWait.TotalSeconds:N0} s, nothing was written. Try again when it ends.");
            }
            if (!announced)
            {
                announced = true;
                log($"another ingestion run is in progress{who}; waiting up to {lockWait.TotalSeconds:N0} s for it to end");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }

        Store = new ArticleStore(_connection);
        Files = new SourceFileStore(_connection);
        await ArticleStaging.CreateAsync(_connection, ct);
    }
}
