using Dapper;
using Npgsql;

namespace Articles.Data;

public static class ArticlesDatabase
{
    // Rows are records named in C# style; columns are snake_case.
    static ArticlesDatabase() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    // One data source per process; every repository borrows connections from its pool.
    public static NpgsqlDataSource CreateDataSource(string connectionString, string applicationName)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
        {
            builder.ConnectionStringBuilder.ApplicationName = applicationName;
        }
        return builder.Build();
    }
}
