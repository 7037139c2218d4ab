using Dapper;
using Npgsql;

namespace Articles.Data.Topics;

public sealed record TopicRow(string Name, string Slug, int ArticleCount, DateTime? LatestPublishedAt, DateTime? ChangedAt);

public sealed class TopicRepository(NpgsqlDataSource dataSource)
{
    private const string Columns = "SELECT name, slug, article_count, latest_published_at, changed_at FROM topics";

    public async Task<List<TopicRow>> ListAsync(CancellationToken ct)
    {
        const string sql = $"{Columns} ORDER BY article_count DESC, slug";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<TopicRow>(new CommandDefinition(sql, cancellationToken: ct))).ToList();
    }

    public async Task<TopicRow?> GetAsync(string slug, CancellationToken ct)
    {
        const string sql = $"{Columns} WHERE slug = @slug";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<TopicRow>(new CommandDefinition(sql, new { slug }, cancellationToken: ct));
    }
}
