using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Articles.Api.Http;

// Values remembered for the content version they were read at: a commit starts an empty table, so nothing read before
// it is served after it, and a value read across a commit is not kept. Past MaxEntries values are read, not kept.
internal sealed class VersionedMemo<TKey, TValue>(ContentVersions versions) where TKey : notnull
{
    private const int MaxEntries = 10_000;

    private sealed record Table(string Version, ConcurrentDictionary<TKey, TValue> Values);

    private volatile Table _table = new("", new());

    // The version to pass to Remember: the one current before the value is read.
    public string? Version => versions.Content;

    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        var table = _table;
        value = default;
        return versions.Content == table.Version && table.Values.TryGetValue(key, out value);
    }

    public void Remember(string? readAt, TKey key, TValue value)
    {
        if (readAt is null || readAt != versions.Content)
        {
            return;
        }
        var table = _table;
        if (table.Version != readAt)
        {
            table = _table = new Table(readAt, new());
        }
        if (table.Values.Count < MaxEntries)
        {
            table.Values[key] = value;
        }
    }

    public async Task<TValue> GetOrReadAsync(TKey key, Func<Task<TValue>> read)
    {
        if (TryGet(key, out var known))
        {
            return known;
        }
        var readAt = Version;
        var value = await read();
        Remember(readAt, key, value);
        return value;
    }
}
