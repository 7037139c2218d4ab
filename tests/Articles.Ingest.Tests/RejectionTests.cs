using System.Diagnostics;
using System.Text;
using Articles.Ingest.Reading;

namespace Articles.Ingest.Tests;

// Bad and hostile documents are rejected with a reason that names the field and, for YAML, the line.
public sealed class RejectionTests
{
    private static Problem Rejected(string text) => Rejected(Encoding.UTF8.GetBytes(text));

    private static Problem Rejected(byte[] bytes)
    {
        var watch = Stopwatch.StartNew();
        var result = Documents.Read(bytes);
        // Hostile input costs no more than its size: nothing here may take long.
        Assert.InRange(watch.ElapsedMilliseconds, 0, 2_000);
        Assert.Null(result.Document);
        return Assert.Single(result.Problems.Take(1));
    }

    [Theory]
    [InlineData("title", "'title' must not be empty.")]
    [InlineData("publishedDateTime", "'publishedDateTime' must be given")]
    public void Missing_required_fields_are_named(string field, string reason)
    {
        var text = string.Join('\n', Documents.Valid().Split('\n').Where(l => !l.StartsWith(field + ":")));

        var problem = Rejected(text);

        Assert.Equal(field, problem.Field);
        Assert.StartsWith(reason, problem.Reason);
    }

    [Fact]
    public void A_document_without_any_url_is_rejected()
    {
        var text = string.Join('\n', Documents.Valid().Split('\n').Where(l => !l.Contains("Url:")));

        var problem = Rejected(text);

        Assert.Equal("originalUrl", problem.Field);
        Assert.Contains("'webUrl' or 'originalUrl' must be given", problem.Reason);
    }

    [Theory]
    [InlineData("ftp://example.com/a")]
    [InlineData("/relative/path")]
    [InlineData("javascript:alert(1)")]
    public void A_canonical_url_that_is_not_an_absolute_web_address_is_rejected(string url)
    {
        var problem = Rejected(Documents.Valid(url: url));

        Assert.Equal("webUrl", problem.Field);
        Assert.Contains("absolute http or https URL", problem.Reason);
    }

    [Fact]
    public void A_missing_provider_domain_is_rejected()
    {
        var problem = Rejected(Documents.Valid().Replace("  domain: example.com\n", ""));

        Assert.Equal("provider.domain", problem.Field);
    }

    [Theory]
    [InlineData("quality: 50", "quality: -3", "quality")]
    [InlineData("quality: 50", "quality: 99999999", "quality")]
    [InlineData("heat: 10", "heat: -7", "heat")]
    [InlineData("type: article", "type: podcast", "type")]
    [InlineData("publishedDateTime: 2023-01-02T03:04:05Z", "publishedDateTime: 9999-12-31T00:00:00Z", "publishedDateTime")]
    [InlineData("publishedDateTime: 2023-01-02T03:04:05Z", "publishedDateTime: 1900-01-01T00:00:00Z", "publishedDateTime")]
    public void Absurd_values_are_rejected(string line, string replacement, string field)
    {
        var problem = Rejected(Documents.Valid().Replace(line, replacement));

        Assert.Equal(field, problem.Field);
    }

    [Theory]
    [InlineData("quality: 50", "quality: fifty", "quality", "must be a whole number")]
    [InlineData("published: true", "published: maybe", "published", "must be true or false")]
    [InlineData("publishedDateTime: 2023-01-02T03:04:05Z", "publishedDateTime: yesterday", "publishedDateTime", "must be a date-time")]
    [InlineData("quality: 50", "quality: [1, 2]", "quality", "must be a single value")]
    [InlineData("  - AI", "  - [nested, list]", "topics[0]", "must be a single value")]
    public void Values_of_the_wrong_type_name_their_field_and_line(string line, string replacement, string field, string reason)
    {
        var text = Documents.Valid().Replace(line, replacement);
        var expectedLine = Array.FindIndex(text.Split('\n'), l => l.Contains(replacement.Trim())) + 1;

        var problem = Rejected(text);

        Assert.Equal(field, problem.Field);
        Assert.Contains(reason, problem.Reason);
        Assert.Equal(expectedLine, problem.Line);
    }

