using Articles.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Articles.Api.Tests;

// How the API turns its configuration into a data source: which connection string, and prepared statements.
public sealed class DataSourceSettingsTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    private static NpgsqlConnectionStringBuilder Settings(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> api) =>
        new(api.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString);

    [Fact]
    public void Statements_are_prepared_unless_the_connection_string_says_otherwise()
    {
        using var prepared = ApiFactory.For(_database);
        using var off = ApiFactory.For(_database, ("ConnectionStrings:Articles", _database.ConnectionString + ";Max Auto Prepare=0"));

        Assert.Equal((64, 2), (Settings(prepared).MaxAutoPrepare, Settings(prepared).AutoPrepareMinUsages));
        Assert.Equal(0, Settings(off).MaxAutoPrepare);
    }

    [Fact]
    public async Task The_read_connection_string_is_the_one_the_api_reads_through()
    {
        // Articles names a server nobody listens on: every answer below came through ArticlesRead.
        using var api = ApiFactory.For(_database,
            ("ConnectionStrings:Articles", "Host=127.0.0.1;Port=1;Username=nobody;Database=nothing"),
            ("ConnectionStrings:ArticlesRead", _database.ConnectionString));
        var client = api.CreateClient();

        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/v1/articles")).StatusCode);
        Assert.Equal(_database.Name, Settings(api).Database);
    }
}
