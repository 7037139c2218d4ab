using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Articles.Testing;

namespace Articles.Api.Tests;

// A database that accepts connections and never answers (a hung server, a black-holed network path): readiness says so
// within its 3 s budget, a request gives up opening a connection at 5 s, and a statement that waits ends at the 10 s
// request timeout: 503s, never a hang.
[Collection(nameof(Timing))]
public sealed class HungDatabaseTests : IAsyncLifetime
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;

    public Task InitializeAsync()
    {
        _listener.Start();
        _accepting = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_held)
                {
                    _held.Add(client);
                }
            }
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAny(_accepting);
        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }
    }

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    [Fact]
    public async Task Readiness_and_requests_against_a_server_that_never_answers_are_quick_503s()
    {
        using var api = ApiFactory.For($"Host=127.0.0.1;Port={Port};Username=nobody");
        var client = api.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(30);

        var (ready, readyTook) = await TimedAsync(client, "/health/ready");
        var (list, listTook) = await TimedAsync(client, "/v1/articles");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("not-ready", (await Json(ready)).GetProperty("code").GetString());
        Assert.InRange(readyTook, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(5));
        // The API's 5 s connection timeout, inside the 10 s request timeout.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, list.StatusCode);
        Assert.Equal("database-unavailable", (await Json(list)).GetProperty("code").GetString());
        Assert.Equal("5", list.Headers.RetryAfter?.ToString());
        Assert.InRange(listTook, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(10));
        lock (_held)
        {
            Assert.True(_held.Count > 0, "the API never connected to the hung server");
        }
    }

    // A statement that waits on a lock (a migration's, a vacuum full's) is cancelled at the request timeout.
    [Fact]
    public async Task A_request_whose_statement_waits_is_a_503_at_the_request_timeout()
    {
        var database = new TestDatabase();
        await database.InitializeAsync();
        try
        {
            using var api = ApiFactory.For(database, [("Cache:Enabled", "false")]);
            var client = api.CreateClient();
            client.Timeout = TimeSpan.FromSeconds(30);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/articles")).StatusCode);
            await using var connection = await database.DataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var command = new Npgsql.NpgsqlCommand("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE", connection, transaction))
            {
                await command.ExecuteNonQueryAsync();
            }

            var (list, took) = await TimedAsync(client, "/v1/articles?limit=7");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, list.StatusCode);
            Assert.Equal("application/problem+json", list.Content.Headers.ContentType?.MediaType);
            Assert.InRange(took, TimeSpan.FromSeconds(9.5), TimeSpan.FromSeconds(14));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private static async Task<(HttpResponseMessage Response, TimeSpan Took)> TimedAsync(HttpClient client, string url)
    {
        var clock = Stopwatch.StartNew();
        var response = await client.GetAsync(url);
        return (response, clock.Elapsed);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
