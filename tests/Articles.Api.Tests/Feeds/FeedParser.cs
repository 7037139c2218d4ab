using System.Diagnostics;
using System.Text.Json;

namespace Articles.Api.Tests.Feeds;

// Parses a feed body the way readers would: feedparser for Atom and RSS, JSON + the JSON Feed 1.1 schema (feedcheck.py).
internal static class FeedParser
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Feeds");

    public static async Task<JsonElement> ParseAsync(string kind, byte[] body)
    {
        var file = Path.Combine(Path.GetTempPath(), $"feed-{Guid.NewGuid():N}.{kind}");
        await File.WriteAllBytesAsync(file, body);
        try
        {
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(Folder, "feedcheck.py"), kind, file, Path.Combine(Folder, "jsonfeed-1.1.schema.json") })
            {
                start.ArgumentList.Add(arg);
            }
            using var python = Process.Start(start)!;
            var output = python.StandardOutput.ReadToEndAsync();
            var errors = await python.StandardError.ReadToEndAsync();
            await python.WaitForExitAsync();
            Assert.True(python.ExitCode == 0,
                $"feedcheck.py failed ({python.ExitCode}); test.sh installs python3-feedparser and python3-jsonschema: {errors}");
            return JsonDocument.Parse(await output).RootElement.Clone();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
