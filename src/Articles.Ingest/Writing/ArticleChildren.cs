using Articles.Ingest.Reading;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Articles.Ingest.Writing;

internal sealed record Topic(int Id, string Name);

// What hangs off a written article: its topics, images, related links, and its provider's logos.
internal sealed class ArticleChildren(NpgsqlConnection connection)
{
    public async Task<Dictionary<string, Topic>> UpsertTopicsAsync(List<ArticlePlan> articles, NpgsqlTransaction tx, CancellationToken ct)
    {
        // The first name a slug is written with stays its name.
        var names = articles.SelectMany(a => a.Winner!.TopicSlugs.Zip(a.Winner.Document.Topics, (slug, name) => (Slug: slug, Name: name)))
            .DistinctBy(t => t.Slug, StringComparer.Ordinal).ToDictionary(t => t.Slug, t => t.Name, StringComparer.Ordinal);
        if (names.Count == 0)
        {
            return [];
        }
        var args = new { slugs = names.Keys.ToArray(), names = names.Values.ToArray() };
        const string insert = "INSERT INTO topics (slug, name) SELECT * FROM unnest(@slugs, @names) ORDER BY 1 ON CONFLICT (slug) DO NOTHING";
        await connection.ExecuteAsync(new CommandDefinition(insert, args, tx, cancellationToken: ct));
        var rows = await connection.QueryAsync<(string Slug, int Id, string Name)>(new CommandDefinition(
            "SELECT slug, id, name FROM topics WHERE slug = ANY(@slugs)", args, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.Slug, r => new Topic(r.Id, r.Name), StringComparer.Ordinal);
    }

    // Each link carries copies of its article's sort key, listed state and provider, which topic pages read.
    public Task CopyTopicsAsync(List<ArticlePlan> articles, Dictionary<string, long> ids, Dictionary<string, Topic> topicIds,
        Dictionary<long, int> providerIds, CancellationToken ct) =>
        CopyAsync("COPY article_topics (article_id, position, topic_id, published_at, listed, provider_id) FROM STDIN (FORMAT BINARY)",
            Children(articles, ids, r => r.TopicSlugs), (importer, row) =>
            {
                var listed = row.Document.Published && !row.Document.Removed;
                importer.Write(topicIds[row.Item].Id, NpgsqlDbType.Integer);
                importer.Write(row.Document.PublishedAt!.Value, NpgsqlDbType.TimestampTz);
                importer.Write(listed, NpgsqlDbType.Boolean);
                importer.Write(providerIds[row.ArticleId], NpgsqlDbType.Integer);
            }, ct);

    public Task CopyImagesAsync(List<ArticlePlan> articles, Dictionary<string, long> ids, CancellationToken ct) =>
        CopyAsync("COPY article_images (article_id, position, url, width, height, is_cached, title) FROM STDIN (FORMAT BINARY)",
            Children(articles, ids, r => r.Document.Images), (importer, row) =>
                importer.WriteAll(row.Item.Url, row.Item.Width, row.Item.Height, row.Item.IsCached, row.Item.Title), ct);

    public Task CopyRelatedAsync(List<ArticlePlan> articles, Dictionary<string, long> ids, CancellationToken ct)
    {
        const string copy = """
            COPY related_links (article_id, position, title, excerpt, published_at, web_url, amp_web_url, cdn_amp_web_url,
                type, provider_name, provider_domain, quality, images) FROM STDIN (FORMAT BINARY)
            """;
        return CopyAsync(copy, Children(articles, ids, r => r.Document.Related), (importer, row) =>
        {
            var r = row.Item;
            importer.WriteAll(r.Title, r.Excerpt, r.PublishedAt, r.WebUrl, r.AmpWebUrl, r.CdnAmpWebUrl, r.Type, r.ProviderName, r.ProviderDomain, r.Quality);
            importer.Write(ArticleStaging.Json(r.Images), NpgsqlDbType.Jsonb);
        }, ct);
    }

    private sealed record Child<T>(long ArticleId, short Position, ArticleDocument Document, T Item);

    // The rows of one child table: each written article's items with their position in the document.
    private static IEnumerable<Child<T>> Children<T>(
        List<ArticlePlan> articles, Dictionary<string, long> ids, Func<ReadDocument, IReadOnlyList<T>> items) =>
        articles.Select(a => a.Winner!).SelectMany(read => items(read)
            .Select((item, i) => new Child<T>(ids[read.CanonicalUrl], (short)i, read.Document, item)));

    // Binary COPY of child rows; every child table starts with (article_id, position).
    private async Task CopyAsync<T>(string copy, IEnumerable<Child<T>> rows, Action<NpgsqlBinaryImporter, Child<T>> writeRest, CancellationToken ct)
    {
        await using var importer = await connection.BeginBinaryImportAsync(copy, ct);
        foreach (var row in rows)
        {
            importer.StartRow();
            importer.Write(row.ArticleId, NpgsqlDbType.Bigint);
            importer.Write(row.Position, NpgsqlDbType.Smallint);
            writeRest(importer, row);
        }
        await importer.CompleteAsync(ct);
    }

    public async Task WriteLogosAsync(List<ArticlePlan> articles, NpgsqlTransaction tx, CancellationToken ct)
    {
        // Logos are rare: a provider's list is replaced by the last document in the batch that carries one.
        var logos = articles.Select(a => a.Winner!.Document.Provider)
            .Where(p => p.Logos.Count > 0)
            .GroupBy(p => p.Domain!).Select(g => g.Last())
            .SelectMany(p => p.Logos.Select((l, i) => new
            {
                Domain = p.Domain!, Position = (short)i, l.Url, l.Width, l.Height, l.IsCached, l.Title,
            }))
            .ToList();
        if (logos.Count == 0)
        {
            return;
        }
        const string sql = """
            DELETE FROM provider_logos l USING providers p WHERE l.provider_id = p.id AND p.domain = ANY(@domains);
            """;
        const string insert = """
            INSERT INTO provider_logos (provider_id, position, url, width, height, is_cached, title)
            SELECT id, @Position, @Url, @Width, @Height, @IsCached, @Title FROM providers WHERE domain = @Domain
            """;
        await connection.ExecuteAsync(new CommandDefinition(
            sql, new { domains = logos.Select(l => l.Domain).Distinct().ToArray() }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(insert, logos, tx, cancellationToken: ct));
    }
}
