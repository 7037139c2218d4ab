using Articles.Ingest.Reading;
using Dapper;
using Npgsql;

namespace Articles.Ingest.Writing;

// The topics and providers a batch wrote an article into or out of.
internal sealed record Touched(int[] Topics, int[] Providers);

// The job's writes: one batch of planned articles per transaction, set-based, COPY-fed.
internal sealed class ArticleStore(NpgsqlConnection connection)
{
    private readonly ArticleChildren _children = new(connection);

    public async Task<Dictionary<string, StoredArticle>> LoadAsync(IReadOnlyCollection<string> urls, NpgsqlTransaction tx, CancellationToken ct)
    {
        const string sql = """
            SELECT canonical_url, content_hash, published_at, winner_path, source_paths, provider_id
            FROM articles
            WHERE canonical_url = ANY(@urls)
            """;
        var rows = await connection.QueryAsync<StoredArticle>(
            new CommandDefinition(sql, new { urls = urls.ToArray() }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.CanonicalUrl, StringComparer.Ordinal);
    }

    // Returns the topics and providers it wrote an article into or out of, for the run's recount.
    public async Task<Touched> WriteAsync(BatchPlan plan, NpgsqlTransaction tx, CancellationToken ct)
    {
        var articles = plan.ContentWrites.ToList();
        var touched = articles.Count > 0 ? await WriteArticlesAsync(articles, tx, ct) : new Touched([], []);
        const string paths = "UPDATE articles SET winner_path = @WinnerPath, source_paths = @Paths WHERE canonical_url = @Url";
        var pathWrites = plan.PathWrites.Select(a => new { a.WinnerPath, Paths = a.Paths.ToArray(), Url = a.Stored!.CanonicalUrl }).ToList();
        if (pathWrites.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(paths, pathWrites, tx, cancellationToken: ct));
        }
        return touched;
    }

    private async Task<Touched> WriteArticlesAsync(List<ArticlePlan> articles, NpgsqlTransaction tx, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition("TRUNCATE staged_articles", transaction: tx, cancellationToken: ct));
        var topicIds = await _children.UpsertTopicsAsync(articles, tx, ct);
        await ArticleStaging.CopyAsync(connection, articles, topicIds, ct);

        // Providers first (the last document of the batch names them), then the articles themselves.
        const string upsertProviders = """
            INSERT INTO providers (domain, name)
            SELECT DISTINCT ON (provider_domain) provider_domain, provider_name FROM staged_articles ORDER BY provider_domain, ord DESC
            ON CONFLICT (domain) DO UPDATE SET name = excluded.name WHERE providers.name IS DISTINCT FROM excluded.name
            """;
        await connection.ExecuteAsync(new CommandDefinition(upsertProviders, transaction: tx, cancellationToken: ct));
        const string upsert = """
            INSERT INTO articles (public_id, canonical_url, category, type, title, excerpt, published_at, original_url,
                web_url, amp_web_url, cdn_amp_web_url, quality, heat, published, removed, featured_content, provider_id,
                provider_name, provider_images, secured, content_hash, winner_path, source_paths, topic_names, topic_slugs,
                topics_hash, first_ingested_at, last_ingested_at)
            SELECT s.public_id, s.canonical_url, s.category, s.type, s.title, s.excerpt, s.published_at, s.original_url,
                s.web_url, s.amp_web_url, s.cdn_amp_web_url, s.quality, s.heat, s.published, s.removed, s.featured_content, p.id,
                s.provider_name, s.provider_images, s.secured, s.content_hash, s.winner_path, s.source_paths, s.topic_names,
                s.topic_slugs, s.content_hash, now(), now()
            FROM staged_articles s JOIN providers p ON p.domain = s.provider_domain
            ORDER BY s.ord
            ON CONFLICT (canonical_url) DO UPDATE SET
                category = excluded.category, type = excluded.type, title = excluded.title, excerpt = excluded.excerpt,
                published_at = excluded.published_at, original_url = excluded.original_url, web_url = excluded.web_url,
                amp_web_url = excluded.amp_web_url, cdn_amp_web_url = excluded.cdn_amp_web_url, quality = excluded.quality,
                heat = excluded.heat, published = excluded.published, removed = excluded.removed,
                featured_content = excluded.featured_content, provider_id = excluded.provider_id,
                provider_name = excluded.provider_name, provider_images = excluded.provider_images, secured = excluded.secured, content_hash = excluded.content_hash,
                winner_path = excluded.winner_path, source_paths = excluded.source_paths, topic_names = excluded.topic_names,
                topic_slugs = excluded.topic_slugs, topics_hash = excluded.topics_hash, last_ingested_at = excluded.last_ingested_at
            RETURNING id, canonical_url, provider_id
            """;
        var written = (await connection.QueryAsync<(long Id, string Url, int ProviderId)>(
            new CommandDefinition(upsert, transaction: tx, cancellationToken: ct))).ToList();
        var ids = written.ToDictionary(w => w.Url, w => w.Id, StringComparer.Ordinal);

        // Children are replaced whole: deleting first keeps positions dense and the order the document's.
        // Only articles that existed before this batch can have children to clear.
        var idArray = new { ids = articles.Where(a => a.Stored is not null).Select(a => ids[a.Stored!.CanonicalUrl]).ToArray() };
        List<(long ArticleId, int TopicId)> removedTopics = [];
        if (idArray.ids.Length > 0)
        {
            const string clear = """
                DELETE FROM article_images WHERE article_id = ANY(@ids);
                DELETE FROM related_links WHERE article_id = ANY(@ids);
                """;
            await connection.ExecuteAsync(new CommandDefinition(clear, idArray, tx, cancellationToken: ct));
            removedTopics = (await connection.QueryAsync<(long ArticleId, int TopicId)>(new CommandDefinition(
                "DELETE FROM article_topics WHERE article_id = ANY(@ids) RETURNING article_id, topic_id", idArray, tx, cancellationToken: ct))).ToList();
        }
        var oldTopics = removedTopics.Select(t => t.TopicId);

