using System.CommandLine;
using Articles.Data;
using Articles.Data.Keys;
using Npgsql;

namespace Articles.Ingest;

internal sealed class UsageException(string message) : Exception(message);

// The job's command line. Program.cs wires signals and the console; tests call RunAsync directly.
internal static class JobCommands
{
    private const string Usage = "run with --help for usage";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter log, bool interactive, CancellationToken stop)
    {
        var parsed = Commands(output, log, interactive).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            return Fail([.. parsed.Errors.Select(e => $"error: {e.Message}"), Usage]);
        }
        try
        {
            return await parsed.InvokeAsync(new() { Output = output, Error = log, EnableDefaultExceptionHandler = false }, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            log.WriteLine("stopped before the run began; nothing was written");
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            return e switch
            {
                UsageException => Fail($"error: {e.Message}", Usage),
                JobException or MigrationException => Fail($"error: {e.Message}"),
                NpgsqlException => Fail($"error: the database could not be used: {e.Message}"),
                // A bug, not an input problem: say so plainly, with the trace for whoever fixes it.
                _ => Fail($"error: unexpected failure, nothing past the last committed batch was written: {e.Message}", e.ToString()),
            };
        }

        int Fail(params string[] lines)
        {
            foreach (var line in lines)
            {
                log.WriteLine(line);
            }
            return ExitCodes.CouldNotRun;
        }
    }

    private static RootCommand Commands(TextWriter output, TextWriter log, bool interactive)
    {
        var connection = new Option<string?>("--connection")
        {
            Description = "PostgreSQL connection string (default: $ConnectionStrings__Articles)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ConnectionStrings__Articles"),
            Recursive = true,
        };
        var retries = Number("--retries", "attempts to reconnect when the database goes away", 6, 0, 20);
        retries.Recursive = true;
        var paths = new Argument<string[]>("PATH")
        {
            Description = "files or directories (recursive; directories give their *.md, *.markdown and *.txt files, READMEs left out)",
            Arity = ArgumentArity.OneOrMore,
        };
        // An unknown option would otherwise be taken for a path (a file named so can be given as ./-name).
        paths.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.StartsWith('-')))
            {
                result.AddError($"unknown option {token.Value}");
            }
        });
        var dryRun = new Option<bool>("--dry-run") { Description = "do everything in a transaction and roll it back" };
        var report = new Option<string?>("--report") { Description = "write the run's summary, rejects and warnings as JSON to this file" };
        var batchSize = Number("--batch-size", "documents per transaction (fewer past 32 MiB of files)", 2000, 1, 10_000);
        var wait = Number("--wait", "seconds to wait for another run to end", 30, 0, 3600);
        var full = new Option<bool>("--full") { Description = "parse every file, even those whose bytes were loaded before" };
        var fileTimeout = Number("--file-timeout", "seconds one file may take to read before it is rejected", 30, 1, 3600);
        var name = new Argument<string>("NAME");

        var migrate = new Command("migrate", "apply db/migrations to the database (safe to repeat)");
        migrate.SetAction((run, ct) => WithDatabase(run, connection, async source =>
        {
            var applied = await JobConnection.RetryAsync(() => new Migrator(source).ApplyAsync(ct), run.GetValue(retries), log.WriteLine, ct);
            var schema = await new Migrator(source).VersionAsync(ct);
            output.WriteLine(applied.Count == 0
                ? $"schema is up to date at version {schema.Applied}"
                : $"applied {string.Join(", ", applied.Select(m => $"{m.Version:D4}_{m.Name}"))}; schema is at version {schema.Applied}");
            return ExitCodes.Loaded;
        }));

        var ingest = new Command("ingest", "load article documents from files or directories") { paths, dryRun, report, batchSize, wait, full, fileTimeout };
        ingest.SetAction((run, ct) => WithDatabase(run, connection, source =>
        {
            var options = new IngestOptions(run.GetRequiredValue(paths), run.GetValue(dryRun), run.GetValue(report), run.GetValue(batchSize),
                run.GetValue(retries), TimeSpan.FromSeconds(run.GetValue(wait)), run.GetValue(full))
            {
                FileTimeout = TimeSpan.FromSeconds(run.GetValue(fileTimeout)),
            };
            return new IngestJob(source, options, output, log, interactive).RunAsync(ct);
        }));

        var add = new Command("add", "create a partner key; it is printed once, only its hash is kept") { name };
        add.SetAction((run, ct) => WithDatabase(run, connection, async source =>
        {
            var key = await new ApiKeyRepository(source).AddAsync(run.GetRequiredValue(name), ct);
            if (key is null)
            {
                log.WriteLine($"error: a key named '{run.GetValue(name)}' exists; revoke it or choose another name");
                return ExitCodes.CouldNotRun;
            }
            output.WriteLine($"key '{run.GetValue(name)}' created; it is shown only now, store it safely:");
            output.WriteLine(key);
            return ExitCodes.Loaded;
        }));
        var list = new Command("list", "the keys, when they were created and revoked");
        list.SetAction((run, ct) => WithDatabase(run, connection, async source =>
        {
            foreach (var row in await new ApiKeyRepository(source).ListAsync(ct))
            {
                output.WriteLine($"{row.Name,-30} created {row.CreatedAt:u}  {(row.RevokedAt is { } at ? $"revoked {at:u}" : "active")}");
            }
            return ExitCodes.Loaded;
        }));
        var revoke = new Command("revoke", "revoke a key (the API refuses it within 30 seconds)") { name };
        revoke.SetAction((run, ct) => WithDatabase(run, connection, async source =>
        {
            if (await new ApiKeyRepository(source).RevokeAsync(run.GetRequiredValue(name), ct))
            {
                output.WriteLine($"key '{run.GetValue(name)}' revoked");
                return ExitCodes.Loaded;
            }
            log.WriteLine($"error: no active key named '{run.GetValue(name)}'");
            return ExitCodes.CouldNotRun;
        }));

        return new RootCommand("""
            Loads article documents into PostgreSQL and manages partner keys.
            Exit codes: 0 all loaded, 1 some documents rejected, 2 could not run, 3 interrupted (rerun to finish).
            """)
        {
            connection, retries, migrate, ingest, new Command("keys", "partner keys for the feeds") { add, list, revoke },
        };
    }

    private static Option<int> Number(string name, string description, int byDefault, int min, int max) => new(name)
    {
        Description = $"{description}, {min}-{max}",
        DefaultValueFactory = _ => byDefault,
        CustomParser = result =>
        {
            if (int.TryParse(result.Tokens.Single().Value, out var n) && n >= min && n <= max)
            {
                return n;
            }
            result.AddError($"{name} takes a whole number from {min} to {max}");
            return byDefault;
        },
    };

    // The job writes through one connection it holds for the run: no pool to keep locks alive behind its back.
    // Given several hosts, it (and migrate) only ever uses the primary.
    private static async Task<int> WithDatabase(ParseResult run, Option<string?> connection, Func<NpgsqlDataSource, Task<int>> action)
    {
        if (string.IsNullOrWhiteSpace(run.GetValue(connection)))
        {
            throw new UsageException("no database: set ConnectionStrings__Articles or pass --connection");
        }
        var builder = new NpgsqlConnectionStringBuilder(run.GetValue(connection)) { Pooling = false };
        // Server-side keepalives: if the job's host vanishes, PostgreSQL ends its session (and frees the run's
        // advisory lock) within about 90 s instead of the kernel's two hours.
        builder.Options = $"{builder.Options} -c tcp_keepalives_idle=60 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3".Trim();
        await using var dataSource = ArticlesDatabase.CreateDataSource(builder.ConnectionString, "articles-ingest", primaryOnly: true);
        return await action(dataSource);
    }
}
