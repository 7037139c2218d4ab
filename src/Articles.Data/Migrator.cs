using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;

namespace Articles.Data;

// MinBuildVersion: set by a migration that contracts the schema (drops or renames), from its `-- min-build-version: N`
// line: builds older than N cannot use the schema it leaves.
public sealed record Migration(int Version, string Name, string Sql, string Checksum, int? MinBuildVersion);

// A database's schema as builds see it: the newest migration applied and the oldest build that may still use it.
public sealed record SchemaVersion(int Applied, int MinBuildVersion);

public sealed class MigrationException(string message) : Exception(message);

// Applies db/migrations/*.sql in order, once each, and refuses to go on when an applied file changed.
public sealed partial class Migrator(NpgsqlDataSource dataSource)
{
    private sealed record Applied(int Version, string Name, string Checksum, int? MinBuildVersion);

    public static IReadOnlyList<Migration> All { get; } = Load();

    // This build's own version: the newest migration it carries.
    public static int LatestVersion => All[^1].Version;

    // The rule the API, the job and the migrator follow: a build runs on its own schema version or any later one, since
    // later migrations only expand the schema until one that contracts it raises the floor above this build.
    public static string? Incompatible(SchemaVersion schema) =>
        schema.Applied < LatestVersion
            ? $"the database schema is at version {schema.Applied}; this build needs {LatestVersion} or later"
            : FloorAbove(schema.MinBuildVersion);

    private static string? FloorAbove(int floor) =>
        floor > LatestVersion ? $"the database schema needs a build of version {floor} or later; this build is {LatestVersion}" : null;

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
                    version           integer PRIMARY KEY,
                    name              text NOT NULL,
                    checksum          text NOT NULL,
                    applied_at        timestamptz NOT NULL DEFAULT now(),
                    min_build_version integer);
                ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS min_build_version integer;
                """;
            await connection.ExecuteAsync(new CommandDefinition(createTable, cancellationToken: cancellationToken));

            const string read = "SELECT version, name, checksum, min_build_version FROM schema_migrations ORDER BY version";
            var applied = (await connection.QueryAsync<Applied>(new CommandDefinition(read, cancellationToken: cancellationToken))).ToList();
            Verify(applied);

            var done = new List<Migration>();
            foreach (var migration in All.Where(m => applied.All(a => a.Version != m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
                const string record = """
                    INSERT INTO schema_migrations (version, name, checksum, min_build_version)
                    VALUES (@Version, @Name, @Checksum, @MinBuildVersion)
                    """;
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

    // Version 0 on a database the migrator never touched. The floor is read through to_jsonb, which also works on a
    // table an older migrator made, without the column.
    public async Task<SchemaVersion> VersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            const string sql = """
                SELECT coalesce(max(version), 0), coalesce(max((to_jsonb(m) ->> 'min_build_version')::int), 0)
                FROM schema_migrations m
                """;
            var (applied, floor) = await connection.QuerySingleAsync<(int, int)>(new CommandDefinition(sql, cancellationToken: cancellationToken));
            return new SchemaVersion(applied, floor);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return new SchemaVersion(0, 0);
        }
    }

    // Migrations newer than this build are a later build's, which this one runs beside unless they raised the floor past it.
    private static void Verify(List<Applied> applied)
    {
        if (FloorAbove(applied.Max(a => a.MinBuildVersion) ?? 0) is { } problem)
        {
            throw new MigrationException($"{problem}. Deploy a newer build.");
        }
        foreach (var (version, name, checksum, _) in applied.Where(a => a.Version <= LatestVersion))
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
        var floor = MinBuildVersionLine().Match(sql);
        return new Migration(int.Parse(match.Groups[1].Value), match.Groups[2].Value, sql, checksum,
            floor.Success ? int.Parse(floor.Groups[1].Value) : null);
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileNamePattern();

    [GeneratedRegex(@"^--\s*min-build-version:\s*(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex MinBuildVersionLine();
}
