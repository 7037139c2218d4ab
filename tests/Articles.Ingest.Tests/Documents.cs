using System.Text;
using Articles.Ingest.Reading;

namespace Articles.Ingest.Tests;

// Builds article documents as text, so each test shows exactly the lines it is about.
internal static class Documents
{
    public static string Valid(
        string url = "https://example.com/a",
        string title = "A title",
        string published = "2023-01-02T03:04:05Z",
        string topics = "  - AI",
        string extra = "") => $"""
        ---
        category: news
        title: "{title}"
        excerpt: "An excerpt."
        publishedDateTime: {published}
        originalUrl: "{url}"
        webUrl: "{url}"
        type: article
        quality: 50
        heat: 10
        published: true
        {extra}
        provider:
          name: Example
          domain: example.com

        topics:
        {topics}

        secured: "c2VjcmV0;aXY="
        ---

        """;

    public static ReadResult Read(string text) => Read(Encoding.UTF8.GetBytes(text));

    public static ReadResult Read(byte[] bytes) =>
        new DocumentReader(new DocumentValidator(TimeProvider.System)).Read("test.md", bytes, []);

    public static ReadResult ReadFixture(string name) =>
        new DocumentReader(new DocumentValidator(TimeProvider.System)).Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));
}
