using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Articles.Data.Keys;

public sealed record ApiKeyRow(string Name, DateTime CreatedAt, DateTime? RevokedAt);

public enum KeyStatus { Unknown, Active, Revoked }

// Partner keys: random, shown once, kept only as a SHA-256 (a 256-bit random key needs no slow hash).
public sealed class ApiKeyRepository(NpgsqlDataSource dataSource)
{
    public static string NewKey() => "ak_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    // Null when the name is taken.
    public async Task<string?> AddAsync(string name, CancellationToken ct)
    {
        var key = NewKey();
        const string sql = "INSERT INTO api_keys (name, key_hash) VALUES (@name, @hash) ON CONFLICT (name) DO NOTHING";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var added = await connection.ExecuteAsync(new CommandDefinition(sql, new { name, hash = Hash(key) }, cancellationToken: ct));
        return added == 1 ? key : null;
    }

    public async Task<List<ApiKeyRow>> ListAsync(CancellationToken ct)
    {
        const string sql = "SELECT name, created_at, revoked_at FROM api_keys ORDER BY name";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(sql, cancellationToken: ct))).ToList();
    }

    public async Task<bool> RevokeAsync(string name, CancellationToken ct)
    {
        const string sql = "UPDATE api_keys SET revoked_at = now() WHERE name = @name AND revoked_at IS NULL";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, new { name }, cancellationToken: ct)) == 1;
    }

    public async Task<(KeyStatus Status, string? Name)> FindAsync(string key, CancellationToken ct)
    {
        const string sql = "SELECT name, revoked_at IS NOT NULL AS revoked FROM api_keys WHERE key_hash = @hash";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(string Name, bool Revoked)?>(
            new CommandDefinition(sql, new { hash = Hash(key) }, cancellationToken: ct));
        return row is { } r ? (r.Revoked ? KeyStatus.Revoked : KeyStatus.Active, r.Name) : (KeyStatus.Unknown, null);
    }
}
