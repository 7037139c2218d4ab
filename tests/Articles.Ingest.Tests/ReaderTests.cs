using System.Text;
using Articles.Ingest.Reading;

namespace Articles.Ingest.Tests;

// Every quirk of the real documents (tests/corpus/README.md and the seeds) read as it should be.
public sealed class ReaderTests
{
    [Fact]
    public void A_seed_document_is_read_with_every_field()
    {
        var result = Documents.ReadFixture("seed-with-related.md");

        var d = Assert.IsType<ReadDocument>(result.Document).Document;
        Assert.Equal("news", d.Category);
        Assert.Equal("Facial recognition is making a comeback in US cities. Here's what we know", d.Title);
        Assert.Equal(new DateTimeOffset(2022, 5, 14, 0, 0, 0, TimeSpan.Zero), d.PublishedAt);
        Assert.Equal("https://amp.interestingengineering.com/facial-recognition-comeback-clearview", d.AmpWebUrl);
        Assert.StartsWith("https://amp-interestingengineering-com.cdn.ampproject.org/", d.CdnAmpWebUrl);
        Assert.Equal((58, -1, false, false), (d.Quality, d.Heat, d.Published, d.Removed));
        Assert.Equal(("Interesting Engineering", "interestingengineering.com"), (d.Provider.Name, d.Provider.Domain));
        Assert.Equal(["Computer Vision", "AI"], d.Topics);
        Assert.Equal((744, 419, true), (d.Images[0].Width, d.Images[0].Height, d.Images[0].IsCached));
        Assert.Equal(3, d.Related.Count);
        var related = d.Related[1];
        Assert.Equal("Los Angeles Daily News", related.ProviderName);
        Assert.Equal("dailynews.com", related.ProviderDomain);
        Assert.Equal(61, related.Quality);
        Assert.Equal("https://www.dailynews.com/wp-content/uploads/2022/05/IDB-L-CHINOPD-0212-16x9-2.jpg?w=1024&h=578", related.Images[0].Url);
        Assert.Null(d.Related[2].AmpWebUrl);
        Assert.EndsWith(";d3rOilqDCBqQYiQFB3Nq9A==", d.Secured);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Crlf_line_endings_and_a_byte_order_mark_read_like_plain_lf()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "crlf-with-bom.md");
        var bytes = File.ReadAllBytes(path);
        // The fixture itself must be what it says (a checkout that rewrote line endings would hollow this test).
        Assert.Equal([0xEF, 0xBB, 0xBF, (byte)'-'], bytes[..4]);
        Assert.Contains("---\r\ncategory", System.Text.Encoding.UTF8.GetString(bytes));
        var crlf = Documents.ReadFixture("crlf-with-bom.md");
        var text = File.ReadAllText(path);
        var lf = Documents.Read(text.TrimStart('\uFEFF').ReplaceLineEndings("\n"));

