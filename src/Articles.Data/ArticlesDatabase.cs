using Dapper;
using Npgsql;

namespace Articles.Data;

public static class ArticlesDatabase
{
    // Rows are records named in C# style; columns are snake_case.
    static ArticlesDatabase() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    // One data source per process; every repository borrows connections from its pool. With several hosts
    // (Host=a:5432,b:5432) it is Npgsql's multi-host source: reads honour the connection string's
    // Target Session Attributes (prefer-standby sends them to a replica), writers pass primaryOnly.
    public static NpgsqlDataSource CreateDataSource(string connectionString, string applicationName, bool primaryOnly = false)
    {
        // The name labels the pool's metrics (otherwise the connection string).
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = applicationName };
        var settings = builder.ConnectionStringBuilder;
        if (string.IsNullOrEmpty(settings.ApplicationName))
        {
            settings.ApplicationName = applicationName;
        }
        if (settings.Host?.Contains(',') != true)
        {
            return builder.Build();
        }

        // A multi-host source takes its target in code; Npgsql refuses it in the connection string.
        var target = primaryOnly ? TargetSessionAttributes.Primary : ParseTarget(settings.TargetSessionAttributes);
        settings.TargetSessionAttributes = null;
        return builder.BuildMultiHost().WithTargetSession(target);
    }

    // The pool topic and provider pages run on: its sessions start with sequential and bitmap scans off and generic
    // plans, so those pages need no SET around them (see ArticleSql.List for why they need the settings).
    public static NpgsqlDataSource CreateIndexReadSource(string connectionString, string applicationName)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        // jit=off: a disabled scan's cost would otherwise cross the JIT threshold and compile a plan of a few rows (100 ms).
        // enable_memoize=off: a generic plan guesses ten topics and caches each of the page's 21 articles, which are all misses.
        // max_parallel_workers_per_gather=0: an index walk kept in heap order looks cheap to split, but workers for every
        // request cost more than they save under concurrency (bench/README.md, "A parallel plan").
        settings.Options = $"{settings.Options} -c enable_seqscan=off -c enable_bitmapscan=off -c plan_cache_mode=force_generic_plan -c jit=off -c enable_memoize=off -c max_parallel_workers_per_gather=0".Trim();
        return CreateDataSource(settings.ConnectionString, applicationName + "-index-reads");
    }

    private static TargetSessionAttributes ParseTarget(string? value) =>
        string.IsNullOrEmpty(value) ? TargetSessionAttributes.Any
        : Enum.TryParse<TargetSessionAttributes>(value.Replace("-", ""), ignoreCase: true, out var target) ? target
        : throw new ArgumentException($"Target Session Attributes '{value}' is not one of any, primary, standby, prefer-primary, prefer-standby, read-write, read-only.");
}
