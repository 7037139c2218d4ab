using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Articles.Api.Feeds;

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1); a member that is null is left out.
internal sealed record JsonFeed(
    string Version, string Title, string HomePageUrl, string FeedUrl, string Description, string? NextUrl, IReadOnlyList<JsonFeedItem> Items);

// Extensions start with an underscore (JSON Feed 1.1, "Extensions").
internal sealed record JsonFeedItem(
    string Id, string? Url, string Title, string ContentText, string? Summary, string? Image, string DatePublished,
    IReadOnlyList<JsonFeedAuthor> Authors, IReadOnlyList<string> Tags, [property: JsonPropertyName("_articles")] JsonFeedAmp? Articles);

internal sealed record JsonFeedAuthor(string Name, string Url);

internal sealed record JsonFeedAmp(string AmpUrl);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonFeed))]
internal sealed partial class JsonFeedJson : JsonSerializerContext;

internal static class JsonFeedWriter
{
    public static void Write(Feed feed, Stream output)
    {
        var items = feed.Items.Select(item => new JsonFeedItem(
            Feed.EntryId(item), Feed.Link(item), item.Title, item.Excerpt ?? item.Title, item.Excerpt, item.ImageUrl,
            item.PublishedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            [new JsonFeedAuthor(item.ProviderName, $"https://{item.ProviderDomain}")], item.TopicNames,
            item.AmpWebUrl is null ? null : new JsonFeedAmp(item.AmpWebUrl))).ToList();
        // The writer's encoder (ApiJson's) keeps non-ASCII text as itself.
        using var json = new Utf8JsonWriter(output, Http.ApiJson.WriterOptions);
        JsonSerializer.Serialize(json, new JsonFeed("https://jsonfeed.org/version/1.1", feed.Title, feed.HomeUrl, feed.SelfUrl,
            feed.Description, feed.NextUrl, items), JsonFeedJson.Default.JsonFeed);
    }
}
