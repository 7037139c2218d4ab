using System.Net;
using Articles.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Articles.Api.Tests;

// A proxy outside loopback (10.1.2.3) forwards two clients: with its network in Http:TrustedNetworks each client has a
// rate-limit budget of its own; without, both are the proxy and share one.
public sealed class TrustedNetworkTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    // Every request arrives from the proxy's address, before the forwarded-headers middleware reads it.
    private sealed class FromProxy : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
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
            .WithWebHostBuilder(web => web.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new FromProxy())));
        var client = api.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "203.0.113.1")).StatusCode);
        Assert.Equal(secondClient, (await GetAsync(client, "203.0.113.2")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync(client, "203.0.113.1")).StatusCode);
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/topics") { Headers = { { "X-Forwarded-For", forwardedFor } } };
        return client.SendAsync(request);
    }
}
