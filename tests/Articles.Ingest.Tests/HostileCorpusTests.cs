using System.Diagnostics;
using System.Text;
using Articles.Testing;
using Dapper;

namespace Articles.Ingest.Tests;

// A folder of broken and hostile files next to good ones: each bad one is rejected with a reason,
// the good ones load, the job neither crashes nor takes long.
public sealed class HostileCorpusTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly DocumentFolder _folder = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    public void Dispose() => _folder.Dispose();

    private static IEnumerable<(string Name, byte[] Bytes)> Hostile()
    {
        var valid = Documents.Valid(url: "https://hostile.example/x");
        byte[] Text(string s) => Encoding.UTF8.GetBytes(s);
        var bomb = new StringBuilder("---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i < 10; i++)
        {
            bomb.Append($"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(',', Enumerable.Repeat($"*{(char)('a' + i - 1)}", 9))}]\n");
        }
        var withNul = Text(valid);
        withNul[30] = 0;
        var badUtf8 = Text(valid);
        badUtf8[30] = 0xFF;
        yield return ("syntax-error.md", Text(valid.Replace("type: article", "type: \"unterminated")));
        yield return ("truncated.md", Text(valid[..(valid.Length / 3)]));
        yield return ("tabs.md", Text(valid.Replace("  name: Example", "\tname: Example")));
        yield return ("alias-bomb.md", Text(bomb.Append("---\n").ToString()));
        yield return ("deep.md", Text("---\ntitle: " + new string('[', 10_000) + new string(']', 10_000) + "\n---\n"));
        yield return ("multi-document.md", Text("---\ntitle: a\n...\n--- b: 1\n---\n"));
        yield return ("custom-tag.md", Text(valid.Replace("title: \"A title\"", "title: !!python/object:os.system \"x\"")));
        yield return ("duplicate-keys.md", Text(valid.Replace("quality: 50", "quality: 50\nquality: 60")));
        yield return ("huge.md", Text(Documents.Valid(title: new string('x', 2 * 1024 * 1024))));
        yield return ("nul.md", withNul);
        yield return ("invalid-utf8.md", badUtf8);
        yield return ("utf16.md", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(valid)]);
        yield return ("wrong-types.md", Text(valid.Replace("quality: 50", "quality: [1, 2]")));
        yield return ("missing-title.md", Text(string.Join('\n', valid.Split('\n').Where(l => !l.StartsWith("title:")))));
        yield return ("year-9999.md", Text(valid.Replace("2023-01-02T03:04:05Z", "9999-12-31T00:00:00Z")));
        yield return ("negative-quality.md", Text(valid.Replace("quality: 50", "quality: -5")));
        yield return ("many-topics.md", Text(Documents.Valid(topics: string.Join('\n', Enumerable.Range(0, 5_000).Select(i => $"  - T{i}")))));
        yield return ("not-front-matter.md", Text("# Just a markdown file\n\nwith no front matter\n"));
        yield return ("empty.md", []);
    }

    [Fact]
    public async Task Every_hostile_file_is_rejected_with_a_reason_and_the_good_ones_still_load()
    {
        var hostile = Hostile().ToList();
        foreach (var (name, bytes) in hostile)
        {
            await File.WriteAllBytesAsync(Path.Combine(_folder.Path, name), bytes);
        }
        for (var i = 0; i < 5; i++)
        {
            _folder.Write($"good-{i}.md", Documents.Valid(url: $"https://good.example/{i}"));
        }
        var watch = Stopwatch.StartNew();

        var run = await Job.IngestAsync(_database, _folder.Path);

        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal((hostile.Count + 5, 5, hostile.Count), (run.Report!.Read, run.Report.Inserted, run.Report.Rejected));
        var rejected = run.Report.Rejects.GroupBy(r => Path.GetFileName(r.Path)).ToDictionary(g => g.Key, g => g.First());
        Assert.Equal(hostile.Select(h => h.Name).Order(), rejected.Keys.Order());
        Assert.All(rejected.Values, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        Assert.Equal(5, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM articles"));
        Assert.Equal(hostile.Count, await connection.ExecuteScalarAsync<int>("SELECT count(DISTINCT path) FROM rejected_documents"));
    }
}
