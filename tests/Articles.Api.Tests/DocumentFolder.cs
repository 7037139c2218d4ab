extern alias ingest;

using Articles.Testing;
using ingest::Articles.Ingest;

namespace Articles.Api.Tests;

// Small article documents of one provider in a folder of their own, loaded by the real job.
internal sealed class DocumentFolder(string domain) : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"documents-{Guid.NewGuid():N}");

    public string Write(string name, string title, string topic, DateTime published, string? excerpt = null)
    {
        Directory.CreateDirectory(_path);
        var path = Path.Combine(_path, name);
        File.WriteAllText(path, $"""
            ---
            title: "{title}"
            excerpt: "{excerpt ?? $"About {title}."}"
            publishedDateTime: {published:yyyy-MM-dd'T'HH:mm:ss'Z'}
            webUrl: "https://{domain}/{name}"
            provider:
              name: {domain} news
              domain: {domain}
            topics:
              - {topic}
            ---
            """);
        return path;
    }

    public async Task IngestAsync(TestDatabase database)
    {
        var log = new StringWriter();
        var exit = await JobCommands.RunAsync(["ingest", _path, "--connection", database.ConnectionString],
            TextWriter.Null, log, interactive: false, CancellationToken.None);
        Assert.True(exit == 0, log.ToString());
    }

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }
}
