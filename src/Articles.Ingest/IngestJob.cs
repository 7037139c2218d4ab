using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Articles.Ingest.Reading;
using Articles.Ingest.Writing;
using Npgsql;

namespace Articles.Ingest;

internal sealed record IngestOptions(
    IReadOnlyList<string> Paths, bool DryRun, string? ReportPath, int BatchSize, int Retries, TimeSpan LockWait, bool Full = false)
{
    // How long one file may take to read (a stalled network mount) before it is rejected and abandoned.
    public TimeSpan FileTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

// One run: files are read in parallel batches while the previous batch is written, one transaction each.
internal sealed class IngestJob(
    NpgsqlDataSource dataSource, IngestOptions options, TextWriter output, TextWriter log, bool interactive, Func<string, Stream>? openFile = null)
{
    // Reads stuck in the kernel cannot be cancelled, only left behind; past this many the file system is not usable.
    private const int MaxAbandonedReads = 16;
    private const int AnalyzeAfterWrites = 1_000;
    // The writer's awaits resume on the thread pool: parsing on every core starved them (a 500-URL lookup took
    // ~60 ms a batch against under 20 ms on the server), so one core is left to the writer.
    private static readonly int ReaderThreads = Math.Max(1, Environment.ProcessorCount - 1);
    private const int OpenSlice = 64;
    // Past this many bytes of files a batch ends early, whatever --batch-size says (see SourceFiles.Batches).
    private const long MaxBatchBytes = 32L * 1024 * 1024;
    private readonly DocumentReader _reader = new(new DocumentValidator(TimeProvider.System), openFile);
    private int _abandonedReads;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly RunCounts _counts = new();
    private readonly List<Reject> _rejects = [];
    private readonly List<string> _warnings = [];
    // Topics and providers a committed batch wrote an article into or out of: recounted once, at the end of the run.
    private readonly HashSet<int> _topics = [];
    private readonly HashSet<int> _providers = [];
    private Progress _progress = null!;
    private IReadOnlyDictionary<string, LoadedFile> _loaded = new Dictionary<string, LoadedFile>();

    public async Task<int> RunAsync(CancellationToken stop)
    {
        var (files, ignored) = SourceFiles.Find(options.Paths);
        _counts.Files = files.Count;
        _counts.Ignored = ignored.Count;
        _progress = new Progress(log, interactive, files.Count);
        foreach (var entry in ignored)
        {
            _progress.Log($"ignored {entry.Path}: {entry.Kind}");
        }
        var startedAt = DateTimeOffset.UtcNow;

        await using var db = await JobConnection.OpenAsync(dataSource, options.Retries, options.LockWait, _progress.Log, stop);
        // A dry run is one transaction that is rolled back at the end: it reports exactly what a real run would do.
        var dryRun = options.DryRun ? await db.Connection.BeginTransactionAsync(stop) : null;
        var runId = await RunRecorder.StartAsync(db.Connection, options.Paths.Select(Path.GetFullPath).ToList(), files.Count, ignored.Count, stop);
        // Files whose bytes are as last loaded are not parsed again (--full reads everything).
        if (!options.Full)
        {
            _loaded = await db.Store.LoadFilesAsync(dryRun, stop);
        }
        _progress.Log($"run {runId}{(options.DryRun ? " (dry run)" : "")}: {files.Count:N0} files");

        string status;
        string? error = null;
        try
        {
            await foreach (var batch in ReadBatchesAsync(files, stop))
            {
                await WriteBatchAsync(db, runId, batch, dryRun, stop);
                _progress.Report(_counts.Read);
            }
            await RecountAsync(db, runId, dryRun, stop);
            status = "completed";
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            (status, error) = ("interrupted", "stopped by a signal; rerun to finish");
        }
        catch (NpgsqlException e)
        {
            (status, error) = ("failed", $"the database failed and retries ran out: {e.Message}");
        }
        catch (JobException e)
        {
            (status, error) = ("failed", e.Message);
        }
        _progress.Report(_counts.Read, final: true);
        if (!_counts.Balances)
        {
            (status, error) = ("failed", "the counts do not add up to the documents read");
        }

        await FinishAsync(db, runId, dryRun, status, error);
        await AnalyzeAsync(db, dryRun);
        var summary = new RunSummary(runId, status, options.DryRun, startedAt, DateTimeOffset.UtcNow, _progress.Elapsed,
            _counts, _rejects, _warnings, ignored, error);
        summary.Print(output);
        if (options.ReportPath is not null)
        {
            await summary.WriteJsonAsync(options.ReportPath);
        }
        return status switch
        {
            "completed" => _counts.Rejected > 0 ? ExitCodes.SomeRejected : ExitCodes.Loaded,
            "interrupted" => ExitCodes.Interrupted,
            _ => ExitCodes.CouldNotRun,
        };
    }

    private async IAsyncEnumerable<ReadResult[]> ReadBatchesAsync(IReadOnlyList<string> files, [EnumeratorCancellation] CancellationToken ct)
    {
        // Two batches read ahead at most: memory stays flat however many files there are.
        var channel = Channel.CreateBounded<ReadResult[]>(2);
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var chunk in SourceFiles.Batches(files, options.BatchSize, MaxBatchBytes))
                {
                    var results = new ReadResult[chunk.Length];
                    // Reading and hashing is cheap and decides every file a rerun skips, so it takes every core; parsing
                    // leaves one to the writer. In slices, so at most a slice of files' bytes is held at once.
                    for (var start = 0; start < chunk.Length; start += OpenSlice)
                    {
                        var opened = OpenWithin(chunk[start..Math.Min(start + OpenSlice, chunk.Length)], ct);
                        Parallel.For(0, opened.Length, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = ReaderThreads },
                            i => results[start + i] = opened[i].Done ?? _reader.Parse(opened[i].File!));
                    }
                    await channel.Writer.WriteAsync(results, ct);
                }
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, ct);
        await foreach (var batch in channel.Reader.ReadAllAsync(ct))
        {
            yield return batch;
        }
        await producer;
    }

    // A slice's files opened on the thread pool, given --file-timeout together: one wait a slice, and the files a
    // stalled read keeps from finishing in time are rejected and their reads left behind.
    private (ReadResult? Done, FileBytes? File)[] OpenWithin(string[] paths, CancellationToken ct)
    {
        var opens = paths.Select(path => Task.Run(() => _reader.Open(path, _loaded), CancellationToken.None)).ToArray();
        if (Task.WhenAll(opens).Wait(options.FileTimeout, ct))
        {
            return [.. opens.Select(o => o.Result)];
        }
        return [.. opens.Select((open, i) => open.IsCompletedSuccessfully ? open.Result : Abandon(paths[i]))];
    }

    private (ReadResult? Done, FileBytes? File) Abandon(string path)
    {
        if (Interlocked.Increment(ref _abandonedReads) > MaxAbandonedReads)
        {
            throw new JobException($"more than {MaxAbandonedReads} files took over {options.FileTimeout.TotalSeconds:N0} s to read; " +
                "the file system is not answering");
        }
        return (DocumentReader.Reject(path, [], new Problem(null,
            $"reading the file took over {options.FileTimeout.TotalSeconds:N0} s (a stalled mount?); it was abandoned")), null);
    }

    private async Task WriteBatchAsync(JobConnection db, long runId, ReadResult[] batch, NpgsqlTransaction? dryRun, CancellationToken ct)
    {
        var documents = batch.Where(r => r.Document is not null).Select(r => r.Document!).ToList();
        var skipped = batch.Where(r => r.SkippedUrl is not null).Select(r => r.SkippedUrl!).ToList();
        var rejects = batch.Where(r => r.Document is null).SelectMany(r => r.Problems.Select(p => new Reject(r.Path, p))).ToList();
        var urls = documents.Select(d => d.CanonicalUrl).Distinct(StringComparer.Ordinal).ToList();
        for (var attempt = 1; ; attempt++)
        {
            NpgsqlTransaction? tx = null;
            try
            {
                tx = dryRun ?? await db.Connection.BeginTransactionAsync(ct);
                var stored = await db.Store.LoadAsync(urls, tx, ct);
                var rivals = BatchPlan.RivalPaths(documents, stored).Select(_reader.Read)
                    .Where(r => r.Document is not null && urls.Contains(r.Document.CanonicalUrl)).ToList();
                var plan = BatchPlan.Create(documents, stored, _seen, rivals.Select(r => r.Document!).ToList(), skipped);
                var touched = await db.Store.WriteAsync(plan, tx, ct);
                await db.Store.RecordFilesAsync(batch.Concat(rivals), tx, ct);
                var counts = Count(batch, plan);
                await RunRecorder.RecordBatchAsync(db.Connection, runId, counts, rejects, tx, ct);
                if (dryRun is null)
                {
                    await tx.CommitAsync(ct);
                }
                // Only a committed batch counts, so a retried one is never counted twice.
                _seen.UnionWith(plan.Urls);
                _topics.UnionWith(touched.Topics);
                _providers.UnionWith(touched.Providers);
                _counts.Add(counts);
                Report(batch, rejects);
                if (!interactive)
                {
                    // A line a batch for logs and schedulers; a terminal gets the bar instead.
                    _progress.Log($"batch committed: read {counts.Read}, inserted {counts.Inserted}, updated {counts.Updated}, " +
                        $"unchanged {counts.Unchanged}, merged {counts.Merged}, rejected {counts.Rejected}; run total read {_counts.Read:N0}");
                }
                return;
            }
            catch (NpgsqlException e) when (dryRun is null && e.IsTransient && attempt <= options.Retries && !ct.IsCancellationRequested)
            {
                _progress.Log($"batch failed ({e.Message}); reconnecting, attempt {attempt} of {options.Retries}");
            }
            finally
            {
                if (dryRun is null && tx is not null)
                {
                    await tx.DisposeAsync();
                }
            }
            await db.ReconnectAsync(ct);
        }
    }

    private static RunCounts Count(ReadResult[] batch, BatchPlan plan)
    {
        var counts = new RunCounts { Warnings = batch.Sum(r => r.Warnings.Count), Skipped = batch.Count(r => r.SkippedUrl is not null) };
        foreach (var outcome in plan.Outcomes)
        {
            counts.Count(outcome);
        }
        var rejected = batch.Count(r => r.Document is null && r.SkippedUrl is null);
        counts.Read += rejected;
        counts.Rejected += rejected;
        return counts;
    }

    private void Report(ReadResult[] batch, List<Reject> rejects)
    {
        foreach (var reject in rejects)
        {
            _progress.Log($"rejected {reject.Path}: {reject.Problem}");
        }
        _rejects.AddRange(rejects);
        foreach (var result in batch)
        {
            foreach (var warning in result.Warnings)
            {
                _progress.Log($"warning {result.Path}: {warning}");
                _warnings.Add($"{result.Path}: {warning}");
            }
        }
    }

    // Per-batch recounts read every article of a touched topic again, which grew with the square of the run. A run
    // marked completed has recounted; after one that was not (killed, failed, interrupted), everything is recounted.
    private async Task RecountAsync(JobConnection db, long runId, NpgsqlTransaction? dryRun, CancellationToken ct)
    {
        var all = !await RunRecorder.PreviousCompletedAsync(db.Connection, runId, dryRun, ct);
        await using var tx = dryRun is null ? await db.Connection.BeginTransactionAsync(ct) : null;
        await db.Store.RecountAsync(all ? null : [.. _topics], all ? null : [.. _providers], dryRun ?? tx!, ct);
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }
    }

    // Fresh statistics after a bulk write, or the API's first queries plan as if the tables were empty. Only the tables
    // whose statistics steer the API's plans: images and related links are only ever read by article id, and
    // sampling them took half the ANALYZE (about 1 s of 2 at 100k documents); autovacuum gets to them.
    private async Task AnalyzeAsync(JobConnection db, NpgsqlTransaction? dryRun)
    {
        if (dryRun is not null || _counts.Inserted + _counts.Updated < AnalyzeAfterWrites)
        {
            return;
        }
        try
        {
            await using var command = new NpgsqlCommand(
                "ANALYZE articles, article_topics, topics, providers, article_changes", db.Connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            _progress.Log($"could not refresh the planner's statistics (autovacuum will): {e.Message}");
        }
    }

    private async Task FinishAsync(JobConnection db, long runId, NpgsqlTransaction? dryRun, string status, string? error)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            if (dryRun is not null)
            {
                await dryRun.RollbackAsync(timeout.Token);
                return;
            }
            await RunRecorder.FinishAsync(db.Connection, runId, status, error, timeout.Token);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            _progress.Log($"could not record the end of run {runId}: {e.Message}");
        }
    }
}
