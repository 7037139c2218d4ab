extern alias ingest;

using System.Text.Json;
using ingest::Articles.Ingest;
using Articles.Data;
using Articles.Data.Articles;
using Articles.Testing;
using Npgsql;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Articles.Api.Tests;

// The corpus, the seeds and this project's fixtures, loaded once by the real job, served by the API in-process.
public sealed class CorpusApi : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    // The API's repository over the corpus database, with its two pools (IndexReads: topic and provider pages).
    public NpgsqlDataSource IndexReads { get; private set; } = null!;

    public ArticleRepository Repository { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var log = new StringWriter();
        var exit = await JobCommands.RunAsync(
            ["ingest", Corpus.Directory, Corpus.Seeds, Path.Combine(AppContext.BaseDirectory, "Fixtures"),
             "--connection", Database.ConnectionString],
            TextWriter.Null, log, interactive: false, CancellationToken.None);
        Assert.True(exit == 0, log.ToString());
        // These tests walk whole lists from one client: the rate limit has its own tests.
        Factory = ApiFactory.For(Database, ("RateLimits:ClientPerMinute", "1000000"));
        Client = Factory.CreateClient();
        IndexReads = ArticlesDatabase.CreateIndexReadSource(Database.ConnectionString, "articles-api-tests");
        Repository = new ArticleRepository(Database.DataSource, IndexReads);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await IndexReads.DisposeAsync();
        await Factory.DisposeAsync();
        await Database.DisposeAsync();
    }
}

[CollectionDefinition(nameof(CorpusApi))]
public sealed class CorpusCollection : ICollectionFixture<CorpusApi>;

internal static class HttpJson
{
    public static async Task<JsonElement> JsonAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> ProblemAsync(this HttpClient client, string url, int status, string code)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"GET {url}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        Assert.EndsWith(code, problem.GetProperty("type").GetString());
        return problem;
    }

    public static IEnumerable<JsonElement> Items(this JsonElement page) => page.GetProperty("items").EnumerateArray();

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;
}
