using Articles.Data;
using Articles.Testing;
using Dapper;

namespace Articles.Data.Tests;

public sealed class MigratorTests : IAsyncLifetime
{
    private readonly EmptyDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Migrating_an_empty_database_applies_every_file_in_order()
    {
        var migrator = new Migrator(_database.DataSource);

        var applied = await migrator.ApplyAsync();

        Assert.Equal(Migrator.All.Select(m => m.Version), applied.Select(m => m.Version));
        Assert.Equal(Migrator.LatestVersion, await migrator.AppliedVersionAsync());
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var tables = await connection.QueryAsync<string>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
        Assert.Superset(new HashSet<string> { "articles", "providers", "provider_logos", "topics", "article_topics",
            "article_images", "related_links", "ingestion_runs", "rejected_documents", "schema_migrations" }, tables.ToHashSet());
    }

    [Fact]
    public async Task Migrating_twice_applies_nothing_the_second_time()
    {
        var migrator = new Migrator(_database.DataSource);
        await migrator.ApplyAsync();

        var second = await migrator.ApplyAsync();

        Assert.Empty(second);
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        Assert.Equal(Migrator.All.Count, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Migrators_started_together_apply_each_file_once()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new Migrator(_database.DataSource).ApplyAsync()));

        Assert.Equal(Migrator.All.Count, runs.Sum(r => r.Count));
    }

    [Fact]
    public async Task A_file_edited_after_it_was_applied_stops_the_migrator()
    {
        var migrator = new Migrator(_database.DataSource);
        await migrator.ApplyAsync();
        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            // What the database remembers of 0001 no longer matches the file this build carries.
            await connection.ExecuteAsync("UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1");
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() => migrator.ApplyAsync());

        Assert.Contains("0001_create_articles.sql was edited after it was applied", error.Message);
    }

    [Fact]
    public async Task A_database_newer_than_the_build_stops_the_migrator()
    {
        var migrator = new Migrator(_database.DataSource);
        await migrator.ApplyAsync();
        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'from_the_future', 'x')");
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() => migrator.ApplyAsync());

        Assert.Contains("9999_from_the_future", error.Message);
    }

    [Fact]
    public async Task An_untouched_database_reports_version_zero()
    {
        Assert.Equal(0, await new Migrator(_database.DataSource).AppliedVersionAsync());
    }

    [Theory]
    [InlineData("0001_create_articles.sql", 1, "create_articles")]
    [InlineData("0042_add_change_feed.sql", 42, "add_change_feed")]
    public void Migration_files_are_named_by_version_and_purpose(string file, int version, string name)
    {
        var migration = Migrator.Parse(file, "SELECT 1;");

        Assert.Equal((version, name), (migration.Version, migration.Name));
        Assert.Equal(64, migration.Checksum.Length);
    }

    [Fact]
    public void Line_endings_do_not_change_a_checksum_but_content_does()
    {
        var lf = Migrator.Parse("0001_a.sql", "SELECT 1;\nSELECT 2;\n");

        Assert.Equal(lf.Checksum, Migrator.Parse("0001_a.sql", "SELECT 1;\r\nSELECT 2;\r\n").Checksum);
        Assert.NotEqual(lf.Checksum, Migrator.Parse("0001_a.sql", "SELECT 1;\nSELECT 3;\n").Checksum);
    }

    [Theory]
    [InlineData("1_create.sql")]
    [InlineData("0001-create.sql")]
    [InlineData("0001_Create.sql")]
    public void Badly_named_migration_files_are_refused(string file)
    {
        Assert.Throws<MigrationException>(() => Migrator.Parse(file, "SELECT 1;"));
    }
}
