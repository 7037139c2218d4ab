using Articles.Ingest.Reading;
using Articles.Ingest.Writing;
using Dapper;
using Npgsql;

namespace Articles.Ingest;

// One run: files are read in parallel batches while the previous batch is written, one transaction each.
internal sealed class IngestJob(
    NpgsqlDataSource dataSource, IngestOptions options, TextWriter output, TextWriter log, bool interactive, Func<string, Stream>? openFile = null)
{
    private const int AnalyzeAfterWrites = 1_000;
    private readonly BatchReader _reader = new(options, openFile);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly RunCounts _counts = new();
    private readonly List<Reject> _rejects = [];
    private readonly List<string> _warnings = [];
    // Topics and providers a committed batch wrote an article into or out of: recounted once, at the end of the run.
    private readonly HashSet<int> _topics = [];
    private readonly HashSet<int> _providers = [];
    private Progress _progress = null!;

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
        var writer = await BatchWriter.StartAsync(db, options.DryRun, stop);
        var runId = await RunRecorder.StartAsync(db.Connection, options.Paths.Select(Path.GetFullPath).ToList(), files.Count, ignored.Count, stop);
        // Files whose bytes are as last loaded are not parsed again (--full reads everything).
        if (!options.Full)
        {
            _reader.Loaded = await db.Files.LoadFilesAsync(writer.Current, stop);
        }
        _progress.Log($"run {runId}{(options.DryRun ? " (dry run)" : "")}: {files.Count:N0} files");

        string status;
        string? error = null;
        try
        {
            await foreach (var batch in _reader.ReadBatchesAsync(files, stop))
            {
                await WriteBatchAsync(db, writer, runId, batch, stop);
                _progress.Report(_counts.Read);
            }
            await RecountAsync(db, writer, runId, stop);
            status = "completed";
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            (status, error) = ("interrupted", "stopped by a signal; rerun to finish");
        }
        catch (Exception e) when (e is NpgsqlException or JobException)
        {
            (status, error) = ("failed", e is JobException ? e.Message : $"the database failed and retries ran out: {e.Message}");
        }
        _progress.Report(_counts.Read, final: true);
        if (!_counts.Balances)
        {
            (status, error) = ("failed", "the counts do not add up to the documents read");
        }

        await FinishAsync(db, writer, runId, status, error);
        await AnalyzeAsync(db, writer);
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

    private async Task WriteBatchAsync(JobConnection db, BatchWriter writer, long runId, ReadResult[] batch, CancellationToken ct)
    {
        var documents = batch.Where(r => r.Document is not null).Select(r => r.Document!).ToList();
        var skipped = batch.Where(r => r.SkippedUrl is not null).Select(r => r.SkippedUrl!).ToList();
        var rejects = batch.Where(r => r.Document is null).SelectMany(r => r.Problems.Select(p => new Reject(r.Path, p))).ToList();
        var urls = documents.Select(d => d.CanonicalUrl).Distinct(StringComparer.Ordinal).ToList();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (plan, touched, counts) = await writer.InTransactionAsync(async tx =>
                {
                    var stored = await db.Store.LoadAsync(urls, tx, ct);
                    var rivals = BatchPlan.RivalPaths(documents, stored).Select(_reader.Read)
                        .Where(r => r.Document is not null && urls.Contains(r.Document.CanonicalUrl)).ToList();
                    var plan = BatchPlan.Create(documents, stored, _seen, rivals.Select(r => r.Document!).ToList(), skipped);
                    var touched = await db.Store.WriteAsync(plan, tx, ct);
                    await db.Files.RecordFilesAsync(batch.Concat(rivals), tx, ct);
                    var counts = RunCounts.Of(batch, plan);
                    await RunRecorder.RecordBatchAsync(db.Connection, runId, counts, rejects, tx, ct);
                    return (plan, touched, counts);
                }, ct);
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
            // A dry run's transaction cannot be resumed on a new connection.
            catch (NpgsqlException e) when (!writer.DryRun && e.IsTransient && attempt <= options.Retries && !ct.IsCancellationRequested)
            {
                _progress.Log($"batch failed ({e.Message}); reconnecting, attempt {attempt} of {options.Retries}");
            }
            await db.ReconnectAsync(ct);
        }
    }

    private void Report(ReadResult[] batch, List<Reject> rejects)
    {
        foreach (var reject in rejects)
        {
            _progress.Log($"rejected {reject.Path}: {reject.Problem}");
        }
        _rejects.AddRange(rejects);
        foreach (var warning in batch.SelectMany(r => r.Warnings.Select(w => $"{r.Path}: {w}")))
        {
            _progress.Log($"warning {warning}");
            _warnings.Add(warning);
        }
    }

    // Per-batch recounts read every article of a touched topic again, which grew with the square of the run. A run
    // marked completed has recounted; after one that was not (killed, failed, interrupted), everything is recounted.
    private async Task RecountAsync(JobConnection db, BatchWriter writer, long runId, CancellationToken ct)
    {
        var all = !await RunRecorder.PreviousCompletedAsync(db.Connection, runId, writer.Current, ct);
        await writer.InTransactionAsync(async tx =>
        {
            await db.Store.RecountAsync(all ? null : [.. _topics], all ? null : [.. _providers], tx, ct);
            return true;
        }, ct);
    }

    // Fresh statistics after a bulk write, or the API's first queries plan as if the tables were empty; only the
    // tables whose statistics steer the API's plans (images and related links are read by article id alone).
    private async Task AnalyzeAsync(JobConnection db, BatchWriter writer)
    {
        if (writer.DryRun || _counts.Inserted + _counts.Updated < AnalyzeAfterWrites)
        {
            return;
        }
        try
        {
            await db.Connection.ExecuteAsync("ANALYZE articles, article_topics, topics, providers, article_changes");
        }
        catch (NpgsqlException e)
        {
            _progress.Log($"could not refresh the planner's statistics (autovacuum will): {e.Message}");
        }
    }

    private async Task FinishAsync(JobConnection db, BatchWriter writer, long runId, string status, string? error)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await (writer.DryRun ? writer.RollBackAsync(timeout.Token) : RunRecorder.FinishAsync(db.Connection, runId, status, error, timeout.Token));
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            _progress.Log($"could not record the end of run {runId}: {e.Message}");
        }
    }
}
