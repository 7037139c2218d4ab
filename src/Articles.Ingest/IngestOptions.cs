namespace Articles.Ingest;

internal sealed record IngestOptions(
    IReadOnlyList<string> Paths, bool DryRun, string? ReportPath, int BatchSize, int Retries, TimeSpan LockWait, bool Full = false)
{
    // How long one file may take to read (a stalled network mount) before it is rejected and abandoned.
    public TimeSpan FileTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
