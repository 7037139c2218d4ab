using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Articles.Ingest.Reading;

// Reads the run's files in batches on the thread pool, a batch ahead of the writer.
internal sealed class BatchReader(IngestOptions options, Func<string, Stream>? openFile)
{
    // Reads stuck in the kernel cannot be cancelled, only left behind; past this many the file system is not usable.
    private const int MaxAbandonedReads = 16;
    // The writer's awaits resume on the thread pool: parsing on every core starved them, so one core is left to it.
    private static readonly int ReaderThreads = Math.Max(1, Environment.ProcessorCount - 1);
    private const int OpenSlice = 64;
    // Past this many bytes of files a batch ends early, whatever --batch-size says (see SourceFiles.Batches).
    private const long MaxBatchBytes = 32L * 1024 * 1024;
    private readonly DocumentReader _reader = new(new DocumentValidator(TimeProvider.System), openFile);
    private int _abandonedReads;

    // Files whose bytes are as last loaded: not parsed again.
    public IReadOnlyDictionary<string, LoadedFile> Loaded { get; set; } = new Dictionary<string, LoadedFile>();

    public ReadResult Read(string path) => _reader.Read(path);

    public async IAsyncEnumerable<ReadResult[]> ReadBatchesAsync(IReadOnlyList<string> files, [EnumeratorCancellation] CancellationToken ct)
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
                        var opened = await OpenWithinAsync(chunk[start..Math.Min(start + OpenSlice, chunk.Length)], ct);
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
    private async Task<(ReadResult? Done, FileBytes? File)[]> OpenWithinAsync(string[] paths, CancellationToken ct)
    {
        var opens = paths.Select(path => Task.Run(() => _reader.Open(path, Loaded), CancellationToken.None)).ToArray();
        try
        {
            // Awaited, not waited on: a pool thread blocked here, beside one a stalled read holds, left the other opens
            // waiting for the pool to grow (on two cores, past the timeout).
            await Task.WhenAll(opens).WaitAsync(options.FileTimeout, ct);
            return [.. opens.Select(o => o.Result)];
        }
        catch (TimeoutException)
        {
            return [.. opens.Select((open, i) => open.IsCompletedSuccessfully ? open.Result : Abandon(paths[i]))];
        }
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
}
