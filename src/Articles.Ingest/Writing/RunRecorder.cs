using Articles.Ingest.Reading;
using Dapper;
using Npgsql;

namespace Articles.Ingest.Writing;

// The ingestion_runs row of this run and its rejected_documents, written in each batch's transaction.
internal static class RunRecorder
{
    public static async Task<long> StartAsync(NpgsqlConnection connection, IReadOnlyList<string> paths, int files, int ignored, CancellationToken ct)
    {
        // The caller holds the ingest lock, so a run still marked running died without finishing.
        const string stale = """
            UPDATE ingestion_runs SET status = 'failed', error = 'the job stopped without finishing (killed or crashed)'
            WHERE status = 'running'
            """;
        await connection.ExecuteAsync(new CommandDefinition(stale, cancellationToken: ct));
        const string sql = """
            INSERT INTO ingestion_runs (started_at, status, paths, host, pid, files, ignored)
            VALUES (now(), 'running', @paths, @host, @pid, @files, @ignored)
            RETURNING id
            """;
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql,
            new { paths = paths.ToArray(), host = Environment.MachineName, pid = Environment.ProcessId, files, ignored },
            cancellationToken: ct));
    }

    public static async Task RecordBatchAsync(
        NpgsqlConnection connection, long runId, RunCounts batch, IReadOnlyList<Reject> rejects, NpgsqlTransaction tx, CancellationToken ct)
    {
        const string counts = """
            UPDATE ingestion_runs SET read = read + @Read, inserted = inserted + @Inserted, updated = updated + @Updated,
                unchanged = unchanged + @Unchanged, merged = merged + @Merged, rejected = rejected + @Rejected,
                warnings = warnings + @Warnings, skipped = skipped + @Skipped
            WHERE id = @runId
            """;
        await connection.ExecuteAsync(new CommandDefinition(counts, new
        {
            runId, batch.Read, batch.Inserted, batch.Updated, batch.Unchanged, batch.Merged, batch.Rejected, batch.Warnings, batch.Skipped,
        }, tx, cancellationToken: ct));
        if (rejects.Count == 0)
        {
            return;
        }
        const string insert = """
            INSERT INTO rejected_documents (run_id, path, field, reason, line, col)
            SELECT @runId, * FROM unnest(@paths, @fields, @reasons, @lines, @cols)
            """;
        await connection.ExecuteAsync(new CommandDefinition(insert, new
        {
            runId,
            paths = rejects.Select(r => r.Path).ToArray(),
            fields = rejects.Select(r => r.Problem.Field).ToArray(),
            reasons = rejects.Select(r => r.Problem.Reason).ToArray(),
            lines = rejects.Select(r => r.Problem.Line).ToArray(),
            cols = rejects.Select(r => r.Problem.Column).ToArray(),
        }, tx, cancellationToken: ct));
    }

    // Whether the run before this one completed (and so recounted what it wrote). True when there was none.
    public static async Task<bool> PreviousCompletedAsync(NpgsqlConnection connection, long runId, NpgsqlTransaction? tx, CancellationToken ct)
    {
        const string sql = "SELECT status FROM ingestion_runs WHERE id < @runId ORDER BY id DESC LIMIT 1";
        var status = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(sql, new { runId }, tx, cancellationToken: ct));
        return status is null or "completed";
    }

    public static async Task FinishAsync(NpgsqlConnection connection, long runId, string status, string? error, CancellationToken ct)
    {
        const string sql = "UPDATE ingestion_runs SET status = @status, finished_at = now(), error = @error WHERE id = @runId";
        await connection.ExecuteAsync(new CommandDefinition(sql, new { runId, status, error }, cancellationToken: ct));
    }
}
