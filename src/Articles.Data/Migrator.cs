using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;

namespace Articles.Data;

public sealed record Migration(int Version, string Name, string Sql, string Checksum);

public sealed class MigrationException(string message) : Exception(message);

// Applies db/migrations/*.sql in order, once each, and refuses to go on when an applied file changed.
public sealed partial class Migrator(NpgsqlDataSource dataSource)
{
    public static IReadOnlyList<Migration> All { get; } = Load();

    public static int LatestVersion => All[^1].Version;

    public async Task<IReadOnlyList<Migration>> ApplyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Two migrators started together take turns instead of racing on the same DDL.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_lock(@key)", new { key = AdvisoryLocks.Migrate }, cancellationToken: cancellationToken));
        try
        {
            const string createTable = """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """;
            await connection.ExecuteAsync(new CommandDefinition(createTable, cancellationToken: cancellationToken));

            var applied = await ReadAppliedAsync(connection, cancellationToken);
            Verify(applied);

            var done = new List<Migration>();
            foreach (var migration in All.Where(m => !applied.ContainsKey(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
                const string record = "INSERT INTO schema_migrations (version, name, checksum) VALUES (@Version, @Name, @Checksum)";
                await connection.ExecuteAsync(new CommandDefinition(record, migration, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                done.Add(migration);
            }
            return done;
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = AdvisoryLocks.Migrate });
        }
    }

    // The newest applied version, or 0 on a database the migrator never touched.
    public async Task<int> AppliedVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
                "SELECT max(version) FROM schema_migrations", cancellationToken: cancellationToken)) ?? 0;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    private static async Task<Dictionary<int, (string Name, string Checksum)>> ReadAppliedAsync(
        NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(int Version, string Name, string Checksum)>(new CommandDefinition(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Version, r => (r.Name, r.Checksum));
    }

    private static void Verify(Dictionary<int, (string Name, string Checksum)> applied)
    {
        foreach (var (version, (name, checksum)) in applied)
        {
            var known = All.FirstOrDefault(m => m.Version == version)
                ?? throw new MigrationException(
                    $"The database has migration {version:D4}_{name} applied, which this build does not have. Deploy a newer build.");
            if (known.Checksum != checksum)
            {
                throw new MigrationException(
                    $"Migration {version:D4}_{name}.sql was edited after it was applied (checksum {checksum[..12]} in the database, " +
                    $"{known.Checksum[..12]} in this build). Restore the file and put the change in a new migration.");
            }
        }
    }

    internal static IReadOnlyList<Migration> Load()
    {
        var assembly = typeof(Migrator).Assembly;
        var migrations = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal))
            .Select(n => Parse(n["migrations/".Length..], Read(assembly, n)))
            .OrderBy(m => m.Version)
            .ToList();
        if (migrations.Count == 0 || migrations.Select(m => m.Version).Distinct().Count() != migrations.Count)
        {
            throw new MigrationException("Migrations must exist and have distinct version numbers.");
        }
        return migrations;
    }

    internal static Migration Parse(string fileName, string sql)
    {
        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
        {
            throw new MigrationException($"Migration file '{fileName}' is not named NNNN_name.sql.");
        }
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));
        return new Migration(int.Parse(match.Groups[1].Value), match.Groups[2].Value, sql, checksum);
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileNamePattern();
}
