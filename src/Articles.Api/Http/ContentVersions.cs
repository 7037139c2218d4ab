using Articles.Data.Changes;

namespace Articles.Api.Http;

// The version of what the job committed, held in memory and read again ten times a second: a conditional GET is
// answered without the database, and a commit is seen within a second. A failed read keeps the last version.
internal sealed class ContentVersions(ChangeRepository changes, ILogger<ContentVersions> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private volatile Versions? _current;

    private sealed record Versions(string Content, string ChangeLog);

    // Lists, topics, providers and articles: what any commit of the job may change.
    public string? Content => _current?.Content;

    // The change feed also moves when the last change it may show moves (it waits for transactions still running).
    public string? ChangeLog => _current?.ChangeLog;

    public static string ContentOf(ContentVersion v) => $"{v.LastSeq}.{v.TopicsChangedAt?.Ticks}.{v.ProvidersChangedAt?.Ticks}";

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                var v = await changes.VersionAsync(stop);
                var content = ContentOf(v);
                _current = new Versions(content, $"{content}.{v.VisibleSeq}");
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                logger.LogDebug(e, "The content version could not be read; keeping the last one");
            }
        }
        while (await timer.WaitForNextTickAsync(stop));
    }
}
