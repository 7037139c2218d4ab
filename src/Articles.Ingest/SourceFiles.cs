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

    // Directory scans take document files and leave READMEs and hidden files alone.
    private static bool IsDocument(string path)
    {
        var name = Path.GetFileName(path);
        return !name.StartsWith('.')
            && !name.StartsWith("README", StringComparison.OrdinalIgnoreCase)
            && Extensions.Contains(Path.GetExtension(name), StringComparer.OrdinalIgnoreCase);
    }
}
