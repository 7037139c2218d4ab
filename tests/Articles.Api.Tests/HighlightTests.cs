using System.Text.Json;

namespace Articles.Api.Tests;

// highlight=true: the words a search matched in <mark>, everything else of the source's text escaped.
[Collection(nameof(CorpusApi))]
public sealed class HighlightTests(CorpusApi api)
{
    private readonly HttpClient _client = api.Client;

    [Fact]
    public async Task Markup_in_the_source_is_escaped_and_only_the_matches_are_marked()
    {
        var page = await _client.JsonAsync("/v1/articles?q=zeppelin&highlight=true&topic=fixtures");

        var item = page.Items().Single();
        var highlights = item.GetProperty("highlights");
        Assert.Equal("<mark>Zeppelin</mark> &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot; in a title", highlights.Str("title"));
        // A fragment starts at its first match.
        Assert.Equal("<mark>zeppelin</mark>&lt;/b&gt; excerpt with a stray mark  here and 5 &lt; 6 &gt; 4 &amp; <mark>zeppelins</mark>",
            highlights.Str("excerpt"));
        Assert.DoesNotContain('\uE000', highlights.Str("excerpt"));
        // The plain members stay the source's text.
        Assert.Equal("Zeppelin <script>alert('x')</script> & \"quotes\" in a title", item.Str("title"));
    }

    [Fact]
    public async Task Every_page_shape_of_a_search_can_carry_highlights_and_only_when_asked()
    {
        foreach (var query in new[] { "q=diablo", "q=diablo&sort=relevance", "q=diablo&page=2&limit=5", "q=%22power%20apps%22&fields=id" })
        {
            var page = await _client.JsonAsync($"/v1/articles?{query}&highlight=true");
            var items = page.Items().ToList();
            Assert.NotEmpty(items);
            Assert.All(items, i => Assert.Contains("<mark>", i.GetProperty("highlights").Str("title") + i.GetProperty("highlights").GetProperty("excerpt").GetString()));
            Assert.All(items, i => Assert.DoesNotContain("<", (i.GetProperty("highlights").Str("title") + i.GetProperty("highlights").GetProperty("excerpt").GetString())
                .Replace("<mark>", "").Replace("</mark>", "")));

            var plain = await _client.JsonAsync($"/v1/articles?{query}");
            Assert.Equal(items.Select(i => i.Str("id")), plain.Items().Select(i => i.Str("id")));
            Assert.All(plain.Items(), i => Assert.False(i.TryGetProperty("highlights", out _)));
        }
    }

    [Fact]
    public async Task An_excerpt_is_at_most_three_fragments()
    {
        var page = await _client.JsonAsync("/v1/articles?q=power%20OR%20apps%20OR%20microsoft%20OR%20diablo&highlight=true&limit=100");

        Assert.All(page.Items(), i => Assert.True((i.GetProperty("highlights").GetProperty("excerpt").GetString() ?? "").Split(" … ").Length <= 3));
    }

    [Theory]
    [InlineData("highlight=true", "highlight needs a search (q).")]
    [InlineData("q=diablo&highlight=yes", "Must be true or false.")]
    public async Task A_bad_highlight_is_a_400(string query, string message)
    {
        var problem = await _client.ProblemAsync("/v1/articles?" + query, 400, "invalid-parameter");

        Assert.Equal(message, problem.GetProperty("errors").GetProperty("highlight")[0].GetString());
    }
}
