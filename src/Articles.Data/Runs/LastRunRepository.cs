using Dapper;
using Npgsql;

namespace Articles.Data.Runs;

public sealed record LastRunRow(
    long Id, string Status, DateTime StartedAt, DateTime? FinishedAt, int Read, int Inserted, int Updated, int Unchanged,
    int Merged, int Rejected, int Warnings);

// The newest ingestion run, through the view the API's role may read (migration 0008).
public sealed class LastRunRepository(NpgsqlDataSource dataSource)
{
    public async Task<LastRunRow?> GetAsync(CancellationToken ct)
    {
        const string sql = """
            SELECT id, status, started_at, finished_at, read, inserted, updated, unchanged, merged, rejected, warnings
            FROM last_ingestion_run
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<LastRunRow>(new CommandDefinition(sql, cancellationToken: ct));
    }
}
