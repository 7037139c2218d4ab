namespace Articles.Ingest.Tests;

// A batch ends at its file count or its byte budget, whichever comes first, so large files cannot pile up in memory.
public sealed class SourceFilesTests : IDisposable
{
    private readonly DocumentFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Batches_end_at_the_file_count_or_the_byte_budget_and_keep_every_file_in_order()
    {
        // Sizes in bytes: small ones fill batches by count, large ones by bytes; one is over the budget alone.
        int[] sizes = [10, 10, 10, 10, 10, 60, 60, 10, 200, 10, 10];
        var files = sizes.Select((size, i) => _folder.Write($"{i:D2}.md", new string('x', size))).ToList();

        var batches = SourceFiles.Batches(files, maxFiles: 3, maxBytes: 100).ToList();

        Assert.Equal([3, 3, 2, 1, 2], batches.Select(b => b.Length));
        Assert.Equal(files, batches.SelectMany(b => b));
    }

    [Fact]
    public void A_missing_file_counts_as_empty_and_stays_in_its_batch()
    {
        var files = new[] { _folder.Write("a.md", "a"), Path.Combine(_folder.Path, "gone.md"), _folder.Write("b.md", "b") };

        Assert.Equal([files], SourceFiles.Batches(files, maxFiles: 10, maxBytes: 100));
    }
}
