using Articles.Data.Articles;
using Dapper;
using Npgsql;

namespace Articles.Data.Providers;

public sealed record ProviderRow(string Name, string Domain, int ArticleCount, DateTime? LatestPublishedAt, DateTime? ChangedAt)
{
    public ImageRow? Logo { get; init; }
}

public sealed class ProviderRepository(NpgsqlDataSource dataSource)
{
    private const string Select = """
        SELECT p.name, p.domain, p.article_count, p.latest_published_at, p.changed_at,
            l.url, l.width, l.height, l.is_cached, l.title
        FROM providers p LEFT JOIN provider_logos l ON l.provider_id = p.id AND l.position = 0
        """;

    // A prefix of the name (any case) or of the domain; LIKE's wildcards in it match themselves.
    private const string PrefixFilter = "WHERE lower(p.name) LIKE @pattern OR p.domain LIKE @pattern";

    public async Task<List<ProviderRow>> ListAsync(string? prefix, int skip, int take, CancellationToken ct)
    {
        var sql = $"{Select} {(prefix is null ? "" : PrefixFilter)} ORDER BY p.article_count DESC, p.domain LIMIT @take OFFSET @skip";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await QueryAsync(connection, new CommandDefinition(sql, new { pattern = Pattern(prefix), skip, take }, cancellationToken: ct))).ToList();
    }

    public async Task<long> CountAsync(string? prefix, CancellationToken ct)
    {
        var sql = $"SELECT count(*) FROM providers p {(prefix is null ? "" : PrefixFilter)}";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { pattern = Pattern(prefix) }, cancellationToken: ct));
    }

    public async Task<ProviderRow?> GetAsync(string domain, CancellationToken ct)
    {
        const string sql = $"{Select} WHERE p.domain = @domain";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await QueryAsync(connection, new CommandDefinition(sql, new { domain }, cancellationToken: ct))).SingleOrDefault();
    }

    // The logo's columns start at url; Dapper leaves it null when the provider has none.
    private static Task<IEnumerable<ProviderRow>> QueryAsync(NpgsqlConnection connection, CommandDefinition command) =>
        connection.QueryAsync<ProviderRow, ImageRow?, ProviderRow>(command, (provider, logo) => provider with { Logo = logo }, splitOn: "url");

    private static string? Pattern(string? prefix) => prefix is null ? null
        : prefix.ToLowerInvariant().Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%";
}
