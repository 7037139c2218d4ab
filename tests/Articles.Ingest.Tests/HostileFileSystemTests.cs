using System.Diagnostics;
using Articles.Data;
using Articles.Ingest.Reading;
using Articles.Testing;
using Dapper;
using Mono.Unix.Native;

namespace Articles.Ingest.Tests;

// Entries an operator's folder can hold besides documents: the job reads regular files only, each once, never blocks
// on one, and accounts for every entry.
public sealed class HostileFileSystemTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly DocumentFolder _folder = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    // rm: .NET cannot name the file whose name is not UTF-8, so it cannot delete the folder.
    public void Dispose() => Shell($"rm -rf '{_folder.Path}'");

    [Fact]
    public async Task Odd_entries_are_ignored_or_rejected_with_a_reason_and_the_run_never_hangs()
    {
        for (var i = 0; i < 5; i++)
        {
            _folder.Write($"good-{i}.md", Documents.Valid(url: $"https://example.com/{i}"));
        }
        var dir = _folder.Path;
        Assert.Equal(0, Syscall.mkfifo(Path.Combine(dir, "fifo.md"), FilePermissions.DEFFILEMODE));
        File.CreateSymbolicLink(Path.Combine(dir, "zero.md"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(dir, "random.md"), "/dev/urandom");
        File.CreateSymbolicLink(Path.Combine(dir, "twin.md"), Path.Combine(dir, "good-0.md"));
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        Directory.CreateSymbolicLink(Path.Combine(dir, "sub", "loop"), "..");
        // A name that is not UTF-8 (byte 0xFF), made by the shell: .NET strings cannot spell it.
        Shell($"printf '%s' x > \"$(printf '{dir}/bad\\377name.md')\"");
        // A file that keeps growing while the job reads it: already past the size cap, and still being written.
        var growing = Path.Combine(dir, "growing.md");
        File.WriteAllText(growing, Documents.Valid(url: "https://example.com/growing") + new string('x', 2 * 1024 * 1024));
        using var stopWriting = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            await using var stream = new FileStream(growing, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            while (!stopWriting.IsCancellationRequested)
            {
                await stream.WriteAsync(new byte[64 * 1024]);
                await Task.Delay(5);
            }
        });

        var clock = Stopwatch.StartNew();
        var run = await Job.RunAsync(_database, "ingest", dir, "--file-timeout", "5");
        clock.Stop();
        await stopWriting.CancelAsync();
        await writer;

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the run took {clock.Elapsed}");
        Assert.Equal(1, run.ExitCode);
        var report = run.Report!;
        Assert.Equal(5, report.Inserted);
        var ignored = report.IgnoredEntries.ToDictionary(e => Path.GetRelativePath(dir, e.Path), e => e.Kind);
        Assert.Equal("a FIFO (named pipe)", ignored["fifo.md"]);
        Assert.Equal("a character device", ignored["zero.md"]);
        Assert.Equal("a character device", ignored["random.md"]);
        Assert.Equal($"the same file as {Path.Combine(dir, "good-0.md")}", ignored["twin.md"]);
        Assert.Equal("a symbolic link to a directory (not followed)", ignored[Path.Combine("sub", "loop")]);
        Assert.Equal(5, report.Ignored);
        var rejects = report.Rejects.ToDictionary(r => Path.GetFileName(r.Path), r => r.Reason);
        Assert.Contains("not valid UTF-8", rejects["bad\uFFFDname.md"]);
        Assert.Contains("-byte limit", rejects["growing.md"]);
        Assert.Equal(2, report.Rejected);
        Assert.Contains("ignored 5 entries", run.Output);
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        Assert.Equal(5, await connection.ExecuteScalarAsync<int>("SELECT ignored FROM ingestion_runs"));
    }

    [Fact]
    public async Task A_read_that_stalls_is_abandoned_after_the_file_timeout()
    {
        _folder.Write("good.md", Documents.Valid(url: "https://example.com/good"));
        _folder.Write("stalls.md", Documents.Valid(url: "https://example.com/stalls"));
        using var never = new ManualResetEventSlim();

        var clock = Stopwatch.StartNew();
        var (exit, log) = await RunAsync(TimeSpan.FromSeconds(1), never, CancellationToken.None);
        never.Set();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the run took {clock.Elapsed}");
        Assert.Equal(1, exit);
        Assert.Contains("stalls.md: reading the file took over 1 s", log);
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        Assert.Equal(["https://example.com/good"], await connection.QueryAsync<string>("SELECT canonical_url FROM articles"));
    }

    [Fact]
    public async Task A_signal_ends_the_run_while_a_read_is_stuck()
    {
        _folder.Write("stalls.md", Documents.Valid(url: "https://example.com/stalls"));
        using var never = new ManualResetEventSlim();
        using var signal = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        var clock = Stopwatch.StartNew();
        var (exit, _) = await RunAsync(TimeSpan.FromMinutes(10), never, signal.Token);
        never.Set();

        Assert.Equal(3, exit);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the run took {clock.Elapsed}");
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        Assert.Equal("interrupted", await connection.ExecuteScalarAsync<string>("SELECT status FROM ingestion_runs"));
    }

    // The job over the folder, where reading stalls.md blocks until `release` is set (as a read stuck in the kernel).
    private async Task<(int Exit, string Log)> RunAsync(TimeSpan fileTimeout, ManualResetEventSlim release, CancellationToken stop)
    {
        var log = new StringWriter();
        var options = new IngestOptions([_folder.Path], DryRun: false, ReportPath: null, BatchSize: 100, Retries: 0,
            LockWait: TimeSpan.FromSeconds(5)) { FileTimeout = fileTimeout };
        await using var dataSource = ArticlesDatabase.CreateDataSource(_database.ConnectionString, "articles-ingest-test", primaryOnly: true);
        var job = new IngestJob(dataSource, options, TextWriter.Null, log, interactive: false,
            openFile: path => path.EndsWith("stalls.md", StringComparison.Ordinal) ? new StallingStream(release) : File.OpenRead(path));
        var exit = await job.RunAsync(stop);
        return (exit, log.ToString());
    }

    private static void Shell(string command)
    {
        using var process = Process.Start("/bin/bash", ["-c", command])!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    // A stream whose reads block until released: what a stalled network mount looks like to the reader.
    private sealed class StallingStream(ManualResetEventSlim release) : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            release.Wait();
            return 0;
        }
    }
}
