using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Articles.Data;

namespace Articles.Ingest.Reading;

internal sealed record Problem(string? Field, string Reason, int? Line = null, int? Column = null)
{
    public override string ToString() =>
        (Line is null ? "" : $"line {Line}, column {Column}: ") + (Field is null ? Reason : $"{Field}: {Reason}");
}

// A document that passed every check, with what identifies it.
internal sealed record ReadDocument(string Path, ArticleDocument Document, string CanonicalUrl, Guid PublicId, byte[] ContentHash)
{
    // Slugs of Document.Topics, in the same order: computed once, used by every write.
    public IReadOnlyList<string> TopicSlugs { get; } = Document.Topics.Select(Identity.Slug).ToList();

    public DateTimeOffset PublishedAt => Document.PublishedAt!.Value;
}

internal sealed record ReadResult(string Path, ReadDocument? Document, IReadOnlyList<Problem> Problems, IReadOnlyList<string> Warnings)
{
    // SHA-256 of the file's bytes, when they could be read.
    public byte[]? FileHash { get; init; }

    // Set when these exact bytes were loaded before: the URL they name. Nothing was parsed, so there is no document.
    public string? SkippedUrl { get; init; }
}

// A file's bytes as read, with their SHA-256.
internal sealed record FileBytes(string Path, byte[] Bytes, byte[] Hash);

// A file as the job last loaded it (the source_files table).
internal sealed record LoadedFile(byte[] FileHash, string CanonicalUrl);

// Reads one file end to end: bytes -> front matter -> YAML tree -> document -> validation. `openFile` is how a file's
// bytes are reached (tests give streams that stall).
internal sealed class DocumentReader(DocumentValidator validator, Func<string, Stream>? openFile = null)
{
    private readonly Func<string, Stream> _openFile = openFile ?? (path =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0));

    // Bump when a change to reading, mapping or validation could turn the same bytes into a different document, or
    // the job starts storing more of a document: files loaded by an older reader are then parsed again instead of
    // skipped, and since the version is part of every content hash, their articles are written again.
    public const int Version = 2;

    private static readonly Dictionary<string, LoadedFile> NoneLoaded = [];

    public ReadResult Read(string path)
    {
        var (done, file) = Open(path, NoneLoaded);
        return done ?? Parse(file!);
    }

    // The cheap half of reading: the file's bytes and their hash, or the result when that already decides it (too
    // large, unreadable, or these exact bytes loaded before, so there is nothing to parse).
    public (ReadResult? Done, FileBytes? File) Open(string path, IReadOnlyDictionary<string, LoadedFile> loaded)
    {
        if (path.Contains('\uFFFD'))
        {
            return (Reject(path, [], new Problem(null,
                "the file name is not valid UTF-8 (shown with U+FFFD for its invalid bytes); rename the file to load it")), null);
        }
        try
        {
            var bytes = ReadCapped(path);
            if (bytes.Length > FrontMatter.MaxFileBytes)
            {
                return (Reject(path, [], new Problem(null,
                    $"file is over the {FrontMatter.MaxFileBytes:N0}-byte limit")), null);
            }
            var fileHash = SHA256.HashData(bytes);
            if (loaded.TryGetValue(path, out var known) && known.FileHash.AsSpan().SequenceEqual(fileHash))
            {
                return (new ReadResult(path, null, [], []) { FileHash = fileHash, SkippedUrl = known.CanonicalUrl }, null);
            }
            return (null, new FileBytes(path, bytes, fileHash));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (Reject(path, [], new Problem(null, $"could not read the file: {e.Message}")), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (Unexpected(path, [], e), null);
        }
    }

    // At most the size cap and one byte, whatever size the file system reports (a file may grow while it is read).
    private byte[] ReadCapped(string path)
    {
        const int cap = FrontMatter.MaxFileBytes + 1;
        using var stream = _openFile(path);
        var buffer = new byte[stream.CanSeek ? (int)Math.Min(stream.Length + 1, cap) : 64 * 1024];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length == cap)
                {
                    break;
                }
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, cap));
            }
            var read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0)
            {
                break;
            }
            length += read;
        }
        Array.Resize(ref buffer, length);
        return buffer;
    }

    public ReadResult Parse(FileBytes file)
    {
        var warnings = new List<string>();
        try
        {
            return Read(file.Path, file.Bytes, warnings) with { FileHash = file.Hash };
        }
        // A document that trips a bug is that document's reject, never the end of the run.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Unexpected(file.Path, warnings, e);
        }
    }

    public ReadResult Read(string path, ReadOnlySpan<byte> bytes, List<string> warnings)
    {
        ArticleDocument document;
        try
        {
            var tree = YamlTree.Parse(FrontMatter.Extract(bytes));
            document = DocumentMapper.Map(tree, warnings);
        }
        catch (DocumentException e)
        {
            return Reject(path, warnings, new Problem(e.Field, e.Message, e.At?.Line, e.At?.Column));
        }

        var result = validator.Validate(document);
        if (!result.IsValid)
        {
            var problems = result.Errors.Select(e => new Problem(e.PropertyName, e.ErrorMessage)).ToList();
            return new ReadResult(path, null, problems, warnings);
        }

        var canonicalUrl = document.CanonicalUrl!;
        var hash = SHA256.HashData([(byte)Version, .. JsonSerializer.SerializeToUtf8Bytes(document, DocumentJson.Default.ArticleDocument)]);
        return new ReadResult(path, new ReadDocument(path, document, canonicalUrl, Identity.PublicId(canonicalUrl), hash), [], warnings);
    }

    public static ReadResult Reject(string path, List<string> warnings, Problem problem) => new(path, null, [problem], warnings);

    private static ReadResult Unexpected(string path, List<string> warnings, Exception e) =>
        Reject(path, warnings, new Problem(null, $"unexpected error reading the document: {e.GetType().Name}: {e.Message}"));
}

// Serialises a document for its content hash: every field, in declaration order.
[JsonSerializable(typeof(ArticleDocument))]
internal sealed partial class DocumentJson : JsonSerializerContext;
