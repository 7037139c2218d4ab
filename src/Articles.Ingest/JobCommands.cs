using Articles.Data;
using Articles.Data.Keys;
using Npgsql;

namespace Articles.Ingest;

internal sealed class UsageException(string message) : Exception(message);

// The job's command line. Program.cs wires signals and the console; tests call RunAsync directly.
internal static class JobCommands
{
    public const string Usage = """
        usage: Articles.Ingest <command> [options]

        commands:
          migrate                 apply db/migrations to the database (safe to repeat)
          ingest PATH [PATH...]   load article documents from files or directories (recursive;
                                  directories give their *.md, *.markdown and *.txt files, READMEs left out)
          keys add NAME           create a partner key for the feeds; it is printed once, only its hash is kept
          keys list               the keys, when they were created and revoked
          keys revoke NAME        revoke a key (the API refuses it within 30 seconds)

        options:
          --connection STRING     PostgreSQL connection string (default: $ConnectionStrings__Articles)
          --dry-run               ingest: do everything in a transaction and roll it back
          --report FILE           ingest: write the run's summary, rejects and warnings as JSON
          --batch-size N          ingest: documents per transaction, 1-10000 (default 2000; fewer past 32 MiB of files)
          --retries N             attempts to reconnect when the database goes away, 0-20 (default 6)
          --wait SECONDS          ingest: how long to wait for another run to end, 0-3600 (default 30)
          --full                  ingest: parse every file, even those whose bytes were loaded before
          --file-timeout SECONDS  ingest: how long one file may take to read before it is rejected, 1-3600 (default 30)

        exit codes: 0 all loaded, 1 some documents rejected, 2 could not run, 3 interrupted (rerun to finish)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter log, bool interactive, CancellationToken stop)
    {
        if (args.Length == 0 || args[0] is "help" or "-h" or "--help")
        {
            output.WriteLine(Usage);
            return args.Length == 0 ? ExitCodes.CouldNotRun : ExitCodes.Loaded;
        }
        var paths = new List<string>();
        string? connection = Environment.GetEnvironmentVariable("ConnectionStrings__Articles"), report = null;
        bool dryRun = false, full = false;
        int batchSize = 2000, retries = 6, wait = 30, fileTimeout = 30;
        try
        {
            for (var i = 1; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--connection": connection = Value(args, ref i); break;
                    case "--dry-run": dryRun = true; break;
                    case "--full": full = true; break;
                    case "--report": report = Value(args, ref i); break;
                    case "--batch-size": batchSize = Number(args, ref i, 1, 10_000); break;
                    case "--retries": retries = Number(args, ref i, 0, 20); break;
                    case "--wait": wait = Number(args, ref i, 0, 3600); break;
                    case "--file-timeout": fileTimeout = Number(args, ref i, 1, 3600); break;
                    case var option when option.StartsWith("--", StringComparison.Ordinal):
                        throw new UsageException($"unknown option {option}");
                    default: paths.Add(args[i]); break;
                }
            }
            if (string.IsNullOrWhiteSpace(connection))
            {
                throw new UsageException("no database: set ConnectionStrings__Articles or pass --connection");
            }

            // The job writes through one connection it holds for the run: no pool to keep locks alive behind its back.
            // Given several hosts, it (and migrate) only ever uses the primary.
            var builder = new NpgsqlConnectionStringBuilder(connection) { Pooling = false };
            // Server-side keepalives: if the job's host vanishes, PostgreSQL ends its session (and frees the run's
            // advisory lock) within about 90 s instead of the kernel's two hours.
            builder.Options = $"{builder.Options} -c tcp_keepalives_idle=60 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3".Trim();
            await using var dataSource = ArticlesDatabase.CreateDataSource(builder.ConnectionString, "articles-ingest", primaryOnly: true);
            switch (args[0])
            {
                case "migrate":
                    var applied = await JobConnection.RetryAsync(() => new Migrator(dataSource).ApplyAsync(stop), retries, log.WriteLine, stop);
                    var schema = await new Migrator(dataSource).VersionAsync(stop);
                    output.WriteLine(applied.Count == 0
                        ? $"schema is up to date at version {schema.Applied}"
                        : $"applied {string.Join(", ", applied.Select(m => $"{m.Version:D4}_{m.Name}"))}; schema is at version {schema.Applied}");
                    return ExitCodes.Loaded;
                case "keys":
                    return await KeysAsync(new ApiKeyRepository(dataSource), paths, output, log, stop);
                case "ingest" when paths.Count == 0:
                    throw new UsageException("ingest needs at least one file or directory");
                case "ingest":
                    var options = new IngestOptions(paths, dryRun, report, batchSize, retries, TimeSpan.FromSeconds(wait), full)
                    {
                        FileTimeout = TimeSpan.FromSeconds(fileTimeout),
                    };
                    return await new IngestJob(dataSource, options, output, log, interactive).RunAsync(stop);
                default:
                    throw new UsageException($"unknown command '{args[0]}'");
            }
        }
        catch (UsageException e)
        {
            log.WriteLine($"error: {e.Message}");
            log.WriteLine("run with --help for usage");
            return ExitCodes.CouldNotRun;
        }
        catch (Exception e) when (e is JobException or MigrationException)
        {
            log.WriteLine($"error: {e.Message}");
            return ExitCodes.CouldNotRun;
        }
        catch (NpgsqlException e)
        {
            log.WriteLine($"error: the database could not be used: {e.Message}");
            return ExitCodes.CouldNotRun;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            log.WriteLine("stopped before the run began; nothing was written");
            return ExitCodes.Interrupted;
        }
        // A bug, not an input problem: say so plainly, with the trace for whoever fixes it.
        catch (Exception e)
        {
            log.WriteLine($"error: unexpected failure, nothing past the last committed batch was written: {e.Message}");
            log.WriteLine(e.ToString());
            return ExitCodes.CouldNotRun;
        }
    }

    private static async Task<int> KeysAsync(ApiKeyRepository keys, List<string> words, TextWriter output, TextWriter log, CancellationToken ct)
    {
        switch (words)
        {
            case ["add", var name]:
                var key = await keys.AddAsync(name, ct);
                if (key is null)
                {
                    log.WriteLine($"error: a key named '{name}' exists; revoke it or choose another name");
                    return ExitCodes.CouldNotRun;
                }
                output.WriteLine($"key '{name}' created; it is shown only now, store it safely:");
                output.WriteLine(key);
                return ExitCodes.Loaded;
            case ["list"]:
                foreach (var row in await keys.ListAsync(ct))
                {
                    output.WriteLine($"{row.Name,-30} created {row.CreatedAt:u}  {(row.RevokedAt is { } at ? $"revoked {at:u}" : "active")}");
                }
                return ExitCodes.Loaded;
            case ["revoke", var name]:
                if (await keys.RevokeAsync(name, ct))
                {
                    output.WriteLine($"key '{name}' revoked");
                    return ExitCodes.Loaded;
                }
                log.WriteLine($"error: no active key named '{name}'");
                return ExitCodes.CouldNotRun;
            default:
                throw new UsageException("keys takes: add NAME | list | revoke NAME");
        }
    }

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new UsageException($"{args[i - 1]} needs a value");

    private static int Number(string[] args, ref int i, int min, int max)
    {
        var name = args[i];
        return int.TryParse(Value(args, ref i), out var n) && n >= min && n <= max
            ? n
            : throw new UsageException($"{name} takes a whole number from {min} to {max}");
    }
}
