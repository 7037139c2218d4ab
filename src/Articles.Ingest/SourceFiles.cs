namespace Articles.Ingest;

// The files a run reads, in one deterministic order whatever the file system lists first.
internal static class SourceFiles
{
    private static readonly string[] Extensions = [".md", ".markdown", ".txt"];

    public static IReadOnlyList<string> Find(IEnumerable<string> paths)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(path);
            if (File.Exists(full))
            {
                files.Add(full);
            }
            else if (Directory.Exists(full))
            {
                var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden };
                files.UnionWith(Directory.EnumerateFiles(full, "*", options).Where(IsDocument));
            }
            else
            {
                throw new UsageException($"no such file or directory: {path}");
            }
        }
        return [.. files];
    }

    // Batches of at most maxFiles files and, past the first file, maxBytes bytes: memory follows the bytes (a batch
    // of 2,000 files of ~116 KB, two more read ahead, took the job to 1.3 GB), and the count alone does not bound them.
    public static IEnumerable<string[]> Batches(IReadOnlyList<string> files, int maxFiles, long maxBytes)
    {
        var batch = new List<string>(Math.Min(maxFiles, files.Count));
        long bytes = 0;
        foreach (var file in files)
        {
            var size = SizeOf(file);
            if (batch.Count == maxFiles || (batch.Count > 0 && bytes + size > maxBytes))
            {
                yield return [.. batch];
                (batch, bytes) = ([], 0);
            }
            batch.Add(file);
            bytes += size;
        }
        if (batch.Count > 0)
        {
            yield return [.. batch];
        }
    }

    // A file that cannot be read counts as empty here; reading it reports why.
    private static long SizeOf(string file)
    {
        try
        {
            return new FileInfo(file).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    // Directory scans take document files and leave READMEs and hidden files alone.
    private static bool IsDocument(string path)
    {
        var name = Path.GetFileName(path);
        return !name.StartsWith('.')
            && !name.StartsWith("README", StringComparison.OrdinalIgnoreCase)
            && Extensions.Contains(Path.GetExtension(name), StringComparer.OrdinalIgnoreCase);
    }
}
