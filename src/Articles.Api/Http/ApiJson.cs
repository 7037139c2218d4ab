using System.Text.Json.Serialization;
using Articles.Api.Articles;
using Articles.Api.Health;
using Articles.Api.Providers;
using Articles.Api.Topics;

namespace Articles.Api.Http;

// Source-generated serializers for every response body: no reflection on the hot path.
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ArticlePage))]
[JsonSerializable(typeof(ArticleResponse))]
[JsonSerializable(typeof(SimilarArticles))]
[JsonSerializable(typeof(List<ImageResponse>))]
[JsonSerializable(typeof(TopicList))]
[JsonSerializable(typeof(TopicResponse))]
[JsonSerializable(typeof(ProviderPage))]
[JsonSerializable(typeof(ProviderResponse))]
[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(Changes.ChangePage))]
[JsonSerializable(typeof(Root))]
internal sealed partial class ApiJson : JsonSerializerContext
{
    // Every Unicode letter written as itself; HTML-sensitive characters and those outside the BMP still escaped.
    public static readonly System.Text.Encodings.Web.JavaScriptEncoder Encoder =
        System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    // For the bodies written with a Utf8JsonWriter of our own (JsonOk, the JSON Feed).
    public static readonly System.Text.Json.JsonWriterOptions WriterOptions = new() { Encoder = Encoder };
}
