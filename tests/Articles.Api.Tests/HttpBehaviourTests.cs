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
        Assert.Contains("Link", exposed);
        Assert.Contains("ETag", exposed);
    }

    [Theory]
    [InlineData("/v1/articles?limit=%F0%9F%98%80")]
    [InlineData("/v1/articles?topic=%00%01%02")]
    [InlineData("/v1/articles?from=9999-99-99")]
    [InlineData("/v1/articles?minQuality=1e309")]
    [InlineData("/v1/articles?q=%22unterminated")]
    [InlineData("/v1/articles?q=!!!%20%26%20%7C%20%3A*")]
    [InlineData("/v1/articles?q=-")]
    [InlineData("/v1/articles?provider=%25%25%25&topic=%5C")]
    [InlineData("/v1/articles/%2500")]
    [InlineData("/v1/providers/%01")]
    [InlineData("/v1/articles/lookup?url=https%3A%2F%2Fa%00b")]
    [InlineData("/v1/topics/%F0%9F%98%80")]
    [InlineData("/v1/providers?q=%5C%25_")]
    public async Task Odd_input_never_produces_a_server_error(string url)
    {
        using var response = await _client.GetAsync(url);

        Assert.True((int)response.StatusCode < 500, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (!response.IsSuccessStatusCode)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
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
    }
}
