using System.Net;
using System.Net.Http.Headers;

namespace Articles.Api.Tests;

[Collection(nameof(CorpusApi))]
public sealed class HttpBehaviourTests(CorpusApi api)
{
    private readonly HttpClient _client = api.Client;

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Responses_are_compressed_when_the_client_accepts_it(string encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/articles?limit=50");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));

        using var response = await _client.SendAsync(request);

        Assert.Equal(encoding, Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task Cors_lets_browsers_read_the_paging_and_caching_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/articles");
        request.Headers.Add("Origin", "https://app.example");

        using var response = await _client.SendAsync(request);

        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single();
        foreach (var header in new[] { "Link", "ETag", "Retry-After", "RateLimit", "RateLimit-Policy", "X-Request-Id" })
        {
            Assert.Contains(header, exposed.Split(',', StringSplitOptions.TrimEntries));
        }
    }

    // Over real HTTP: Kestrel is what drops a HEAD response's body.
    [Fact]
    public async Task Head_answers_like_get_without_a_body()
    {
        await using var process = await ApiProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Articles"] = api.Database.ConnectionString,
        });
        using var client = new HttpClient { BaseAddress = process.Address };
        foreach (var (url, status) in new[]
        {
            ("/v1/articles?limit=3", 200), ("/v1/topics/diablo-4/feed.atom", 200), ("/v1/providers", 200), ("/health/live", 200),
            ("/v1/topics/no-such-topic", 404), ("/v1/articles?limit=0", 400),
        })
        {
            using var get = await client.GetAsync(url);
            using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));

            Assert.Equal(status, (int)get.StatusCode);
            Assert.Equal(status, (int)head.StatusCode);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
            Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
            Assert.Equal(get.Headers.ETag, head.Headers.ETag);
            Assert.Equal(get.Headers.CacheControl, head.Headers.CacheControl);
        }
    }

    [Fact]
    public async Task The_root_links_clients_to_the_api_and_sends_browsers_to_swagger()
    {
        var root = await _client.JsonAsync("/");
        Assert.EndsWith("/v1/articles", root.GetProperty("links").Str("articles"));
        Assert.EndsWith("/swagger/v1/swagger.json", root.GetProperty("links").Str("openApi"));

        using var browser = api.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8");
        using var response = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/swagger", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Json_carries_non_ascii_text_as_utf8()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var (id, title) = await Dapper.SqlMapper.QueryFirstAsync<(Guid, string)>(connection,
            "SELECT public_id, title FROM articles WHERE listed AND title ~ '[\\u00a0-\\ud7ff]' AND title !~ '[<>&''\"]' ORDER BY id LIMIT 1");

        var body = await _client.GetStringAsync($"/v1/articles/{id}");

        Assert.Contains(System.Text.Json.JsonEncodedText.Encode(title, Http.ApiJson.Encoder).ToString(), body);
        Assert.Contains(title.Where(c => c > 127 && !char.IsSurrogate(c)).Select(c => c.ToString()).First(), body);
    }

    [Fact]
    public async Task There_is_no_per_client_limit_unless_configured()
    {
        using var factory = ApiFactory.For(api.Database);
        using var response = await factory.CreateClient().GetAsync("/v1/articles?limit=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("RateLimit-Policy"));
    }

    [Theory]
    [InlineData("/v1/articles?limit=2", "application/json")]
    [InlineData("/v1/topics/no-such-topic", "application/problem+json")]
    [InlineData("/v1/topics/diablo-4/feed.rss", "application/rss+xml")]
    public async Task Api_responses_forbid_sniffing_loading_and_framing(string url, string type)
    {
        using var response = await _client.GetAsync(url);

        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        using var swagger = await _client.GetAsync("/swagger/index.html");
        Assert.Equal("nosniff", swagger.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(swagger.Headers.Contains("Content-Security-Policy"));
    }

    // Each answer exactly: a validation problem, a not-found, or a page (a search's odd syntax is text, never an error).
    // A 400 `invalid-request` would be a database data error turned into a problem, i.e. a validation gap.
    [Theory]
    [InlineData("/v1/articles?limit=%F0%9F%98%80", 400, "invalid-parameter")]
    [InlineData("/v1/articles?topic=%00%01%02", 400, "invalid-parameter")]
    [InlineData("/v1/articles?from=9999-99-99", 400, "invalid-parameter")]
    [InlineData("/v1/articles?minQuality=1e309", 400, "invalid-parameter")]
    [InlineData("/v1/articles?q=%22unterminated", 200, null)]
    [InlineData("/v1/articles?q=!!!%20%26%20%7C%20%3A*", 200, null)]
    [InlineData("/v1/articles?q=-", 200, null)]
    [InlineData("/v1/articles?provider=%25%25%25&topic=%5C", 200, null)]
    [InlineData("/v1/articles/%2500", 404, "not-found")]
    [InlineData("/v1/providers/%01", 404, "not-found")]
    [InlineData("/v1/articles/lookup?url=https%3A%2F%2Fa%00b", 400, "invalid-parameter")]
    [InlineData("/v1/topics/%F0%9F%98%80", 404, "not-found")]
    [InlineData("/v1/providers?q=%5C%25_", 200, null)]
    public async Task Odd_input_gets_its_exact_answer_never_a_server_error(string url, int status, string? code)
    {
        using var response = await _client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode == status, $"{url}: {(int)response.StatusCode} {body}");
        if (code is not null)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(code, System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task A_ten_kilobyte_query_is_a_400_not_a_slow_request()
    {
        var problem = await _client.ProblemAsync($"/v1/articles?q={new string('a', 10_000)}", 400, "invalid-parameter");

        Assert.True(problem.GetProperty("errors").TryGetProperty("q", out _));
    }

    [Fact]
    public async Task Every_error_is_problem_json_with_a_code()
    {
        await _client.ProblemAsync("/no/such/route", 404, "not-found");
        using var post = await _client.PostAsync("/v1/articles", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("method-not-allowed", 405), (problem.GetProperty("code").GetString(), problem.GetProperty("status").GetInt32()));
    }
}
