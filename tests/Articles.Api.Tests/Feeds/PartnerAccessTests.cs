extern alias ingest;

using System.Net;
using Articles.Testing;
using ingest::Articles.Ingest;

namespace Articles.Api.Tests.Feeds;

// Partner keys managed by the job, required by the feeds when configured, and rate limits with their headers.
public sealed class PartnerAccessTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"partners-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        Directory.CreateDirectory(_folder);
        for (var n = 1; n <= 3; n++)
        {
            File.WriteAllText(Path.Combine(_folder, $"{n}.md"), $"""
                ---
                title: "Partner article {n}"
                publishedDateTime: 2024-02-0{n}T00:00:00Z
                webUrl: "https://partners.example/{n}"
                provider:
                  name: Partners Example
                  domain: partners.example
                topics:
                  - Alpha
                ---
                """);
        }
        Assert.Equal((0, ""), await JobAsync("ingest", _folder));
    }

    public Task DisposeAsync() => _database.DisposeAsync();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(int Exit, string Output)> JobAsync(params string[] args)
    {
        var output = new StringWriter();
        var exit = await JobCommands.RunAsync([.. args, "--connection", _database.ConnectionString],
            output, new StringWriter(), interactive: false, CancellationToken.None);
        return (exit, args[0] == "ingest" ? "" : output.ToString());
    }

    private async Task<string> AddKeyAsync(string name)
    {
        var (exit, output) = await JobAsync("keys", "add", name);
        Assert.Equal(0, exit);
        var key = output.Split('\n')[1].Trim();
        Assert.StartsWith("ak_", key);
        return key;
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, string? key = null, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Keys_are_shown_once_listed_and_revoked_by_the_job()
    {
        var key = await AddKeyAsync("acme");

        Assert.Equal(2, (await JobAsync("keys", "add", "acme")).Exit);
        var list = (await JobAsync("keys", "list")).Output;
        Assert.Contains("acme", list);
        Assert.Contains("active", list);
        Assert.DoesNotContain(key, list);
        Assert.Equal(0, (await JobAsync("keys", "revoke", "acme")).Exit);
        Assert.Contains("revoked", (await JobAsync("keys", "list")).Output);
        Assert.Equal(2, (await JobAsync("keys", "revoke", "acme")).Exit);
    }

    [Fact]
    public async Task When_keys_are_required_feeds_answer_401_without_one_and_403_for_a_revoked_one()
    {
        var key = await AddKeyAsync("partner");
        var revoked = await AddKeyAsync("former");
        await JobAsync("keys", "revoke", "former");
        using var api = ApiFactory.For(_database, ("Feeds:RequireApiKey", "true"));
        var client = api.CreateClient();

        await client.ProblemAsync("/v1/topics/alpha/feed.atom", 401, "api-key-required");
        await client.ProblemAsync("/v1/topics/alpha/feed.atom?key=ak_wrong", 401, "invalid-api-key");
        await client.ProblemAsync($"/v1/topics/alpha/feed.atom?key={revoked}", 403, "api-key-revoked");
        await client.ProblemAsync("/v1/changes", 401, "api-key-required");
        using var byHeader = await GetAsync(client, "/v1/topics/alpha/feed.rss", key);
        Assert.Equal(HttpStatusCode.OK, byHeader.StatusCode);
        // Readers that cannot set headers pass the key in the query; next links keep it.
        var page = await client.GetStringAsync($"/v1/topics/alpha/feed.json?limit=1&key={key}");
        Assert.Contains($"key={key}", page);
        // The rest of the API stays open.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/articles")).StatusCode);

        // Responses are cached, but keys are checked first: a cached feed is never served without a valid key, and a
        // key in the query makes its own entry, so one partner's key never shows in another's response.
        var other = await AddKeyAsync("other");
        await client.ProblemAsync("/v1/topics/alpha/feed.rss", 401, "api-key-required");
        await client.ProblemAsync($"/v1/topics/alpha/feed.json?limit=1&key={revoked}", 403, "api-key-revoked");
        var otherPage = await client.GetStringAsync($"/v1/topics/alpha/feed.json?limit=1&key={other}");
        Assert.Contains($"key={other}", otherPage);
        Assert.DoesNotContain(key, otherPage);
        Assert.DoesNotContain(other, await client.GetStringAsync($"/v1/topics/alpha/feed.json?limit=1&key={key}"));
    }

    [Fact]
    public async Task A_key_that_used_its_minute_gets_429_with_retry_after_and_ratelimit_headers()
    {
        var key = await AddKeyAsync("busy");
        using var api = ApiFactory.For(_database, ("Feeds:RequireApiKey", "true"), ("RateLimits:KeyPerMinute", "3"));
        var client = api.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            using var ok = await GetAsync(client, "/v1/topics/alpha/feed.json", key);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Contains("\"key\";q=3;w=60", ok.Headers.GetValues("RateLimit-Policy"));
            Assert.Contains($"\"key\";r={2 - i};", ok.Headers.GetValues("RateLimit").Single());
        }
        using var limited = await GetAsync(client, "/v1/topics/alpha/feed.json", key);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(int.Parse(limited.Headers.GetValues("Retry-After").Single()), 1, 60);
        Assert.Contains("\"key\";q=3;w=60", limited.Headers.GetValues("RateLimit-Policy"));
        var problem = System.Text.Json.JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("rate-limited", problem.Str("code"));
        // Another key has its own bucket.
        using var other = await GetAsync(client, "/v1/topics/alpha/feed.json", await AddKeyAsync("quiet"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task The_per_client_limit_covers_the_api_but_not_health_and_304s_cost_a_quarter()
    {
        using var api = ApiFactory.For(_database, ("RateLimits:ClientPerMinute", "4"));
        var client = api.CreateClient();
        // A host just started has no content version until its first read, and answers without an ETag until then.
        await api.CaughtUpAsync();

        using var first = await GetAsync(client, "/v1/topics");
        var etag = first.Headers.ETag!.ToString();
        for (var i = 0; i < 10; i++)
        {
            // Ten 304s cost 2.5 of the 3 requests left.
            using var notModified = await GetAsync(client, "/v1/topics", ifNoneMatch: etag);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
        using var last = await GetAsync(client, "/v1/topics");
        using var limited = await GetAsync(client, "/v1/topics");

        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("\"client\";q=4;w=60", limited.Headers.GetValues("RateLimit-Policy"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }
}