        await _children.CopyTopicsAsync(articles, ids, topicIds, written.ToDictionary(w => w.Id, w => w.ProviderId), ct);
        await _children.CopyImagesAsync(articles, ids, ct);
        await _children.CopyRelatedAsync(articles, ids, ct);
        await _children.WriteLogosAsync(articles, tx, ct);

        await RecordChangesAsync(articles, ids, topicIds, removedTopics.ToLookup(t => t.ArticleId, t => t.TopicId), tx, ct);

        var topics = oldTopics.Concat(topicIds.Values.Select(t => t.Id)).Distinct().ToArray();
        var providers = written.Select(w => w.ProviderId)
            .Concat(articles.Where(a => a.Stored is not null).Select(a => a.Stored!.ProviderId)).Distinct().ToArray();
        await StampAsync(topics, providers, tx, ct);
        return new Touched(topics, providers);
    }

    // The change log the API's cursors and the partners' change feed read: one row per article whose content
    // was written, with its topics before and after (comma-joined: unnest cannot take an array of arrays).
    private async Task RecordChangesAsync(List<ArticlePlan> articles, Dictionary<string, long> ids, Dictionary<string, Topic> topicIds,
        ILookup<long, int> oldTopics, NpgsqlTransaction tx, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO article_changes (article_id, operation, old_published_at, new_published_at, topic_ids)
            SELECT c.id, c.operation, c.old, c.new, string_to_array(c.topics, ',')::int[]
            FROM unnest(@ids, @operations, @old, @new, @topics) AS c(id, operation, old, new, topics)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            topics = articles.Select(a =>
            {
                var id = ids[a.Winner!.CanonicalUrl];
                var now = a.Winner.TopicSlugs.Select(slug => topicIds[slug].Id);
                return string.Join(',', oldTopics[id].Concat(now).Distinct());
            }).ToArray(),
            ids = articles.Select(a => ids[a.Winner!.CanonicalUrl]).ToArray(),
            operations = articles.Select(a => a.Winner!.Document is { Published: true, Removed: false } ? "upsert" : "remove").ToArray(),
            // DateTimeOffset maps to timestamptz whatever mix of nulls the array holds.
            old = articles.Select(a => a.Stored is null ? (DateTimeOffset?)null
                : new DateTimeOffset(DateTime.SpecifyKind(a.Stored.PublishedAt, DateTimeKind.Utc))).ToArray(),
            @new = articles.Select(a => a.Winner!.PublishedAt).ToArray(),
        }, tx, cancellationToken: ct));
    }

    // The feeds' Last-Modified: stamped in the batch that changes what a topic's or provider's feed holds.
    private async Task StampAsync(int[] topics, int[] providers, NpgsqlTransaction tx, CancellationToken ct)
    {
        const string sql = $"""
            UPDATE topics SET changed_at = {Stamp} WHERE id = ANY(@topics);
            UPDATE providers SET changed_at = {Stamp} WHERE id = ANY(@providers);
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { topics, providers }, tx, cancellationToken: ct));
    }

    // A new stamp is in a later second than the last: Last-Modified has whole seconds, so two changes within one second
    // would give the same date and an If-Modified-Since poll a 304 for the second change.
    private const string Stamp = "greatest(now(), date_trunc('second', changed_at) + interval '1 second')";

    // Counts the API serves without counting, for the given topics and providers (null: all of them).
    // Rows whose figures are already right are not written, so a run that changed nothing writes nothing; the rows
    // it writes are stamped, so the API's content version moves with the counts.
    public async Task RecountAsync(int[]? topics, int[]? providers, NpgsqlTransaction tx, CancellationToken ct)
    {
        const string sql = $"""
            UPDATE topics t SET article_count = c.n, latest_published_at = c.latest, changed_at = {Stamp}
            FROM (SELECT x.id, count(at.article_id)::int AS n, max(at.published_at) AS latest
                  FROM (SELECT id FROM topics WHERE @all_topics OR id = ANY(@topics)) x
                  LEFT JOIN article_topics at ON at.topic_id = x.id AND at.listed
                  GROUP BY x.id) c
            WHERE t.id = c.id AND (t.article_count, t.latest_published_at) IS DISTINCT FROM (c.n, c.latest);

            UPDATE providers p SET article_count = c.n, video_count = c.videos, latest_published_at = c.latest, changed_at = {Stamp}
            FROM (SELECT x.id, count(a.id)::int AS n, (count(a.id) FILTER (WHERE a.type = 'video'))::int AS videos, max(a.published_at) AS latest
                  FROM (SELECT id FROM providers WHERE @all_providers OR id = ANY(@providers)) x
                  LEFT JOIN articles a ON a.provider_id = x.id AND a.listed
                  GROUP BY x.id) c
            WHERE p.id = c.id AND (p.article_count, p.video_count, p.latest_published_at) IS DISTINCT FROM (c.n, c.videos, c.latest);
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            all_topics = topics is null, topics = topics ?? [], all_providers = providers is null, providers = providers ?? [],
        }, tx, cancellationToken: ct));
    }
}
