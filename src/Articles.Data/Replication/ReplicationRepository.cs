using Dapper;
using Npgsql;

namespace Articles.Data.Replication;

// Whether the server a read lands on is a standby, and how far its replay is behind.
public sealed record ReplicationRow(bool InRecovery, double? ReplayLagSeconds);

public sealed class ReplicationRepository(NpgsqlDataSource dataSource)
{
    public async Task<ReplicationRow> GetAsync(CancellationToken ct)
    {
        // The replay timestamp is the commit time of the last transaction replayed: on an idle primary it ages
        // although the standby is caught up, so read the figure together with the primary's write rate.
        const string sql = """
            SELECT pg_is_in_recovery() AS in_recovery,
                CASE WHEN pg_is_in_recovery() THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS replay_lag_seconds
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<ReplicationRow>(new CommandDefinition(sql, cancellationToken: ct));
    }
}
