extern alias ingest;

using System.Net;
using System.Text.Json;
using Articles.Data;
using Articles.Testing;
using Dapper;
using ingest::Articles.Ingest;

namespace Articles.Api.Tests;

// The rolling-upgrade rule: a build serves from its own schema version or a later one that only expanded the schema,
// and not from an older one or one whose floor (min_build_version) is above it. The job follows the same rule.
public sealed class SchemaCompatibilityTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private int Next => Migrator.LatestVersion + 1;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        Assert.Equal(0, await IngestAsync());
    }

    public Task DisposeAsync() => _database.DisposeAsync();

    private Task<int> IngestAsync() => JobCommands.RunAsync(["ingest", Corpus.Samples, "--connection", _database.ConnectionString],
        TextWriter.Null, TextWriter.Null, interactive: false, CancellationToken.None);

    // What the next build's migrate might apply: a table, a nullable and a defaulted column on articles, an index.
    private async Task ExpandOneStepAsync(int? minBuildVersion = null)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE TABLE article_notes (article_id bigint PRIMARY KEY REFERENCES articles (id), note text NOT NULL);
            ALTER TABLE articles ADD COLUMN editor_note text, ADD COLUMN reviewed boolean NOT NULL DEFAULT false;
            CREATE INDEX articles_reviewed ON articles (published_at DESC) WHERE reviewed;
            INSERT INTO schema_migrations (version, name, checksum, min_build_version)
            VALUES (@Next, 'test_only_expansion', repeat('0', 64), @minBuildVersion);
            """, new { Next, minBuildVersion });
    }

    [Fact]
    public async Task A_schema_one_expansion_ahead_is_ready_and_every_endpoint_serves()
    {
        await ExpandOneStepAsync();
        using var api = ApiFactory.For(_database);
        using var client = api.CreateClient();

        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await Json(ready);
        Assert.Equal((Next, Migrator.LatestVersion, 0), (body.GetProperty("schemaVersion").GetInt32(),
            body.GetProperty("buildVersion").GetInt32(), body.GetProperty("minBuildVersion").GetInt32()));

        var paths = await EveryEndpointAsync(client);
        Assert.True(paths.Count >= 15, $"only {paths.Count} endpoints were found in the OpenAPI document");
        foreach (var path in paths)
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // The job of this build keeps loading too, and its migrate applies nothing and refuses nothing.
        Assert.Equal(0, await IngestAsync());
        Assert.Empty(await new Migrator(_database.DataSource).ApplyAsync());
    }

    [Fact]
    public async Task A_schema_older_than_the_build_is_not_ready()
    {
        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("DELETE FROM schema_migrations WHERE version = @LatestVersion", new { Migrator.LatestVersion });
        }
        using var api = ApiFactory.For(_database);

        var problem = await NotReadyAsync(api.CreateClient());

        Assert.Equal(Migrator.LatestVersion - 1, problem.GetProperty("schemaVersion").GetInt32());
        Assert.Contains("Run the job's migrate command", problem.GetProperty("detail").GetString());
        Assert.Equal(2, await IngestAsync());
    }

    [Fact]
    public async Task A_schema_whose_floor_is_above_the_build_is_not_ready()
    {
        await ExpandOneStepAsync(minBuildVersion: Next);
        using var api = ApiFactory.For(_database);

        var problem = await NotReadyAsync(api.CreateClient());

        Assert.Equal((Next, Migrator.LatestVersion, Next), (problem.GetProperty("schemaVersion").GetInt32(),
            problem.GetProperty("buildVersion").GetInt32(), problem.GetProperty("minBuildVersion").GetInt32()));
        Assert.Contains("Deploy a newer build", problem.GetProperty("detail").GetString());
        Assert.Equal(2, await IngestAsync());
        await Assert.ThrowsAsync<MigrationException>(() => new Migrator(_database.DataSource).ApplyAsync());
    }

    private static async Task<JsonElement> NotReadyAsync(HttpClient client)
    {
        var response = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await Json(response);
        Assert.Equal("not-ready", problem.GetProperty("code").GetString());
        return problem;
    }

    // Every GET path of the served OpenAPI document, with path parameters and the lookup's url taken from the database.
    private async Task<List<string>> EveryEndpointAsync(HttpClient client)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var (id, url) = await connection.QueryFirstAsync<(Guid, string)>("SELECT public_id, canonical_url FROM articles WHERE listed ORDER BY id LIMIT 1");
        var slug = await connection.QueryFirstAsync<string>("SELECT slug FROM topics WHERE article_count > 0 ORDER BY id LIMIT 1");
        var domain = await connection.QueryFirstAsync<string>("SELECT domain FROM providers WHERE article_count > 0 ORDER BY id LIMIT 1");
        var document = await Json(await client.GetAsync("/swagger/v1/swagger.json"));
        var paths = document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Value.TryGetProperty("get", out _))
            .Select(p => p.Name.Replace("{id}", id.ToString()).Replace("{slug}", slug).Replace("{domain}", domain))
            .Select(p => p == "/v1/articles/lookup" ? $"{p}?url={Uri.EscapeDataString(url)}" : p)
            .ToList();
        return [.. paths, "/", "/metrics"];
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
