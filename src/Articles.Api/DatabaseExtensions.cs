using Articles.Data;
using Articles.Data.Articles;
using Articles.Data.Changes;
using Articles.Data.Keys;
using Articles.Data.Providers;
using Articles.Data.Replication;
using Articles.Data.Runs;
using Articles.Data.Topics;
using Npgsql;

namespace Articles.Api;

internal static class DatabaseExtensions
{
    private const string IndexReads = "index-reads";

    public static void AddArticlesDatabase(this WebApplicationBuilder builder)
    {
        // Fail at startup, not on the first request, when the database is not configured. The API only reads:
        // ArticlesRead, when set, may list a primary and its standbys (Target Session Attributes=prefer-standby).
        var connectionString = builder.Configuration.GetConnectionString("ArticlesRead") is { Length: > 0 } read
            ? read
            : builder.Configuration.GetConnectionString("Articles");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "No database configured: set ConnectionStrings__Articles (environment) or ConnectionStrings:Articles (appsettings); " +
                "ConnectionStrings__ArticlesRead, when set, is used instead.");
        }
        // The API runs a few statement shapes again and again: Npgsql prepares them on each connection, so
        // PostgreSQL parses and plans each once. An operator's own Max Auto Prepare wins (0 turns it off).
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Given(string key) => given.Keys.Cast<string>().Any(k => k.Replace(" ", "").Equals(key, StringComparison.OrdinalIgnoreCase));
        if (!Given("MaxAutoPrepare"))
        {
            settings.MaxAutoPrepare = 64;
            settings.AutoPrepareMinUsages = 2;
        }
        // The API leaves no session state on a connection (its SETs are reset in the same round trip; no temporary
        // tables, advisory locks or LISTEN), so a pooled connection skips Npgsql's reset, which with prepared
        // statements is seven statements sent ahead of the next command on every checkout. Again, an operator's wins.
        if (!Given("NoResetOnClose"))
        {
            settings.NoResetOnClose = true;
        }
        // Opening a connection (or waiting for a pooled one) gives up after 5 s, inside the 10 s request timeout: an open
        // against a server that accepts and never answers does not heed the request's token, and Npgsql's default is 15 s.
        if (!Given("Timeout"))
        {
            settings.Timeout = 5;
        }
        // Not Npgsql.DependencyInjection: it builds the source itself, and a multi-host read source needs WithTargetSession.
        builder.Services.AddSingleton(_ => ArticlesDatabase.CreateDataSource(settings.ConnectionString, "articles-api"));
        // A second pool, for topic and provider pages: its sessions carry the planner settings those pages need.
        builder.Services.AddKeyedSingleton(IndexReads, (_, _) => ArticlesDatabase.CreateIndexReadSource(settings.ConnectionString, "articles-api"));
        builder.Services.AddSingleton(sp => new Migrator(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton(sp => new ArticleRepository(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredKeyedService<NpgsqlDataSource>(IndexReads)));
        builder.Services.AddSingleton<ArticleDetailRepository>();
        builder.Services.AddSingleton(sp => new SimilarRepository(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredKeyedService<NpgsqlDataSource>(IndexReads)));
        builder.Services.AddSingleton(sp => new FacetRepository(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredKeyedService<NpgsqlDataSource>(IndexReads)));
        builder.Services.AddSingleton<TopicRepository>();
        builder.Services.AddSingleton<ProviderRepository>();
        builder.Services.AddSingleton<ChangeRepository>();
        builder.Services.AddSingleton<ApiKeyRepository>();
        builder.Services.AddSingleton<LastRunRepository>();
        builder.Services.AddSingleton<ReplicationRepository>();
    }
}
