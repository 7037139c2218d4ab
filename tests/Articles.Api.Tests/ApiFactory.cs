using Articles.Api.Http;
using Articles.Data.Changes;
using Articles.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Articles.Api.Tests;

// The API in-process over HTTP, reading the given database.
internal static class ApiFactory
{
    // After a job run: waits until the API's content version has caught up with the database (within a second,
    // as the README promises), so that what a test asks next is not an answer cached before the run.
    public static async Task CaughtUpAsync(this WebApplicationFactory<Program> api)
    {
        var versions = api.Services.GetRequiredService<ContentVersions>();
        var expected = ContentVersions.ContentOf(await api.Services.GetRequiredService<ChangeRepository>().VersionAsync(CancellationToken.None));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (versions.Content != expected)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the API's content version {versions.Content} did not reach {expected} within a second");
            await Task.Delay(10);
        }
    }

    // In-process hosts stop without the drain delay, which only a load balancer needs (RollingRestartTests runs processes).
    public static WebApplicationFactory<Program> For(string connectionString) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseSetting("ConnectionStrings:Articles", connectionString)
            .UseSetting("Shutdown:DrainDelay", "00:00:00"));

    public static WebApplicationFactory<Program> For(TestDatabase database, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Articles", database.ConnectionString);
            web.UseSetting("Shutdown:DrainDelay", "00:00:00");
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });
}
