using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace Soak;

// A partner's copy kept by following /v1/changes: id -> the summary fields compared with the database at the end.
sealed class Replica(Recorder recorder, string key)
{
    private readonly Dictionary<string, string> _articles = [];
    private string _next = "/v1/changes?limit=1000";

    public int RunsSeen { get; private set; }
    public IReadOnlyDictionary<string, string> Articles => _articles;

    public async Task FollowAsync(Func<int> runsEnded, CancellationToken stop)
    {
        var firstRun = runsEnded();
        while (!stop.IsCancellationRequested)
        {
            if (await PageAsync() == 0)
            {
                try { await Task.Delay(TimeSpan.FromSeconds(1), stop); } catch (TaskCanceledException) { break; }
            }
            RunsSeen = runsEnded() - firstRun;
        }
    }

    // Reads pages until one comes back empty: the copy then holds every change committed before that page.
    public async Task CatchUpAsync()
    {
        for (var n = 0; n < 10_000 && await PageAsync() > 0; n++)
        {
        }
    }

    private async Task<int> PageAsync()
    {
        var reply = await recorder.GetAsync("changes", _next, recorder.Now, [200],
            new Dictionary<string, string> { ["X-Api-Key"] = key }, countsTowardRate: false);
        if (reply is not { Status: 200 })
        {
            return 0;
        }
        using var page = JsonDocument.Parse(reply.Body);
        var items = page.RootElement.GetProperty("items");
        foreach (var item in items.EnumerateArray())
        {
            var id = item.GetProperty("articleId").GetString()!;
            if (item.GetProperty("operation").GetString() == "upsert")
            {
                var article = item.GetProperty("article");
                _articles[id] = Row(article.GetProperty("title").GetString()!, article.GetProperty("publishedDateTime").GetDateTime(),
                    article.GetProperty("provider").GetProperty("domain").GetString()!,
                    article.GetProperty("topics").EnumerateArray().Select(t => t.GetProperty("slug").GetString()!));
            }
            else
            {
                _articles.Remove(id);
            }
        }
        _next = new Uri(page.RootElement.GetProperty("links").GetProperty("next").GetString()!).PathAndQuery;
        return items.GetArrayLength();
    }

    public static string Row(string title, DateTime published, string domain, IEnumerable<string> topics) =>
        string.Join('|', title, published.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture), domain, string.Join(',', topics.Order(StringComparer.Ordinal)));

    // The listed articles as the database holds them, in the replica's terms.
    public static async Task<Dictionary<string, string>> ListedAsync(NpgsqlDataSource db) =>
        (await Shapes.Rows(db, """
            SELECT a.public_id::text, a.title, a.published_at, p.domain,
                   coalesce((SELECT array_agg(t.slug) FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id), '{}')
            FROM articles a JOIN providers p ON p.id = a.provider_id WHERE a.listed
            """, r => (r.GetString(0), Row(r.GetString(1), r.GetDateTime(2), r.GetString(3), r.GetFieldValue<string[]>(4)))))
        .ToDictionary(x => x.Item1, x => x.Item2);

    // Null when the copy equals the database's listed set, else how it differs.
    public string? Compare(Dictionary<string, string> listed)
    {
        var missing = listed.Keys.Count(id => !_articles.ContainsKey(id));
        var extra = _articles.Keys.Count(id => !listed.ContainsKey(id));
        var differ = listed.Count(p => _articles.TryGetValue(p.Key, out var row) && row != p.Value);
        var example = listed.FirstOrDefault(p => _articles.TryGetValue(p.Key, out var row) && row != p.Value);
        return missing + extra + differ == 0 ? null
            : $"{missing} listed articles missing, {extra} not listed, {differ} with other fields" +
              (example.Key is null ? "" : $" (e.g. {example.Key}: database {example.Value} / copy {_articles[example.Key]})");
    }
}
