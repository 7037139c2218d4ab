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
        Assert.Equal(new SchemaVersion(Migrator.LatestVersion, 0), await migrator.VersionAsync());
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

    // A later build's migrate ran first (the deploy order): its expansions are no reason for this build to stop.
    [Fact]
    public async Task A_database_a_later_build_expanded_is_one_this_build_runs_on()
    {
        var migrator = new Migrator(_database.DataSource);
        await migrator.ApplyAsync();
        var next = Migrator.LatestVersion + 1;
        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name, checksum) VALUES (@next, 'from_the_future', 'x')", new { next });
        }

        Assert.Empty(await migrator.ApplyAsync());
        var schema = await migrator.VersionAsync();
        Assert.Equal(new SchemaVersion(next, 0), schema);
        Assert.Null(Migrator.Incompatible(schema));
    }

    [Fact]
    public async Task A_database_contracted_past_this_build_stops_the_migrator()
    {
        var migrator = new Migrator(_database.DataSource);
        await migrator.ApplyAsync();
        var next = Migrator.LatestVersion + 1;
        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO schema_migrations (version, name, checksum, min_build_version) VALUES (@next, 'drop_a_column', 'x', @next)
                """, new { next });
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() => migrator.ApplyAsync());

        Assert.Contains($"needs a build of version {next} or later; this build is {Migrator.LatestVersion}", error.Message);
        Assert.NotNull(Migrator.Incompatible(await migrator.VersionAsync()));
    }

    // Builds before the floor existed made schema_migrations without its column.
    [Fact]
    public async Task The_version_of_a_table_an_older_migrator_made_is_read_and_the_column_added()
    {
        var migrator = new Migrator(_database.DataSource);
        await migrator.ApplyAsync();
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("ALTER TABLE schema_migrations DROP COLUMN min_build_version");

        Assert.Equal(new SchemaVersion(Migrator.LatestVersion, 0), await migrator.VersionAsync());
        Assert.Empty(await migrator.ApplyAsync());
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'schema_migrations' AND column_name = 'min_build_version'"));
    }

    [Theory]
    [InlineData("-- Drops articles.old_thing, which builds before 14 read.\n-- min-build-version: 14\nALTER TABLE articles DROP COLUMN old_thing;", 14)]
    [InlineData("ALTER TABLE articles ADD COLUMN new_thing text;", null)]
    public void A_contracting_migration_names_its_floor_in_a_comment_line(string sql, int? floor)
    {
        Assert.Equal(floor, Migrator.Parse("0099_change.sql", sql).MinBuildVersion);
    }

    [Fact]
    public async Task An_untouched_database_reports_version_zero()
    {
        Assert.Equal(new SchemaVersion(0, 0), await new Migrator(_database.DataSource).VersionAsync());
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
