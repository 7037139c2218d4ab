using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Articles.Testing;

namespace Articles.Api.Tests;

// The API's own entry point on a real Kestrel socket: the limits it sets hold against slow and oversized requests.
[Collection(nameof(Timing))]
public sealed class KestrelLimitsTests : IAsyncLifetime
{
    private const string Secret = "kestrel-limits-secret-7f3a";
    private readonly TestDatabase _database = new();
    private ApiProcess _api = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        // A password the test cluster does not ask for (trust), so the log check below has one to look for.
        _api = await ApiProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Articles"] = $"{_database.ConnectionString};Password={Secret}",
        });
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_trickles_its_headers_is_cut_off()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _api.Port);
        var stream = socket.GetStream();
        var watch = Stopwatch.StartNew();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /v1/articles HTTP/1.1\r\nHost: x\r\n"));

        // One header byte a second, never finishing: Kestrel must give up at its 10 s header timeout.
        var closed = false;
        for (var i = 0; i < 30 && !closed; i++)
        {
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes("X"));
                await Task.Delay(1_000);
                closed = socket.Client.Poll(0, SelectMode.SelectRead) && socket.Client.Available == 0;
            }
            catch (IOException)
            {
                closed = true;
            }
        }

        Assert.True(closed, "the server kept the slow connection open for 30 seconds");
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(25));
    }

    [Fact]
    public async Task Logs_are_json_lines_and_a_requests_lines_carry_its_request_id()
    {
        using var client = new HttpClient { BaseAddress = _api.Address };
        // Make the request log something: a failing statement is logged as an error, with the request's scope.
        await using (var connection = new Npgsql.NpgsqlConnection(_database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var rename = new Npgsql.NpgsqlCommand("ALTER TABLE topics RENAME TO topics_away", connection);
            await rename.ExecuteNonQueryAsync();
        }

        using var response = await client.GetAsync("/v1/topics");
        var requestId = response.Headers.GetValues("X-Request-Id").Single();
        await Task.Delay(500);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var lines = _api.Logs.ToList();
        Assert.NotEmpty(lines);
        var parsed = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        var error = parsed.Single(l => l.GetProperty("LogLevel").GetString() == "Error");
        var scopes = error.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("RequestId", out var id) && id.GetString() == requestId);
        Assert.DoesNotContain(Secret, string.Concat(lines));
        Assert.DoesNotContain("Password", string.Concat(lines), StringComparison.OrdinalIgnoreCase);
        // The client gets a problem with its code and the request id, never the exception.
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        var problem = System.Text.Json.JsonDocument.Parse(body).RootElement;
        Assert.Equal(("internal-error", 500), (problem.GetProperty("code").GetString(), problem.GetProperty("status").GetInt32()));
        Assert.DoesNotContain("topics_away", body);
        Assert.DoesNotContain(" at ", body);
        Assert.DoesNotContain("Exception", body);
    }

    [Fact]
    public async Task A_ten_kilobyte_search_gets_a_problem_and_an_oversized_request_line_a_414()
    {
        using var client = new HttpClient { BaseAddress = _api.Address };

        using var search = await client.GetAsync($"/v1/articles?q={new string('a', 10_000)}");
        using var huge = await client.GetAsync($"/v1/articles?q={new string('a', 20_000)}");
        using var manyIds = await client.GetAsync($"/v1/articles?ids={string.Join(",", Enumerable.Repeat(Guid.Empty, 500))}");

        Assert.Equal(HttpStatusCode.BadRequest, search.StatusCode);
        Assert.Equal("application/problem+json", search.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.RequestUriTooLong, huge.StatusCode);
        Assert.Equal(HttpStatusCode.RequestUriTooLong, manyIds.StatusCode);
        Assert.False(search.Headers.Contains("Server"));
    }

    // Headers up to 32 KB in all are read; more is a 431 from Kestrel. A body is never read (every write method is a
    // 405), so the 64 KB body limit only guards code that might read one.
    [Fact]
    public async Task Headers_over_32_kilobytes_are_a_431_and_a_body_is_not_read()
    {
        using var client = new HttpClient { BaseAddress = _api.Address };
        async Task<HttpStatusCode> WithHeaderAsync(int size)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/topics") { Headers = { { "X-Padding", new string('a', size) } } };
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await WithHeaderAsync(30 * 1024));
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, await WithHeaderAsync(33 * 1024));
        using var post = await client.PostAsync("/v1/articles", new ByteArrayContent(new byte[70 * 1024]));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }
}
