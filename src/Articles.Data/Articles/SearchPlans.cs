using System.Collections.Concurrent;

namespace Articles.Data.Articles;

// Whether a search text is rare, remembered for ten minutes: statistics change only when the job analyses, and a
// stale answer costs speed, never results. Bounded, so hostile query strings cannot grow it.
internal sealed class SearchPlans
{
    private const int MaxEntries = 2_000;
    private const long LifetimeMs = 10 * 60 * 1000;

    private ConcurrentDictionary<string, bool> _rare = new();
    private long _since = Environment.TickCount64;

    public bool? Rare(string search)
    {
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _since) > LifetimeMs)
        {
            _rare = new();
            Interlocked.Exchange(ref _since, now);
        }
        return _rare.TryGetValue(search, out var rare) ? rare : null;
    }

    public void Remember(string search, bool rare)
    {
        if (_rare.Count < MaxEntries)
        {
            _rare.TryAdd(search, rare);
        }
    }
}
