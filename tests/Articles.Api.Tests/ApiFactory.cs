using Articles.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Articles.Api.Tests;

// The API in-process over HTTP, reading the given database.
internal static class ApiFactory
{
    public static WebApplicationFactory<Program> For(string connectionString) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web => web.UseSetting("ConnectionStrings:Articles", connectionString));

    public static WebApplicationFactory<Program> For(TestDatabase database, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Articles", database.ConnectionString);
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });
}
