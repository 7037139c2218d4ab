using Articles.Data.Articles;
using Dapper;
using Npgsql;

namespace Articles.Data.Changes;

// ListedNow: whether the article is in the (filtered) list now; the last change a partner applies decides.
public sealed record ChangeRow(long Seq, DateTime ChangedAt, bool ListedNow)
{
    public ArticleSummaryRow Article { get; init; } = null!;
}

// What the job has committed: the change log's end and the newest topic and provider stamps (the end-of-run recount
// stamps what it changes); and the last change the change feed shows (see ListAsync).
public sealed record ContentVersion(long LastSeq, DateTime? TopicsChangedAt, DateTime? ProvidersChangedAt, long VisibleSeq);

public sealed class ChangeRepository(NpgsqlDataSource dataSource)
{
    public async Task<ContentVersion> VersionAsync(CancellationToken ct)
    {
        const string sql = """
            SELECT (SELECT coalesce(max(seq), 0) FROM article_changes) AS last_seq,
                (SELECT max(changed_at) FROM topics) AS topics_changed_at,
                (SELECT max(changed_at) FROM providers) AS providers_changed_at,
                (SELECT coalesce(max(seq), 0) FROM (SELECT seq FROM article_changes
                    WHERE txid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY seq DESC LIMIT 1) v) AS visible_seq
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<ContentVersion>(new CommandDefinition(sql, cancellationToken: ct));
    }

    // Only changes of transactions older than every one still running: a change that commits late with a
    // lower seq waits for its turn instead of being skipped by a reader that has gone past it.
    public async Task<List<ChangeRow>> ListAsync(long after, IReadOnlyList<string> topics, int take, CancellationToken ct)
    {
        var sql = $"""
            SELECT c.seq, c.changed_at,
                a.listed AND (cardinality(@topics) = 0 OR EXISTS (
                    SELECT 1 FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id AND t.slug = ANY(@topics))) AS listed_now,
                {ArticleSql.SummaryColumns} a.published_at AS sort_time, 0::float8 AS sort_value
            FROM article_changes c
            JOIN articles a ON a.id = c.article_id
            {ArticleSql.Joins}
            WHERE c.seq > @after AND c.txid < pg_snapshot_xmin(pg_current_snapshot())
            {(topics.Count > 0 ? "AND c.topic_ids && ARRAY(SELECT id FROM topics WHERE slug = ANY(@topics))" : "")}
            ORDER BY c.seq
            LIMIT @take
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<ChangeRow, ArticleSummaryRow, ChangeRow>(
            new CommandDefinition(sql, new { after, topics = topics.ToArray(), take }, cancellationToken: ct),
            (change, article) => change with { Article = article }, splitOn: "id");
        return rows.ToList();
    }
}
