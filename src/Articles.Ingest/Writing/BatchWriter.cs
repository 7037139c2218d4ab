using Npgsql;

namespace Articles.Ingest.Writing;

// The job's transactions. A run commits one transaction a batch; a dry run is one transaction for the whole run,
// rolled back at the end, so it reports exactly what a real run would do and writes nothing.
internal sealed class BatchWriter(JobConnection db, NpgsqlTransaction? dryRun)
{
    public static async Task<BatchWriter> StartAsync(JobConnection connection, bool dry, CancellationToken ct) =>
        new(connection, dry ? await connection.Connection.BeginTransactionAsync(ct) : null);

    public bool DryRun => dryRun is not null;

    // The transaction reads outside a batch belong to: the dry run's, or none.
    public NpgsqlTransaction? Current => dryRun;

    // `work` in a transaction of its own, committed when it returns; in a dry run, inside the run's transaction.
    public async Task<T> InTransactionAsync<T>(Func<NpgsqlTransaction, Task<T>> work, CancellationToken ct)
    {
        if (dryRun is not null)
        {
            return await work(dryRun);
        }
        await using var tx = await db.Connection.BeginTransactionAsync(ct);
        var result = await work(tx);
        await tx.CommitAsync(ct);
        return result;
    }

    public Task RollBackAsync(CancellationToken ct) => dryRun?.RollbackAsync(ct) ?? Task.CompletedTask;
}
