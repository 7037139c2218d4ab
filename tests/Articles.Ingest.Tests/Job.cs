using System.Text.Json;
using Articles.Testing;
using Dapper;
using Npgsql;

namespace Articles.Ingest.Tests;

internal sealed record JobResult(int ExitCode, RunReport? Report, string Output, string Log);

// Runs the job's real command line in-process against a test database, and reads back what it wrote.
internal static class Job
{
    public static async Task<JobResult> RunAsync(TestDatabase database, params string[] args)
    {
        var output = new StringWriter();
        var log = new StringWriter();
        var report = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():N}.json");
        try
        {
            var exit = await JobCommands.RunAsync(
                [.. args, "--connection", database.ConnectionString, .. args[0] == "ingest" ? ["--report", report] : Array.Empty<string>()],
                output, log, interactive: false, CancellationToken.None);
            var parsed = File.Exists(report)
                ? JsonSerializer.Deserialize(await File.ReadAllTextAsync(report), ReportJson.Default.RunReport)
                : null;
            return new JobResult(exit, parsed, output.ToString(), log.ToString());
        }
        finally
        {
            File.Delete(report);
        }
    }

    public static Task<JobResult> IngestAsync(TestDatabase database, params string[] paths) => RunAsync(database, ["ingest", .. paths]);

    // Until a run (in this process or another) has committed at least this many documents.
    public static async Task WaitForProgressAsync(TestDatabase database, int documents = 1)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while ((await connection.ExecuteScalarAsync<int?>("SELECT max(read) FROM ingestion_runs") ?? 0) < documents)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the job made no progress in 30 seconds");
            await Task.Delay(10);
        }
    }

    // Every content row by natural keys (public id, slug, domain): equal for two databases that hold the same articles,
    // whatever identity values or ingestion times they were given.
    public static async Task<IReadOnlyDictionary<string, string[]>> ContentAsync(NpgsqlDataSource dataSource)
    {
        var queries = new Dictionary<string, string>
        {
            ["articles"] = """
                SELECT concat_ws('|', a.public_id, a.canonical_url, a.category, a.type, a.title, a.excerpt, a.published_at,
                    a.original_url, a.web_url, a.amp_web_url, a.cdn_amp_web_url, a.quality, a.heat, a.published, a.removed,
                    a.featured_content, p.domain, a.provider_name, a.provider_images, a.secured, encode(a.content_hash, 'hex'), a.winner_path,
                    array_to_string(a.source_paths, ','), a.listed)
                FROM articles a JOIN providers p ON p.id = a.provider_id
                """,
            ["article_topics"] = """
                SELECT concat_ws('|', a.public_id, x.position, t.slug, x.published_at, x.listed)
                FROM article_topics x JOIN articles a ON a.id = x.article_id JOIN topics t ON t.id = x.topic_id
                """,
            ["article_search"] = """
                SELECT concat_ws('|', a.public_id, x.published_at, x.search)
                FROM article_search x JOIN articles a ON a.id = x.article_id
                """,
            ["article_images"] = """
                SELECT concat_ws('|', a.public_id, x.position, x.url, x.width, x.height, x.is_cached, x.title)
                FROM article_images x JOIN articles a ON a.id = x.article_id
                """,
            ["related_links"] = """
                SELECT concat_ws('|', a.public_id, x.position, x.title, x.excerpt, x.published_at, x.web_url, x.amp_web_url,
                    x.cdn_amp_web_url, x.type, x.provider_name, x.provider_domain, x.quality, x.images)
                FROM related_links x JOIN articles a ON a.id = x.article_id
                """,
            ["topics"] = "SELECT concat_ws('|', slug, name, article_count, latest_published_at) FROM topics",
            ["providers"] = "SELECT concat_ws('|', domain, name, article_count, latest_published_at) FROM providers",
            ["source_files"] = "SELECT concat_ws('|', path, encode(file_hash, 'hex'), reader_version, canonical_url) FROM source_files",
        };
        await using var connection = await dataSource.OpenConnectionAsync();
        var content = new Dictionary<string, string[]>();
        foreach (var (table, sql) in queries)
        {
            content[table] = (await connection.QueryAsync<string>(sql)).Order(StringComparer.Ordinal).ToArray();
        }
        return content;
    }

    // The physical version of every content row: any insert, update or delete changes it.
    public static async Task<string> RowVersionsAsync(NpgsqlDataSource dataSource)
    {
        const string sql = """
            SELECT concat_ws(';',
                (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY ctid) FROM articles),
                (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY ctid) FROM article_topics),
                (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY ctid) FROM article_images),
                (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY ctid) FROM article_search),
                (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY ctid) FROM related_links),
                (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY ctid) FROM topics),
                (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY ctid) FROM providers),
                (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY ctid) FROM provider_logos),
                (SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY ctid) FROM source_files))
            """;
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string>(sql) ?? "";
    }
}

// A folder of documents written by a test, removed afterwards.
internal sealed class DocumentFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"docs-{Guid.NewGuid():N}");

    public DocumentFolder() => System.IO.Directory.CreateDirectory(Path);

    public string Write(string name, string text)
    {
        var file = System.IO.Path.Combine(Path, name);
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose() => System.IO.Directory.Delete(Path, recursive: true);
}
