using System.Globalization;
using System.Text.Json;

namespace Articles.Api.Feeds;

internal static class JsonFeedWriter
{
    // JSON Feed 1.1 (https://jsonfeed.org/version/1.1).
    public static byte[] Write(Feed feed)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Http.ApiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("version", "https://jsonfeed.org/version/1.1");
            json.WriteString("title", feed.Title);
            json.WriteString("home_page_url", feed.HomeUrl);
            json.WriteString("feed_url", feed.SelfUrl);
            json.WriteString("description", feed.Description);
            if (feed.NextUrl is not null)
            {
                json.WriteString("next_url", feed.NextUrl);
            }
            json.WriteStartArray("items");
            foreach (var item in feed.Items)
            {
                json.WriteStartObject();
                json.WriteString("id", Feed.EntryId(item));
                if (Feed.Link(item) is { } link)
                {
                    json.WriteString("url", link);
                }
                json.WriteString("title", item.Title);
                json.WriteString("content_text", item.Excerpt ?? item.Title);
                if (item.Excerpt is not null)
                {
                    json.WriteString("summary", item.Excerpt);
                }
                if (item.ImageUrl is not null)
                {
                    json.WriteString("image", item.ImageUrl);
                }
                json.WriteString("date_published", item.PublishedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                json.WriteStartArray("authors");
                json.WriteStartObject();
                json.WriteString("name", item.ProviderName);
                json.WriteString("url", $"https://{item.ProviderDomain}");
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteStartArray("tags");
                foreach (var tag in item.TopicNames)
                {
                    json.WriteStringValue(tag);
                }
                json.WriteEndArray();
                // Extensions start with an underscore (JSON Feed 1.1, "Extensions").
                if (item.AmpWebUrl is not null)
                {
                    json.WriteStartObject("_articles");
                    json.WriteString("amp_url", item.AmpWebUrl);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
