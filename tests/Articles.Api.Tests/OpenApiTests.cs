using System.Text.Json;
using System.Text.Json.Nodes;
using Articles.Testing;

namespace Articles.Api.Tests;

public sealed class OpenApiTests
{
    private static readonly string Committed = Path.Combine(Corpus.RepositoryRoot, "openapi.json");

    private static async Task<string> ServedAsync()
    {
        // Serving the document needs no database.
        using var api = ApiFactory.For("Host=127.0.0.1;Port=1;Username=nobody");
        return Normalize(await api.CreateClient().GetStringAsync("/swagger/v1/swagger.json"));
    }

    private static string Normalize(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    // To regenerate after an API change: ARTICLES_WRITE_OPENAPI=1 ./test.sh --filter OpenApi (see README). That run
    // still fails when the file was out of date (after rewriting it), so it never passes by comparing a file with itself.
    [Fact]
    public async Task The_served_document_is_the_committed_openapi_json()
    {
        var served = await ServedAsync();
        var committed = File.Exists(Committed) ? Normalize(await File.ReadAllTextAsync(Committed)) : null;
        if (committed != served && Environment.GetEnvironmentVariable("ARTICLES_WRITE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(Committed, served);
            Assert.Fail($"{Committed} was out of date and has been rewritten from the served document: review and commit it.");
        }

        Assert.True(committed is not null, $"{Committed} is missing");
        Assert.Equal(committed, served);
    }

    [Fact]
    public async Task Every_operation_has_a_summary_a_success_schema_and_its_problem_responses()
    {
        var document = JsonNode.Parse(await ServedAsync())!;

        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            var get = item!["get"]!;
            Assert.False(string.IsNullOrWhiteSpace(get["summary"]?.GetValue<string>()), path);
            var content = get["responses"]!["200"]!["content"]!.AsObject();
            if (path.Contains("/feed."))
            {
                var type = Assert.Single(content).Key;
                Assert.Equal(path.EndsWith(".json") ? "application/feed+json" : path.EndsWith(".atom") ? "application/atom+xml" : "application/rss+xml", type);
                Assert.NotNull(get["responses"]!["304"]);
            }
            else
            {
                Assert.NotNull(content["application/json"]!["schema"]);
            }
            if (path.Contains('{'))
            {
                Assert.NotNull(get["responses"]!["404"]);
                Assert.Equal("application/problem+json", get["responses"]!["404"]!["content"]!.AsObject().Single().Key);
            }
            foreach (var parameter in get["parameters"]?.AsArray() ?? [])
            {
                Assert.False(string.IsNullOrWhiteSpace(parameter!["description"]?.GetValue<string>()) && parameter["in"]!.GetValue<string>() == "query",
                    $"{path} {parameter["name"]} has no description");
            }
        }
        var limit = document["paths"]!["/v1/articles"]!["get"]!["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "limit")!;
        Assert.Equal((1, 100, 20), (limit["schema"]!["minimum"]!.GetValue<int>(), limit["schema"]!["maximum"]!.GetValue<int>(),
            limit["schema"]!["default"]!.GetValue<int>()));
    }
}