        Assert.NotNull(crlf.Document);
        Assert.Equal(lf.Document!.ContentHash, crlf.Document.ContentHash);
        Assert.DoesNotContain("\r", crlf.Document.Document.Title!);
    }

    [Fact]
    public void Escapes_entities_emoji_and_unquoted_scalars_are_read_as_written()
    {
        var d = Documents.ReadFixture("quirks.md").Document!.Document;

        // Character references decoded; YAML escapes (\u2028, \n, \") kept as the characters they stand for.
        Assert.Equal("Barron’s take: AT&T & \"friends\" \u2028 line\nbreak 🎮", d.Title);
        Assert.Equal("Unquoted excerpt with a colon-free sentence and an emoji 🚀", d.Excerpt);
        Assert.Equal(("Rock, Paper, Shotgun", "rockpapershotgun.com"), (d.Provider.Name, d.Provider.Domain));
        Assert.Equal("https://example.com/raw%20path/with%20spaces?q=1", d.WebUrl);
        Assert.Equal("c2VjcmV0;aXY=", d.Secured);
    }

    [Fact]
    public void Absent_quality_heat_and_published_mean_no_value_and_published()
    {
        var d = Documents.ReadFixture("video.md").Document!.Document;

        Assert.Equal((null, null, true, false), (d.Quality, d.Heat, d.Published, d.Removed));
    }

    [Fact]
    public void A_video_with_only_an_original_url_is_identified_by_it()
    {
        var read = Documents.ReadFixture("video.md").Document!;

        Assert.Equal("video", read.Document.Type);
        Assert.Null(read.Document.WebUrl);
        Assert.Equal("https://youtube.com/watch?v=9FGveeLt1qk", read.CanonicalUrl);
        Assert.StartsWith("<iframe width=\"800\"", read.Document.FeaturedContent);
    }

    [Fact]
    public void Removed_documents_and_image_titles_and_missing_is_cached_are_kept()
    {
        var d = Documents.ReadFixture("quirks.md").Document!.Document;

        Assert.True(d.Removed);
        Assert.Equal("A picture & its title", d.Images[0].Title);
        Assert.Null(d.Images[0].IsCached);
        Assert.False(d.Images[1].IsCached);
    }

    [Fact]
    public void Null_topic_items_are_dropped_with_a_warning_and_duplicates_folded()
    {
        var result = Documents.ReadFixture("quirks.md");

        Assert.Equal(["Barron's", "Diablo 4"], result.Document!.Document.Topics);
        Assert.Contains(result.Warnings, w => w.Contains("'topics[1]' is empty and was dropped") && w.StartsWith("line 18:"));
    }

    [Fact]
    public void Hundreds_of_related_entries_are_all_kept_in_order()
    {
        var related = string.Concat(Enumerable.Range(0, 180).Select(i => $"""
              - title: "Related {i}"
                webUrl: "https://example.org/{i}"
                provider:
                  name: Org
                  domain: example.org
                quality: {i % 100}

            """));

        var d = Documents.Read(Documents.Valid(extra: "related:\n" + related)).Document!.Document;

        Assert.Equal(180, d.Related.Count);
        Assert.Equal("Related 179", d.Related[179].Title);
    }

    [Fact]
    public void A_file_of_150_kilobytes_is_read()
    {
        var excerpt = new string('x', 15_000);
        var related = string.Concat(Enumerable.Range(0, 10).Select(i => $"""
              - title: "R{i}"
                excerpt: "{excerpt}"

            """));
        var text = Documents.Valid(extra: "related:\n" + related);

        Assert.InRange(Encoding.UTF8.GetByteCount(text), 150_000, 160_000);
        Assert.NotNull(Documents.Read(text).Document);
    }

    [Fact]
    public void The_content_hash_changes_with_any_field_and_only_with_content()
    {
        var a = Documents.Read(Documents.Valid()).Document!;
        var same = Documents.Read(Documents.Valid().Replace("\n", "\r\n")).Document!;
        var other = Documents.Read(Documents.Valid(title: "Another title")).Document!;

        Assert.Equal(a.ContentHash, same.ContentHash);
        Assert.NotEqual(a.ContentHash, other.ContentHash);
    }

    [Fact]
    public void Unknown_keys_are_ignored_with_a_warning()
    {
        var result = Documents.Read(Documents.Valid(extra: "sponsor: acme"));

        Assert.NotNull(result.Document);
        Assert.Contains(result.Warnings, w => w.Contains("unknown key 'sponsor'"));
    }

    // Every key was compared with every earlier one (27 s for such a file), and each made a warning.
    [Theory]
    [InlineData("k{0}: v", 95_000)]
    [InlineData("k{0}: [v]", 80_000)]
    public void A_megabyte_of_unknown_keys_reads_in_linear_time_with_the_warnings_counted(string line, int count)
    {
        var keys = string.Join('\n', Enumerable.Range(0, count).Select(i => string.Format(line, i)));
        var text = Documents.Valid(extra: keys);
        Assert.InRange(Encoding.UTF8.GetByteCount(text), 900_000, FrontMatter.MaxFileBytes);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = Documents.Read(text);

        Assert.NotNull(result.Document);
        Assert.Equal(11, result.Warnings.Count);
        Assert.Equal($"{count - 10:N0} more unknown keys were ignored", result.Warnings[^1]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }
}
