using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Articles.Data;
using Articles.Testing;

namespace Articles.Api.Tests;

[Collection(nameof(Timing))]
public sealed class HealthTests : IAsyncLifetime
{
    private readonly TestDatabase _migrated = new();
    private readonly EmptyDatabase _empty = new();

    public Task InitializeAsync() => Task.WhenAll(_migrated.InitializeAsync(), _empty.InitializeAsync());

    public Task DisposeAsync() => Task.WhenAll(_migrated.DisposeAsync(), _empty.DisposeAsync());

    [Fact]
    public async Task Live_answers_without_asking_the_database()
    {
        using var api = ApiFactory.For("Host=127.0.0.1;Port=1;Username=nobody");

        var response = await api.CreateClient().GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("live", (await Json(response)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_reports_the_schema_version_of_a_migrated_database()
    {
        using var api = ApiFactory.For(_migrated);

        var response = await api.CreateClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json(response);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal(Migrator.LatestVersion, body.GetProperty("schemaVersion").GetInt32());
    }

    [Fact]
    public async Task Ready_is_a_503_problem_while_the_schema_is_missing()
    {
        using var api = ApiFactory.For(_empty);

        var response = await api.CreateClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json(response);
        Assert.Equal("not-ready", problem.GetProperty("code").GetString());
        Assert.Contains("schema is at version 0", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Ready_is_a_quick_503_problem_when_the_database_is_unreachable()
    {
        using var api = ApiFactory.For("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2");
        var watch = Stopwatch.StartNew();

        var response = await api.CreateClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        var problem = await Json(response);
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal("The database did not answer.", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("Npgsql", problem.ToString());
    }

    [Fact]
    public async Task Swagger_ui_and_the_openapi_document_are_served()
    {
        using var api = ApiFactory.For(_migrated);
        var client = api.CreateClient();

        var ui = await client.GetAsync("/swagger/index.html");
        var document = await client.GetAsync("/swagger/v1/swagger.json");

        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger-ui", await ui.Content.ReadAsStringAsync());
        var paths = (await Json(document)).GetProperty("paths");
        Assert.True(paths.TryGetProperty("/health/ready", out _));
        Assert.True(paths.TryGetProperty("/health/live", out _));
    }

    [Fact]
    public async Task Unknown_routes_are_a_404_problem()
    {
        using var api = ApiFactory.For(_migrated);

        var response = await api.CreateClient().GetAsync("/no/such/route");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, (await Json(response)).GetProperty("status").GetInt32());
    }

    [Fact]
    public void Starting_without_a_connection_string_fails_with_the_setting_to_fix()
    {
        using var api = ApiFactory.For("");

        var error = Assert.Throws<InvalidOperationException>(() => api.CreateClient());

        Assert.Contains("ConnectionStrings__Articles", error.Message);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
