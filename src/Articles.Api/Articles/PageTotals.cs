using System.Collections.Concurrent;
using Articles.Api.Http;

namespace Articles.Api.Articles;

// Totals of numbered lists, remembered until the content version moves: every page of one query has the same total
// between two commits, and counting a common word's matches reads up to 10,001 articles.
internal sealed class PageTotals(ContentVersions versions)
{
    private const int MaxEntries = 10_000;

    private sealed record Memo(string Version, ConcurrentDictionary<ulong, (long Total, bool Exact)> Totals);

    private volatile Memo _memo = new("", new());

    public (long Total, bool Exact)? Find(ulong query)
    {
        var memo = _memo;
        return versions.Content == memo.Version && memo.Totals.TryGetValue(query, out var total) ? total : null;
    }

    public void Remember(ulong query, long total, bool exact)
    {
        if (versions.Content is not { } version)
        {
            return;
        }
        var memo = _memo;
        if (memo.Version != version)
        {
            memo = _memo = new Memo(version, new());
        }
        if (memo.Totals.Count < MaxEntries)
        {
            memo.Totals[query] = (total, exact);
        }
    }
}
