using System.Text.Json;
using System.Text.Json.Serialization;
using Articles.Ingest.Writing;

namespace Articles.Ingest;

// What a run did: printed for operators, and the same as JSON with --report.
internal sealed record RunSummary(
    long RunId, string Status, bool DryRun, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, TimeSpan Elapsed,
    RunCounts Counts, IReadOnlyList<Reject> Rejects, IReadOnlyList<string> Warnings, IReadOnlyList<IgnoredEntry> Ignored, string? Error)
{
    public double DocumentsPerSecond => Counts.Read / Math.Max(Elapsed.TotalSeconds, 0.001);

    public void Print(TextWriter output)
    {
        var c = Counts;
        output.WriteLine($"run {RunId} {Status}{(DryRun ? " (dry run: nothing was written)" : "")}");
        output.WriteLine($"  read {c.Read:N0}  inserted {c.Inserted:N0}  updated {c.Updated:N0}  unchanged {c.Unchanged:N0}  " +
            $"merged {c.Merged:N0}  rejected {c.Rejected:N0}  warnings {c.Warnings:N0}");
        if (c.Skipped > 0)
        {
            output.WriteLine($"  skipped {c.Skipped:N0} files already loaded byte for byte (counted above as unchanged or merged)");
        }
        if (c.Ignored > 0)
        {
            output.WriteLine($"  ignored {c.Ignored:N0} entries that are not documents to read (each logged above with its kind)");
        }
        output.WriteLine($"  elapsed {Elapsed.TotalSeconds:N1}s  rate {DocumentsPerSecond:N0} documents/s");
        if (Error is not null)
        {
            output.WriteLine($"  {Error}");
        }
    }

    public async Task WriteJsonAsync(string path)
    {
        var report = new RunReport(RunId, Status, DryRun, StartedAt, FinishedAt, Math.Round(Elapsed.TotalSeconds, 3),
            Math.Round(DocumentsPerSecond, 1), Counts.Files, Counts.Read, Counts.Inserted, Counts.Updated, Counts.Unchanged,
            Counts.Merged, Counts.Rejected, Counts.Skipped, Counts.Ignored, Error,
            Rejects.Select(r => new RejectReport(r.Path, r.Problem.Field, r.Problem.Reason, r.Problem.Line, r.Problem.Column)).ToList(),
            Warnings, Ignored);
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, report, ReportJson.Default.RunReport);
    }
}

internal sealed record RunReport(
    long RunId, string Status, bool DryRun, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, double ElapsedSeconds,
    double DocumentsPerSecond, int Files, int Read, int Inserted, int Updated, int Unchanged, int Merged, int Rejected,
    int Skipped, int Ignored, string? Error, IReadOnlyList<RejectReport> Rejects, IReadOnlyList<string> Warnings,
    IReadOnlyList<IgnoredEntry> IgnoredEntries);

internal sealed record RejectReport(string Path, string? Field, string Reason, int? Line, int? Column);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(RunReport))]
internal sealed partial class ReportJson : JsonSerializerContext;
