using System.Text.Json;
using Npgsql;

namespace Soak;

sealed record WalkResult(int Pages, int Seen, int Duplicates, int Missing, bool SpannedCommit, int MovedDuring, double Seconds);

// Cursor walks of the whole list, newest first, 100 a page, paced at a fixed page rate each. A walk must see every
// article listed both when it began and when it ended exactly once, whatever the job commits meanwhile.
sealed class Walks(Recorder recorder, NpgsqlDataSource db, double pagesPerSecond, double staleBound)
{
    private const string Moves = "old_published_at IS DISTINCT FROM new_published_at AND old_published_at IS NOT NULL";
    private readonly List<WalkResult> _results = [];

    public IReadOnlyList<WalkResult> Results { get { lock (_results) { return [.. _results]; } } }

    public async Task WalkerAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var result = await WalkAsync(stop);
            if (result is not null)
            {
                lock (_results) { _results.Add(result); }
            }
        }
    }

    private async Task<WalkResult?> WalkAsync(CancellationToken stop)
    {
        var before = await ListedAsync();
        var firstSeq = await LastChangeAsync();
        // A page may come from the response cache up to the staleness bound after a commit: the walk starts that long
        // after reading what was listed, so its first page shows at least what `before` holds.
        var began = recorder.Now + staleBound;
        var seen = new List<string>();
        string? next = "/v1/articles?limit=100";
        var pages = 0;
        while (next is not null)
        {
            var due = began + pages / pagesPerSecond;
            if (!await recorder.WaitUntilAsync(due, stop))
            {
                return null;   // cut short by the end of the soak: not a walk
            }
            var reply = await recorder.GetAsync("walk", next, Math.Max(due, recorder.Now - 0.0005), [200]);
            if (reply is not { Status: 200 })
            {
                return null;   // counted as a failure already
            }
            pages++;
            using var page = JsonDocument.Parse(reply.Body);
            seen.AddRange(page.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            next = page.RootElement.GetProperty("links").GetProperty("next").GetString() is { } link ? new Uri(link).PathAndQuery : null;
        }
        var lastSeq = await LastChangeAsync();
        var after = await ListedAsync();
        var moved = await ScalarAsync($"SELECT count(*) FROM article_changes WHERE seq > {firstSeq} AND seq <= {lastSeq} AND {Moves}");
        var distinct = seen.ToHashSet();
        var missing = before.Where(after.Contains).Count(id => !distinct.Contains(id));
        var result = new WalkResult(pages, seen.Count, seen.Count - distinct.Count, missing, lastSeq > firstSeq, (int)moved, recorder.Now - began);
        if (result.Duplicates > 0 || result.Missing > 0)
        {
            recorder.Fail($"walk of {pages} pages: {result.Duplicates} articles seen twice, {result.Missing} listed throughout not seen");
        }
        return result;
    }

    private async Task<HashSet<string>> ListedAsync() =>
        [.. await Shapes.Strings(db, "SELECT public_id::text FROM articles WHERE listed")];

    private Task<long> LastChangeAsync() => Shapes.LastChangeAsync(db);

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = db.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
