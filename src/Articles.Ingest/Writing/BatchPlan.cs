using Articles.Ingest.Reading;

namespace Articles.Ingest.Writing;

internal enum Outcome { Inserted, Updated, Unchanged, Merged }

// What the database holds for one canonical URL before the batch.
internal sealed record StoredArticle
{
    public required string CanonicalUrl { get; init; }
    public required byte[] ContentHash { get; init; }
    public required DateTime PublishedAt { get; init; }
    public required string WinnerPath { get; init; }
    public required string[] SourcePaths { get; init; }
    public required int ProviderId { get; init; }
}

// The article one canonical URL ends the batch as.
internal sealed class ArticlePlan(StoredArticle? stored)
{
    public StoredArticle? Stored { get; } = stored;
    public ReadDocument? Winner { get; private set; }
    public string? WinnerPath { get; private set; } = stored?.WinnerPath;
    public DateTimeOffset WinnerPublishedAt { get; private set; } = stored?.PublishedAt ?? default;
    public byte[]? WinnerHash { get; private set; } = stored?.ContentHash;
    public SortedSet<string> Paths { get; } = new(stored?.SourcePaths ?? [], StringComparer.Ordinal);
    // The article row and its children must be written.
    public bool ContentChanged { get; private set; }
    // Only winner_path / source_paths change.
    public bool PathsChanged { get; set; }

    public void Take(ReadDocument document, bool contentChanged)
    {
        Winner = document;
        WinnerPath = document.Path;
        WinnerPublishedAt = document.PublishedAt;
        WinnerHash = document.ContentHash;
        ContentChanged |= contentChanged;
        PathsChanged = true;
    }

    // The latest publishedDateTime wins; a tie goes to the later path in ordinal order.
    public bool IsBeatenBy(ReadDocument document)
    {
        var byTime = document.PublishedAt.CompareTo(WinnerPublishedAt);
        return byTime > 0 || (byTime == 0 && string.CompareOrdinal(document.Path, WinnerPath) > 0);
    }
}

// Decides, in document order, what each document of a batch does to the database. Pure: no I/O.
// The rule is order-free (the winner is the maximum), so a run cut short and rerun ends where a clean run would.
internal sealed class BatchPlan
{
    private readonly Dictionary<string, ArticlePlan> _articles = new(StringComparer.Ordinal);

    public List<Outcome> Outcomes { get; } = [];
    public HashSet<string> Urls { get; } = new(StringComparer.Ordinal);
    public IEnumerable<ArticlePlan> ContentWrites => _articles.Values.Where(a => a.ContentChanged);
    public IEnumerable<ArticlePlan> PathWrites => _articles.Values.Where(a => a.PathsChanged && !a.ContentChanged);

    // Outcomes are those of documents, then of skipped (files loaded before, by the URL they name); rivals are
    // re-read source files of articles whose winner moved back in time, applied last and not counted.
    public static BatchPlan Create(
        IReadOnlyList<ReadDocument> documents,
        IReadOnlyDictionary<string, StoredArticle> stored,
        IReadOnlySet<string> seenInRun,
        IReadOnlyList<ReadDocument>? rivals = null,
        IReadOnlyList<string>? skipped = null)
    {
        var plan = new BatchPlan();
        foreach (var document in documents)
        {
            plan.Outcomes.Add(plan.Apply(document, stored, seenInRun));
        }
        foreach (var rival in rivals ?? [])
        {
            plan.Apply(rival, stored, seenInRun);
        }
        // A skipped file wrote nothing; like any document, a URL already met in the run makes it a merge.
        foreach (var url in skipped ?? [])
        {
            plan.Outcomes.Add(plan.Meet(url, seenInRun) ? Outcome.Merged : Outcome.Unchanged);
        }
        return plan;
    }

    // Documents that replace their article's winner with an older version of the same file: the article's other
    // source files may now win, so they must be read again (they may be unchanged, and so skipped, in this run).
    public static IEnumerable<string> RivalPaths(IReadOnlyList<ReadDocument> documents, IReadOnlyDictionary<string, StoredArticle> stored) =>
        documents
            .Where(d => stored.TryGetValue(d.CanonicalUrl, out var s) && s.WinnerPath == d.Path && d.PublishedAt < s.PublishedAt)
            .SelectMany(d => stored[d.CanonicalUrl].SourcePaths.Where(p => p != d.Path))
            .Distinct(StringComparer.Ordinal);

    // Records a URL as met in this batch; true when the run met it before. A URL met earlier in the run is a merge,
    // whatever its document does to the article.
    private bool Meet(string url, IReadOnlySet<string> seenInRun) => seenInRun.Contains(url) || !Urls.Add(url);

    private Outcome Apply(ReadDocument document, IReadOnlyDictionary<string, StoredArticle> stored, IReadOnlySet<string> seenInRun)
    {
        var url = document.CanonicalUrl;
        var seen = Meet(url, seenInRun);
        if (!_articles.TryGetValue(url, out var article))
        {
            article = new ArticlePlan(stored.GetValueOrDefault(url));
            _articles.Add(url, article);
        }
        var knownPath = !article.Paths.Add(document.Path);
        article.PathsChanged |= !knownPath;

        Outcome outcome;
        if (article.WinnerPath is null)
        {
            article.Take(document, contentChanged: true);
            outcome = Outcome.Inserted;
        }
        else if (document.Path == article.WinnerPath || article.IsBeatenBy(document))
        {
            if (!document.ContentHash.AsSpan().SequenceEqual(article.WinnerHash))
            {
                article.Take(document, contentChanged: true);
                outcome = article.Stored is null ? Outcome.Inserted : Outcome.Updated;
            }
            else
            {
                if (document.Path != article.WinnerPath)
                {
                    article.Take(document, contentChanged: false);
                }
                outcome = knownPath ? Outcome.Unchanged : Outcome.Merged;
            }
        }
        else
        {
            outcome = knownPath ? Outcome.Unchanged : Outcome.Merged;
        }
        return seen ? Outcome.Merged : outcome;
    }
}
