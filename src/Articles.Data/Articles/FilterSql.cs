using System.Globalization;
using Dapper;

namespace Articles.Data.Articles;

// A list's filters as SQL conditions and parameters, and its number of matches.
internal static class FilterSql
{
    // A numbered list's total. Unfiltered, one topic or one provider: the counts the job keeps (recounted at the end of
    // each run, so they may lag a running job). Otherwise the matches are counted up to `upTo`, through the same index
    // a page reads, and the caller reports a larger total as a lower bound.
    public static (string Sql, DynamicParameters Args, bool Kept) Count(ArticleFilter filter, ArticleSort sort, int upTo)
    {
        var args = Parameters(filter);
        var only = filter with { Topics = [], Providers = [] };
        if (filter.Published == PublishedFilter.Published && sort != ArticleSort.Relevance && only.Unfiltered
            && filter.Topics.Count + filter.Providers.Count <= 1)
        {
            var kept = filter.Topics.Count == 1
                ? "SELECT coalesce(sum(article_count), 0) FROM topics WHERE slug = ANY(@topics)"
                : filter.Providers.Count == 1
                    ? "SELECT coalesce(sum(article_count), 0) FROM providers WHERE domain = ANY(@providers)"
                    : "SELECT coalesce(sum(article_count), 0) FROM providers";
            return (kept, args, true);
        }
        var limit = (sort == ArticleSort.Relevance ? Math.Min(upTo, ArticleSql.RelevanceCandidates) : upTo).ToString(CultureInfo.InvariantCulture);
        if (sort is ArticleSort.Newest or ArticleSort.Oldest)
        {
            var count = $"SELECT count(*) FROM ({ArticleSql.Keys(filter, upTo, " DESC", after: null)}) c";
            return (count, args, false);
        }
        var matches = $"SELECT count(*) FROM (SELECT 1 FROM articles a WHERE {string.Join(" AND ", Filters(filter, probeTopics: false))} LIMIT {limit}) c";
        return (filter.Search is null ? matches : ArticleSql.CustomPlan(matches), args, false);
    }

    // Every filter as conditions on articles a. Topics as a probe per article (for a few rows already found) or by
    // collecting the topics' articles first (for a sort that reads every match anyway).
    public static List<string> Filters(ArticleFilter filter, bool probeTopics, bool queryOnce = false)
    {
        var where = new List<string>
        {
            filter.Published switch
            {
                PublishedFilter.Published => "a.listed",
                PublishedFilter.Unpublished => "NOT a.published AND NOT a.removed",
                _ => "NOT a.removed",
            },
        };
        if (filter.Topics.Count > 0)
        {
            where.Add(probeTopics
                ? "EXISTS (SELECT 1 FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id AND t.slug = ANY(@topics))"
                : "a.id = ANY(ARRAY(SELECT x.article_id FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE t.slug = ANY(@topics)))");
        }
        if (filter.Providers.Count > 0)
        {
            where.Add("a.provider_id IN (SELECT id FROM providers WHERE domain = ANY(@providers))");
        }
        where.AddRange(ArticleConditions(filter, "a.published_at", queryOnce));
        if (filter.RareSearch)
        {
            where.Add("a.id = ANY(ARRAY(SELECT s.id FROM articles s WHERE s.search @@ websearch_to_tsquery('english', @search)))");
        }
        return where;
    }

    // The search text as a tsquery. A generic plan (the index-read pool's) would parse the text again for every row it
    // checks, so there it is a subquery, parsed once; a custom plan folds the call into a constant either way.
    public static string Query(bool once) =>
        once ? "(SELECT websearch_to_tsquery('english', @search))" : "websearch_to_tsquery('english', @search)";

    // The filters on an article's own columns; `time` is its published time as the scanned index holds it.
    public static IEnumerable<string> ArticleConditions(ArticleFilter filter, string time, bool queryOnce) =>
        new (bool Set, string Sql)[]
        {
            (filter.Type is not null, "a.type = @type"),
            (filter.From is not null, $"{time} >= @from"),
            (filter.To is not null, $"{time} < @to"),
            (filter.MinQuality is not null, "a.quality >= @minQuality"),
            (filter.Search is not null, $"a.search @@ {Query(queryOnce)}"),
        }.Where(c => c.Set).Select(c => c.Sql);

    public static DynamicParameters Parameters(ArticleFilter filter)
    {
        var args = new DynamicParameters();
        args.Add("topics", filter.Topics.ToArray());
        args.Add("providers", filter.Providers.ToArray());
        args.Add("type", filter.Type);
        args.Add("from", filter.From);
        args.Add("to", filter.To);
        args.Add("minQuality", filter.MinQuality);
        args.Add("search", filter.Search);
        return args;
    }
}
