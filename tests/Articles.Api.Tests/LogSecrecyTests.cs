using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Articles.Api.Tests;

// Whatever fails, the connection string (and its password) never reaches a log line or a response.
public sealed class LogSecrecyTests
{
    private sealed class Capture(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{formatter(state, exception)} {exception}");
        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task A_failing_database_leaks_no_connection_string()
    {
        const string secret = "SuperSecret123";
        var lines = new ConcurrentQueue<string>();
        using var api = ApiFactory.For($"Host=127.0.0.1;Port=1;Username=nobody;Password={secret};Timeout=2")
            .WithWebHostBuilder(web => web.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(new Capture(lines))));
        var client = api.CreateClient();

        var bodies = new List<string>();
        foreach (var url in new[] { "/v1/articles", "/v1/articles/lookup?url=https%3A%2F%2Fa.example", "/v1/topics", "/health/ready" })
        {
            using var response = await client.GetAsync(url);
            Assert.Equal(503, (int)response.StatusCode);
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.NotEmpty(lines);
        Assert.DoesNotContain(lines.Concat(bodies), l => l.Contains(secret) || l.Contains("Password", StringComparison.OrdinalIgnoreCase));
    }
}
