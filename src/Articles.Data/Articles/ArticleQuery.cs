namespace Articles.Data.Articles;

public enum ArticleSort { Newest, Oldest, Quality, Heat, Relevance }

public enum PublishedFilter { Published, Unpublished, Any }

// Validated filters of an article list; every field maps to one fixed SQL fragment.
public sealed record ArticleFilter(
    IReadOnlyList<string> Topics,
    IReadOnlyList<string> Providers,
    string? Type,
    DateTime? From,
    DateTime? To,
    int? MinQuality,
    PublishedFilter Published,
    string? Search,
    // Set by the repository: every word searched for is rare (or unknown to the statistics), so the matches are
    // collected through the full-text index first; a walk of the newest-first index would read every article to find few.
    bool RareSearch = false)
{
    // No filter with a value: only which articles are listed, a fixed fragment of SQL.
    public bool Unfiltered => Topics.Count == 0 && Providers.Count == 0 && Type is null && From is null && To is null
        && MinQuality is null && Search is null;
}

// A position in a sort order: the last (or first) row a page showed.
public sealed record Keyset(DateTime PublishedAt, long Id, double Value);

// Either a keyset page (After, optionally Backwards; ChangesSeen = the last change visible when the walk began)
// or an offset page (Skip). Shown: the summary parts the response shows (fields= may leave some out).
public sealed record ArticlePageRequest(
    ArticleFilter Filter, ArticleSort Sort, int Take, Keyset? After = null, bool Backwards = false, long ChangesSeen = 0, int Skip = 0,
    SummaryParts Shown = SummaryParts.All);

// The parts of a summary that cost a column or a join to read.
[Flags]
public enum SummaryParts { None = 0, Excerpt = 1, Provider = 2, Topics = 4, Image = 8, All = 15 }

// A batch of articles asked by id: the summaries found, and the ids asked that are unknown (404) or removed (410).
public sealed record ArticleBatch(IReadOnlyList<ArticleSummaryRow> Found, IReadOnlyList<(Guid Id, int Status)> Missing);

// What hangs off a whole article, each read by its own statement.
[Flags]
public enum ArticleParts { None = 0, Topics = 1, Images = 2, ProviderImages = 4, Related = 8, All = 15 }

// Where a search's matches start and stop in highlighted text, and the text's own < and > (which PostgreSQL's parser
// would take for tags and drop): private-use characters, taken out of the text first.
public static class HighlightMarks
{
    public const char Start = '\uE000';
    public const char Stop = '\uE001';
    public const char Lt = '\uE002';
    public const char Gt = '\uE003';
}
