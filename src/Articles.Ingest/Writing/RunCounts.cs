using Articles.Ingest.Reading;

namespace Articles.Ingest.Writing;

internal sealed class RunCounts
{
    public int Files { get; set; }
    public int Read { get; set; }
    public int Inserted { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }
    public int Merged { get; set; }
    public int Rejected { get; set; }
    public int Warnings { get; set; }
    // Files whose bytes were loaded before: counted as unchanged or merged without being parsed.
    public int Skipped { get; set; }
    // Entries found but not read: not regular files, directory symlinks, second paths to a file. Not documents.
    public int Ignored { get; set; }

    // The job's promise: every document read is accounted for exactly once.
    public bool Balances => Read == Inserted + Updated + Unchanged + Merged + Rejected;

    public void Add(RunCounts other)
    {
        Read += other.Read;
        Inserted += other.Inserted;
        Updated += other.Updated;
        Unchanged += other.Unchanged;
        Merged += other.Merged;
        Rejected += other.Rejected;
        Warnings += other.Warnings;
        Skipped += other.Skipped;
    }

    // One batch's counts: each planned document's outcome, and the files it could not read as documents.
    public static RunCounts Of(ReadResult[] batch, BatchPlan plan)
    {
        var rejected = batch.Count(r => r.Document is null && r.SkippedUrl is null);
        return new RunCounts
        {
            Read = plan.Outcomes.Count + rejected,
            Inserted = plan.Outcomes.Count(o => o == Outcome.Inserted),
            Updated = plan.Outcomes.Count(o => o == Outcome.Updated),
            Unchanged = plan.Outcomes.Count(o => o == Outcome.Unchanged),
            Merged = plan.Outcomes.Count(o => o == Outcome.Merged),
            Rejected = rejected,
            Warnings = batch.Sum(r => r.Warnings.Count),
            Skipped = batch.Count(r => r.SkippedUrl is not null),
        };
    }
}

internal sealed record Reject(string Path, Problem Problem);