    [Fact]
    public void Too_many_topics_are_rejected()
    {
        var topics = string.Join('\n', Enumerable.Range(0, 1_000).Select(i => $"  - T{i}"));

        var problem = Rejected(Documents.Valid(topics: topics));

        Assert.Equal("topics", problem.Field);
    }

    [Fact]
    public void A_yaml_syntax_error_gives_its_line_and_column()
    {
        var text = Documents.Valid().Replace("type: article", "type: \"unterminated");

        var problem = Rejected(text);

        Assert.StartsWith("YAML syntax error", problem.Reason);
        Assert.NotNull(problem.Line);
        Assert.NotNull(problem.Column);
    }

    [Fact]
    public void Tabs_used_for_indentation_are_a_syntax_error()
    {
        var problem = Rejected(Documents.Valid().Replace("  name: Example", "\tname: Example"));

        Assert.StartsWith("YAML syntax error", problem.Reason);
    }

    [Fact]
    public void Anchors_and_aliases_are_refused_so_a_billion_laughs_costs_nothing()
    {
        var bomb = new StringBuilder("---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i < 10; i++)
        {
            bomb.Append($"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(',', Enumerable.Repeat($"*{(char)('a' + i - 1)}", 9))}]\n");
        }
        bomb.Append("---\n");

        var problem = Rejected(bomb.ToString());

        Assert.Contains("anchors are not allowed", problem.Reason);
        Assert.Equal(2, problem.Line);
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var deep = "---\ntitle: " + new string('[', 10_000) + new string(']', 10_000) + "\n---\n";

        var problem = Rejected(deep);

        Assert.Contains("nesting deeper than", problem.Reason);
    }

    [Fact]
    public void Custom_tags_are_refused()
    {
        var problem = Rejected(Documents.Valid(title: "x").Replace("title: \"x\"", "title: !!python/object:os.system \"x\""));

        Assert.Contains("tag", problem.Reason);
    }

    [Fact]
    public void Duplicate_keys_are_refused()
    {
        var problem = Rejected(Documents.Valid().Replace("quality: 50", "quality: 50\nquality: 60"));

        Assert.Equal("quality", problem.Field);
        Assert.Contains("duplicate key", problem.Reason);
    }

    [Fact]
    public void A_second_yaml_document_inside_the_front_matter_is_refused()
    {
        var problem = Rejected("---\ntitle: a\n...\n--- b: 1\n---\n");

        Assert.Contains("more than one YAML document", problem.Reason);
        Assert.Equal(4, problem.Line);
    }

    [Theory]
    [InlineData("just some text\n", "the first line is not '---'")]
    [InlineData("", "the first line is not '---'")]
    [InlineData("---\ntitle: a\n", "no closing '---' line")]
    [InlineData("---\n---\n", "front matter is empty")]
    [InlineData("---\n- a\n- b\n---\n", "not a mapping")]
    public void Files_that_are_not_front_matter_documents_are_refused(string text, string reason)
    {
        Assert.Contains(reason, Rejected(text).Reason);
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        var text = Documents.Valid();

        Assert.Contains("no closing '---' line", Rejected(text[..(text.Length / 2)]).Reason);
    }

    [Fact]
    public void Nul_bytes_are_refused()
    {
        var bytes = Encoding.UTF8.GetBytes(Documents.Valid());
        bytes[20] = 0;

        Assert.Contains("NUL byte at offset 20", Rejected(bytes).Reason);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        var bytes = Encoding.UTF8.GetBytes(Documents.Valid());
        bytes[20] = 0xC3;
        bytes[21] = 0x28;

        Assert.Contains("not valid UTF-8", Rejected(bytes).Reason);
    }

    [Fact]
    public void Utf16_is_refused()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Documents.Valid())).ToArray();

        Assert.Contains("UTF-16", Rejected(bytes).Reason);
    }

    [Fact]
    public void Files_over_the_size_cap_are_refused_without_parsing()
    {
        var huge = Encoding.UTF8.GetBytes(Documents.Valid(title: new string('x', FrontMatter.MaxFileBytes)));

        Assert.Contains("over the", Rejected(huge).Reason);
    }
}
