using Mono.Unix.Native;

namespace Articles.Ingest;

// An entry a run found but does not read, and why.
internal sealed record IgnoredEntry(string Path, string Kind);

// The files a run reads, in one deterministic order whatever the file system lists first, and what it leaves alone.
internal static class SourceFiles
{
    private static readonly string[] Extensions = [".md", ".markdown", ".txt"];

    // Only regular files (or symlinks to them) are read, each once, under the first of its paths in ordinal order.
    // Directory symlinks are not followed, so a walk cannot loop; FIFOs, sockets and devices are never opened.
    public static (IReadOnlyList<string> Files, IReadOnlyList<IgnoredEntry> Ignored) Find(IEnumerable<string> paths)
    {
        var candidates = new SortedSet<string>(StringComparer.Ordinal);
        var ignored = new List<IgnoredEntry>();
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                Walk(full, candidates, ignored);
            }
            else if (File.Exists(full) || Syscall.lstat(full, out _) == 0)
            {
                candidates.Add(full);
            }
            else
            {
                throw new UsageException($"no such file or directory: {path}");
            }
        }

        var files = new List<string>(candidates.Count);
        var firstPath = new Dictionary<(ulong, ulong), string>();
        foreach (var file in candidates)
        {
            // A name that is not UTF-8 cannot be opened by the name .NET decoded (U+FFFD in place of its bytes): the
            // reader rejects it with that reason. So does a broken symlink (stat fails): it cannot be read.
            if (file.Contains('\uFFFD') || Syscall.stat(file, out var status) != 0)
            {
                files.Add(file);
                continue;
            }
            if (Kind(status.st_mode) is { } kind)
            {
                ignored.Add(new IgnoredEntry(file, kind));
            }
            else if (firstPath.TryGetValue((status.st_dev, status.st_ino), out var first))
            {
                ignored.Add(new IgnoredEntry(file, $"the same file as {first}"));
            }
            else
            {
                firstPath.Add((status.st_dev, status.st_ino), file);
                files.Add(file);
            }
        }
        return (files, ignored.OrderBy(i => i.Path, StringComparer.Ordinal).ToList());
    }

    private static void Walk(string root, SortedSet<string> candidates, List<IgnoredEntry> ignored)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = FileAttributes.Hidden, IgnoreInaccessible = true };
        var directories = new Stack<string>([root]);
        while (directories.TryPop(out var directory))
        {
            List<string> entries;
            try
            {
                entries = [.. Directory.EnumerateFileSystemEntries(directory, "*", options)];
            }
            catch (DirectoryNotFoundException)
            {
                // Removed after the walk saw it (another process cleaning up): nothing in it can be read now.
                ignored.Add(new IgnoredEntry(directory, "a directory removed while the job was reading the tree"));
                continue;
            }
            foreach (var entry in entries)
            {
                // One lstat an entry; only a symbolic link needs a second look, at what it points to.
                var type = Syscall.lstat(entry, out var own) == 0 ? own.st_mode & FilePermissions.S_IFMT : default;
                if (type == FilePermissions.S_IFDIR)
                {
                    directories.Push(entry);
                }
                else if (type == FilePermissions.S_IFLNK && Directory.Exists(entry))
                {
                    ignored.Add(new IgnoredEntry(entry, "a symbolic link to a directory (not followed)"));
                }
                else if (IsDocument(entry))
                {
                    candidates.Add(entry);
                }
            }
        }
    }

    // Null for a regular file; else what the entry is.
    private static string? Kind(FilePermissions mode) => (mode & FilePermissions.S_IFMT) switch
    {
        FilePermissions.S_IFREG => null,
        FilePermissions.S_IFIFO => "a FIFO (named pipe)",
        FilePermissions.S_IFSOCK => "a socket",
        FilePermissions.S_IFCHR => "a character device",
        FilePermissions.S_IFBLK => "a block device",
        FilePermissions.S_IFDIR => "a directory",
        _ => "not a regular file",
    };

    // Batches of at most maxFiles files and, past the first file, maxBytes bytes: memory follows the bytes, which the
    // count alone does not bound.
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
