using Articles.Ingest.Reading;
using Dapper;
using Npgsql;

namespace Articles.Ingest.Writing;

// source_files: what each path held when the job last loaded it, so a rerun skips what it has already loaded.
internal sealed class SourceFileStore(NpgsqlConnection connection)
{
    public async Task<Dictionary<string, LoadedFile>> LoadFilesAsync(NpgsqlTransaction? tx, CancellationToken ct)
    {
        const string sql = "SELECT path, file_hash, canonical_url FROM source_files WHERE reader_version = @version";
        var rows = await connection.QueryAsync<(string Path, byte[] FileHash, string CanonicalUrl)>(
            new CommandDefinition(sql, new { version = DocumentReader.Version }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.Path, r => new LoadedFile(r.FileHash, r.CanonicalUrl), StringComparer.Ordinal);
    }

    // In the batch's transaction, so a file counts as loaded exactly when what it says is in the database.
    // Rows that would not change are not written: a rerun of parsed but unchanged files writes nothing.
    public async Task RecordFilesAsync(IEnumerable<ReadResult> read, NpgsqlTransaction tx, CancellationToken ct)
    {
        // A path read twice in one batch (a document and the same file re-read as a rival) is recorded once, as last read.
        var files = read.Where(r => r is { Document: not null, FileHash: not null })
            .GroupBy(r => r.Path, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        if (files.Count == 0)
        {
            return;
        }
        const string sql = """
            INSERT INTO source_files AS f (path, file_hash, reader_version, canonical_url)
            SELECT path, file_hash, @version, canonical_url FROM unnest(@paths, @hashes, @urls) AS d(path, file_hash, canonical_url)
            ON CONFLICT (path) DO UPDATE SET file_hash = excluded.file_hash, reader_version = excluded.reader_version,
                canonical_url = excluded.canonical_url
            WHERE (f.file_hash, f.reader_version, f.canonical_url) IS DISTINCT FROM (excluded.file_hash, excluded.reader_version, excluded.canonical_url)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            version = DocumentReader.Version,
            paths = files.Select(f => f.Path).ToArray(),
            hashes = files.Select(f => f.FileHash!).ToArray(),
            urls = files.Select(f => f.Document!.CanonicalUrl).ToArray(),
        }, tx, cancellationToken: ct));
    }
}
