using System.Net;
using Articles.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Articles.Api.Tests;

// Clients behind a proxy: a proxy on loopback, or outside it (10.1.2.3) with its network in Http:TrustedNetworks, is
// believed and each client it names has a rate-limit budget of its own; an untrusted proxy's clients share its one.
public sealed class TrustedNetworkTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    // Every request arrives from the proxy's address, before the forwarded-headers middleware reads it.
    private sealed class FromProxy(IPAddress proxy) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = proxy;
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    [Theory]
    [InlineData("10.0.0.0/8", HttpStatusCode.OK)]
    [InlineData("192.168.0.0/16", HttpStatusCode.TooManyRequests)]
    public async Task Forwarded_clients_of_a_trusted_proxy_are_told_apart(string trustedNetwork, HttpStatusCode secondClient)
    {
        using var api = ApiFactory.For(_database, ("Http:TrustedNetworks:0", trustedNetwork), ("RateLimits:ClientPerMinute", "1"))
            .WithWebHostBuilder(web => web.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new FromProxy(IPAddress.Parse("10.1.2.3")))));
        var client = api.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "203.0.113.1")).StatusCode);
        Assert.Equal(secondClient, (await GetAsync(client, "203.0.113.2")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync(client, "203.0.113.1")).StatusCode);
    }

    // A loopback proxy is always believed. At 60 a minute a bucket refills a request a second, so the remaining counts
    // show whose bucket paid, and that it refills.
    [Fact]
    public async Task The_rate_limit_counts_the_client_a_loopback_proxy_names_not_the_proxy()
    {
        using var api = ApiFactory.For(_database, ("RateLimits:ClientPerMinute", "60"))
            .WithWebHostBuilder(web => web.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new FromProxy(IPAddress.Loopback))));
        var client = api.CreateClient();
        async Task<int> RemainingAsync(string forwardedFor)
        {
            using var response = await GetAsync(client, forwardedFor);
            var header = response.Headers.GetValues("RateLimit").Single();
            return int.Parse(header[(header.IndexOf(";r=", StringComparison.Ordinal) + 3)..header.IndexOf(";t=", StringComparison.Ordinal)]);
        }

        var first = await RemainingAsync("198.51.100.7");
        var again = await RemainingAsync("198.51.100.7");
        var other = await RemainingAsync("198.51.100.8");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var refilled = await RemainingAsync("198.51.100.7");

        Assert.Equal((first - 1, first), (again, other));
        Assert.InRange(refilled, again, first);
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/topics") { Headers = { { "X-Forwarded-For", forwardedFor } } };
        return client.SendAsync(request);
    }
}
