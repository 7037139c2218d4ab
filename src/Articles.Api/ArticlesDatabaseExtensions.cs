using Articles.Data;

namespace Articles.Api;

internal static class ArticlesDatabaseExtensions
{
    public static void AddArticlesDatabase(this WebApplicationBuilder builder)
    {
        // Fail at startup, not on the first request, when the database is not configured.
        var connectionString = builder.Configuration.GetConnectionString("Articles");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "No database configured: set ConnectionStrings__Articles (environment) or ConnectionStrings:Articles (appsettings).");
        }
        builder.Services.AddSingleton(_ => ArticlesDatabase.CreateDataSource(connectionString, "articles-api"));
        builder.Services.AddSingleton(sp => new Migrator(sp.GetRequiredService<Npgsql.NpgsqlDataSource>()));
    }
}
