using Articles.Data;
using Npgsql;
using Xunit;

namespace Articles.Testing;

// A database of its own for one test class, created empty (or migrated) and dropped afterwards.
public class TestDatabase : IAsyncLifetime, IAsyncDisposable
{
    private readonly bool _migrate;
    private readonly string? _server;

    public TestDatabase() : this(migrate: true)
    {
    }

    // A database on another server, such as a test's own PostgresCluster.
    public TestDatabase(string adminConnectionString) : this(migrate: true) => _server = adminConnectionString;

    protected TestDatabase(bool migrate) => _migrate = migrate;

    private string Server => _server ?? PostgresServer.AdminConnectionString;

    public string Name { get; } = $"articles_test_{Guid.NewGuid():N}";

    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await using (var admin = new NpgsqlConnection(Server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(Server) { Database = Name }.ConnectionString;
        DataSource = ArticlesDatabase.CreateDataSource(ConnectionString, "articles-tests");
        if (_migrate)
        {
            await new Migrator(DataSource).ApplyAsync();
        }
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}

// An empty database the migrator has not touched.
public sealed class EmptyDatabase() : TestDatabase(migrate: false);
