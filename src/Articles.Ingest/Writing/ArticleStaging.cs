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
            importer.Write(ord++, NpgsqlDbType.Integer);
            importer.Write(read.PublicId, NpgsqlDbType.Uuid);
            importer.Write(read.CanonicalUrl, NpgsqlDbType.Text);
            importer.Write(d.Category);
            importer.Write(d.Type, NpgsqlDbType.Text);
            importer.Write(d.Title!, NpgsqlDbType.Text);
            importer.Write(d.Excerpt);
            importer.Write(read.PublishedAt, NpgsqlDbType.TimestampTz);
            importer.Write(d.OriginalUrl);
            importer.Write(d.WebUrl);
            importer.Write(d.AmpWebUrl);
            importer.Write(d.CdnAmpWebUrl);
            importer.Write(d.Quality);
            importer.Write(d.Heat);
            importer.Write(d.Published, NpgsqlDbType.Boolean);
            importer.Write(d.Removed, NpgsqlDbType.Boolean);
            importer.Write(d.FeaturedContent);
            importer.Write(d.Provider.Domain!, NpgsqlDbType.Text);
            importer.Write(d.Provider.Name ?? d.Provider.Domain!, NpgsqlDbType.Text);
            importer.Write(Json(d.Provider.Logos), NpgsqlDbType.Jsonb);
            importer.Write(d.Secured);
            importer.Write(read.ContentHash, NpgsqlDbType.Bytea);
            importer.Write(article.WinnerPath!, NpgsqlDbType.Text);
            importer.Write(article.Paths.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            // A topic's name is the one it was first written with, which may not be this document's spelling.
            importer.Write(read.TopicSlugs.Select(slug => topics[slug].Name).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            importer.Write(read.TopicSlugs.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        }
        await importer.CompleteAsync(ct);
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
