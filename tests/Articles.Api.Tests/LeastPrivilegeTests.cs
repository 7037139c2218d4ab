extern alias ingest;

using System.Net;
using System.Text.RegularExpressions;
using Articles.Testing;
using Dapper;
using ingest::Articles.Ingest;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Articles.Api.Tests;

// The API's database role can read what the API serves and nothing more; the API works fully with it.
public sealed class LeastPrivilegeTests : IAsyncLifetime
{
    private const string Reader = "articles_api_test";
    private readonly TestDatabase _database = new();
    private string _readerConnection = "";

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        var exit = await JobCommands.RunAsync(
            ["ingest", Corpus.Seeds, Path.Combine(AppContext.BaseDirectory, "Fixtures"),
             "--connection", _database.ConnectionString], TextWriter.Null, TextWriter.Null, interactive: false, CancellationToken.None);
        Assert.Equal(0, exit);
        await using (var admin = await _database.DataSource.OpenConnectionAsync())
        {
            // Roles belong to the cluster, which other test classes share: create once, tolerate a race.
            await admin.ExecuteAsync($"""
                DO $$ BEGIN
                    CREATE ROLE {Reader} LOGIN PASSWORD '{Reader}' IN ROLE articles_reader;
                EXCEPTION WHEN duplicate_object THEN NULL;
                END $$
                """);
        }
        _readerConnection = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Username = Reader, Password = Reader }.ConnectionString;
    }

    public Task DisposeAsync() => _database.DisposeAsync();

    [Theory]
    [InlineData("INSERT INTO topics (slug, name) VALUES ('x', 'x')")]
    [InlineData("UPDATE articles SET title = 'defaced'")]
    [InlineData("DELETE FROM article_changes")]
    [InlineData("DELETE FROM api_keys")]
    [InlineData("TRUNCATE providers CASCADE")]
    [InlineData("SELECT count(*) FROM ingestion_runs")]
    [InlineData("SELECT count(*) FROM rejected_documents")]
    [InlineData("CREATE TABLE intruder (id int)")]
    [InlineData("DROP TABLE articles")]
    public async Task The_api_role_cannot_write_or_read_the_jobs_records(string sql)
    {
        await using var connection = new NpgsqlConnection(_readerConnection);
        await connection.OpenAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(sql));

        Assert.Contains(error.SqlState, new[] { PostgresErrorCodes.InsufficientPrivilege, "42501" });
    }

    [Fact]
    public async Task Metrics_report_requests_latency_the_pool_and_the_last_run_as_the_reader_role()
    {
        using var api = ApiFactory.For(_readerConnection);
        var client = api.CreateClient();
        await client.GetAsync("/v1/articles?topic=ai");
        await client.GetAsync("/v1/articles?topic=ai");
        await client.GetAsync("/v1/articles?limit=0");
        await client.GetAsync("/v1/articles/00000000-0000-0000-0000-000000000000");

        // ASP.NET Core records a request's duration as its response completes, which may be after the client has it:
        // wait (up to 10 s, for a loaded machine) until all four requests are counted.
        var text = "";
        var counted = new[] { ("200", "/v1/articles/", 2), ("400", "/v1/articles/", 1), ("404", "/v1/articles/{id}", 1) };
        for (var tries = 0; tries < 100 && !counted.All(c => Regex.IsMatch(text,
            Series("http_server_request_duration_seconds_count", $" {c.Item3}", $"http_response_status_code=\"{c.Item1}\"", $"http_route=\"{c.Item2}\""))); tries++)
        {
            await Task.Delay(tries == 0 ? 0 : 100);
            using var response = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            text = await response.Content.ReadAsStringAsync();
        }

        Assert.Matches(Series("http_server_request_duration_seconds_count", " 2", "http_response_status_code=\"200\"", "http_route=\"/v1/articles/\""), text);
        Assert.Matches(Series("http_server_request_duration_seconds_count", " 1", "http_response_status_code=\"400\"", "http_route=\"/v1/articles/\""), text);
        Assert.Matches(Series("http_server_request_duration_seconds_count", " 1", "http_response_status_code=\"404\"", "http_route=\"/v1/articles/{id}\""), text);
        Assert.Matches(Series("http_server_request_duration_seconds_bucket", " 2", "http_response_status_code=\"200\"", "http_route=\"/v1/articles/\"", "le=\"\\+Inf\""), text);
        Assert.Matches(Series("db_client_connection_count", @" \d+", "db_client_connection_pool_name=\"articles-api\"", "db_client_connection_state=\"idle\""), text);
        Assert.Contains("articles_ingestion_last_run_documents{outcome=\"inserted\",status=\"completed\"} 10", text);
        Assert.Matches(@"articles_ingestion_last_run_age_seconds(\{\})? \d+\n", text);
        Assert.Matches(@"articles_ingestion_scrape_error(\{\})? 0\n", text);
        Assert.Matches(@"articles_db_reading_standby(\{\})? 0\n", text);
    }

    // A line of a metric whose series has (at least) these labels, in the order the exporter writes them.
    private static string Series(string name, string value, params string[] labels) =>
        "(?m)^" + Regex.Escape(name) + @"\{([^}\n]*,)?" + string.Join(@"(,[^}\n]*)?,", labels.Select(l => l.Replace("{", @"\{").Replace("}", @"\}")))
        + @"(,[^}\n]*)?\}" + value + "$";

    // The key lookup runs as the reader role too, and a key revoked while the API runs is refused once its cached
    // lookup (30 s) has expired. The API's clock is a FakeTimeProvider: the test moves it rather than waiting.
    [Fact]
    public async Task Partner_keys_are_checked_as_the_reader_role_and_a_revoked_key_is_refused_within_30_seconds()
    {
        var output = new StringWriter();
        Assert.Equal(0, await JobCommands.RunAsync(["keys", "add", "reader-partner", "--connection", _database.ConnectionString],
            output, TextWriter.Null, interactive: false, CancellationToken.None));
        var key = output.ToString().Split('\n')[1].Trim();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var api = ApiFactory.For(_readerConnection).WithWebHostBuilder(web => web
            .UseSetting("Feeds:RequireApiKey", "true")
            .ConfigureServices(services => services.AddSingleton<TimeProvider>(clock)));
        var client = api.CreateClient();
        const string feed = "/v1/topics/ai/feed.atom";

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{feed}?key={key}")).StatusCode);
        await client.ProblemAsync(feed, 401, "api-key-required");
        Assert.Equal(0, await JobCommands.RunAsync(["keys", "revoke", "reader-partner", "--connection", _database.ConnectionString],
            TextWriter.Null, TextWriter.Null, interactive: false, CancellationToken.None));
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{feed}?key={key}")).StatusCode);
        clock.Advance(TimeSpan.FromSeconds(2));
        await client.ProblemAsync($"{feed}?key={key}", 403, "api-key-revoked");
    }

    [Fact]
    public async Task The_api_serves_every_endpoint_as_the_reader_role()
    {
        await using (var connection = new NpgsqlConnection(_readerConnection))
        {
            await connection.OpenAsync();
            Assert.Equal(Reader, await connection.ExecuteScalarAsync<string>("SELECT current_user"));
        }
        using var api = ApiFactory.For(_readerConnection);
        var client = api.CreateClient();
        var id = (await client.JsonAsync("/v1/articles?published=any")).Items().First().Str("id");

        foreach (var url in new[]
        {
            "/health/ready", "/v1/articles?topic=ai&page=1", "/v1/articles?q=facial&sort=relevance", $"/v1/articles/{id}",
            "/v1/articles/lookup?url=https%3A%2F%2Fexample.org%2Frelated-a", "/v1/topics", "/v1/topics/ai", "/v1/providers?q=re",
            "/v1/providers/reuters.com", "/v1/topics/ai/feed.atom", "/v1/providers/reuters.com/feed.json", "/v1/changes",
        })
        {
            using var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
