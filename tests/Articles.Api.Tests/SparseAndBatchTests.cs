using System.Text.Json;
using Articles.Data;

namespace Articles.Api.Tests;

// fields= (only the members asked, id always) and ids= (a batch of articles in the order asked).
[Collection(nameof(CorpusApi))]
public sealed class SparseAndBatchTests(CorpusApi api)
{
    private readonly HttpClient _client = api.Client;

    private static string IdOf(string url) => Identity.PublicId(url).ToString();

    private static List<string> Members(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToList();

    [Fact]
    public async Task A_list_with_fields_writes_only_those_members_of_each_item_and_keeps_its_paging()
    {
        var full = await _client.JsonAsync("/v1/articles?limit=7");
        var sparse = await _client.JsonAsync("/v1/articles?limit=7&fields=title,image,webUrl");

        Assert.Equal(full.Items().Select(i => i.Str("id")), sparse.Items().Select(i => i.Str("id")));
        foreach (var (whole, thin) in full.Items().Zip(sparse.Items()))
        {
            Assert.Equal(["id", "title", "webUrl", "image"], Members(thin));
            Assert.Equal(whole.GetProperty("image").GetRawText(), thin.GetProperty("image").GetRawText());
            Assert.Equal(whole.GetProperty("webUrl").GetRawText(), thin.GetProperty("webUrl").GetRawText());
        }
        Assert.Equal(["items", "paging", "links"], Members(sparse));
        var next = sparse.GetProperty("links").Str("next");
        Assert.Contains("fields=title", Uri.UnescapeDataString(next));
        var second = await _client.JsonAsync(next);
        Assert.All(second.Items(), i => Assert.Equal(["id", "title", "webUrl", "image"], Members(i)));

        // Without the image its join is not read, and numbered pages take fields too.
        var numbered = await _client.JsonAsync("/v1/articles?limit=7&page=1&fields=id");
        Assert.Equal(full.Items().Select(i => i.Str("id")), numbered.Items().Select(i => i.Str("id")));
        Assert.All(numbered.Items(), i => Assert.Equal(["id"], Members(i)));
        Assert.True(numbered.GetProperty("paging").GetProperty("totalItems").GetInt64() > 7);
    }

    [Theory]
    [InlineData("fields=*", "Unknown field '*'")]
    [InlineData("fields=title,bogus", "Unknown field 'bogus'")]
    [InlineData("fields=", "Name at least one field")]
    [InlineData("fields=,", "Name at least one field")]
    [InlineData("fields=related", "Unknown field 'related'")]
    public async Task Unknown_fields_are_a_400_listing_the_allowed_ones(string query, string message)
    {
        var problem = await _client.ProblemAsync("/v1/articles?" + query, 400, "invalid-parameter");

        var error = problem.GetProperty("errors").GetProperty("fields")[0].GetString()!;
        Assert.StartsWith(message, error);
        Assert.EndsWith("allowed: id, type, title, excerpt, publishedDateTime, webUrl, ampWebUrl, quality, heat, provider, topics, image.", error);
    }

    [Fact]
    public async Task One_article_with_fields_writes_only_those_members()
    {
        var url = "https://interestingengineering.com/facial-recognition-comeback-clearview";
        var whole = await _client.JsonAsync($"/v1/articles/{IdOf(url)}");

        var thin = await _client.JsonAsync($"/v1/articles/{IdOf(url)}?fields=related,TITLE,published");
        Assert.Equal(["id", "title", "published", "related"], Members(thin));
        Assert.Equal(whole.GetProperty("related").GetRawText(), thin.GetProperty("related").GetRawText());
        Assert.False(thin.GetProperty("published").GetBoolean());

        var looked = await _client.JsonAsync($"/v1/articles/lookup?url={Uri.EscapeDataString(url)}&fields=provider,topics");
        Assert.Equal(["id", "provider", "topics"], Members(looked));
        Assert.Equal(whole.GetProperty("provider").GetRawText(), looked.GetProperty("provider").GetRawText());
        Assert.Equal(whole.GetProperty("topics").GetRawText(), looked.GetProperty("topics").GetRawText());

        var problem = await _client.ProblemAsync($"/v1/articles/{IdOf(url)}?fields=image", 400, "invalid-parameter");
        Assert.Contains("related.", problem.GetProperty("errors").GetProperty("fields")[0].GetString());
        await _client.ProblemAsync($"/v1/articles/lookup?url={Uri.EscapeDataString(url)}&fields=*", 400, "invalid-parameter");
    }

    [Fact]
    public async Task A_batch_serves_the_ids_asked_in_their_order_once_each_and_says_which_are_missing()
    {
        var listed = (await _client.JsonAsync("/v1/articles?limit=5")).Items().ToList();
        var unpublished = IdOf("https://interestingengineering.com/facial-recognition-comeback-clearview");
        var removed = IdOf("https://example.org/removed");
        var unknown = Guid.NewGuid().ToString();
        string[] asked = [listed[3].Str("id"), unknown, listed[0].Str("id"), removed, unpublished, listed[3].Str("id").ToUpperInvariant()];

        var batch = await _client.JsonAsync($"/v1/articles?ids={string.Join(",", asked.Take(3))}&ids={string.Join(",", asked.Skip(3))}");

        Assert.Equal([listed[3].Str("id"), listed[0].Str("id"), unpublished], batch.Items().Select(i => i.Str("id")));
        Assert.Equal(listed[3].GetRawText(), batch.Items().First().GetRawText());
        var missing = batch.GetProperty("missing").EnumerateArray().Select(m => (m.Str("id"), m.GetProperty("status").GetInt32())).ToList();
        Assert.Equal([(unknown, 404), (removed, 410)], missing);
        Assert.Equal("ids", batch.GetProperty("paging").Str("sort"));
        Assert.Equal(JsonValueKind.Null, batch.GetProperty("links").GetProperty("next").ValueKind);

        var thin = await _client.JsonAsync($"/v1/articles?ids={unpublished}&fields=title");
        Assert.Equal(["id", "title"], Members(thin.Items().Single()));
        Assert.Empty(thin.GetProperty("missing").EnumerateArray());

        // A list that is not a batch has no missing member at all.
        Assert.False((await _client.JsonAsync("/v1/articles?limit=1")).TryGetProperty("missing", out _));
    }

    [Theory]
    [InlineData("ids=not-a-uuid", "ids[0]", "Must be an article id")]
    [InlineData("ids=", "ids", "Give 1 to 100")]
    [InlineData("ids=00000000-0000-0000-0000-000000000001&topic=ai", "ids", "ids takes no other parameter but fields; remove topic.")]
    [InlineData("ids=00000000-0000-0000-0000-000000000001&cursor=abc&page=2", "ids", "ids takes no other parameter but fields; remove page, cursor.")]
    [InlineData("ids=00000000-0000-0000-0000-000000000001&q=robot&sort=newest&limit=5", "ids", "ids takes no other parameter but fields; remove q, sort, limit.")]
    public async Task A_batch_with_bad_ids_or_other_parameters_is_a_400(string query, string key, string message)
    {
        var problem = await _client.ProblemAsync("/v1/articles?" + query, 400, "invalid-parameter");

        Assert.StartsWith(message, problem.GetProperty("errors").GetProperty(key)[0].GetString());
    }

    [Fact]
    public async Task A_hundred_ids_are_served_and_a_hundred_and_one_refused()
    {
        var ids = Enumerable.Range(0, 101).Select(_ => Guid.NewGuid().ToString()).ToList();

        var hundred = await _client.JsonAsync($"/v1/articles?ids={string.Join(",", ids.Take(100))}");
        Assert.Equal(100, hundred.GetProperty("missing").GetArrayLength());
        var problem = await _client.ProblemAsync($"/v1/articles?ids={string.Join(",", ids)}", 400, "invalid-parameter");
        Assert.StartsWith("Give 1 to 100 article ids", problem.GetProperty("errors").GetProperty("ids")[0].GetString());
    }
}
