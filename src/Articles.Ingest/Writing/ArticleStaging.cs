using System.Text.Json;
using Articles.Ingest.Reading;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Articles.Ingest.Writing;

// staged_articles: a batch's articles, COPY-fed, from which one statement upserts them all.
internal static class ArticleStaging
{
    public static async Task CreateAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        const string sql = """
            CREATE TEMP TABLE IF NOT EXISTS staged_articles (
                ord int, public_id uuid, canonical_url text, category text, type text, title text, excerpt text,
                published_at timestamptz, original_url text, web_url text, amp_web_url text, cdn_amp_web_url text,
                quality int, heat int, published bool, removed bool, featured_content text,
                provider_domain text, provider_name text, provider_images jsonb, secured text, content_hash bytea,
                winner_path text, source_paths text[], topic_names text[], topic_slugs text[])
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: ct));
    }

    public static async Task CopyAsync(NpgsqlConnection connection, List<ArticlePlan> articles, Dictionary<string, Topic> topics, CancellationToken ct)
    {
        const string copy = """
            COPY staged_articles (ord, public_id, canonical_url, category, type, title, excerpt, published_at, original_url,
                web_url, amp_web_url, cdn_amp_web_url, quality, heat, published, removed, featured_content,
                provider_domain, provider_name, provider_images, secured, content_hash, winner_path, source_paths,
                topic_names, topic_slugs) FROM STDIN (FORMAT BINARY)
            """;
        await using var importer = await connection.BeginBinaryImportAsync(copy, ct);
        var ord = 0;
        foreach (var article in articles)
        {
            var read = article.Winner!;
            var d = read.Document;
            importer.StartRow();
            importer.WriteAll(ord++, read.PublicId, read.CanonicalUrl, d.Category, d.Type, d.Title, d.Excerpt, read.PublishedAt,
                d.OriginalUrl, d.WebUrl, d.AmpWebUrl, d.CdnAmpWebUrl, d.Quality, d.Heat, d.Published, d.Removed, d.FeaturedContent,
                d.Provider.Domain, d.Provider.Name ?? d.Provider.Domain);
            importer.Write(Json(d.Provider.Logos), NpgsqlDbType.Jsonb);
            // A topic's name is the one it was first written with, which may not be this document's spelling.
            importer.WriteAll(d.Secured, read.ContentHash, article.WinnerPath, article.Paths.ToArray(),
                read.TopicSlugs.Select(slug => topics[slug].Name).ToArray(), read.TopicSlugs.ToArray());
        }
        await importer.CompleteAsync(ct);
    }

    // Columns whose type follows from the value's own (text, integer, boolean, uuid, timestamptz, bytea, text[]); null is NULL.
    public static void WriteAll(this NpgsqlBinaryImporter importer, params object?[] values)
    {
        foreach (var value in values)
        {
            importer.Write(value);
        }
    }

    // Images as jsonb: [{url, width, height, isCached, title}], nulls left out.
    public static string Json(IReadOnlyList<ImageDocument> images) =>
        images.Count == 0 ? "[]" : JsonSerializer.Serialize(images, StoreJson.Default.IReadOnlyListImageDocument);
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<ImageDocument>))]
internal sealed partial class StoreJson : System.Text.Json.Serialization.JsonSerializerContext;
