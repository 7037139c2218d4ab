using Npgsql;

namespace Soak;

sealed record Settings(string Api, string ConnectionString, string Docs, string JobDll, string OpenApi, int ApiPid,
    double Duration, double JobEvery, double Rate, double StaleBound, string[] Keys, string Output, string ApiLog)
{
    public int Listed { get; set; }

    public static Settings FromEnvironment()
    {
        static string Need(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value : throw new ArgumentException($"{name} is not set");
        static double Number(string name, double fallback) =>
            double.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : fallback;
        var duration = Number("DURATION", 600);
        return new Settings(Need("SOAK_API"), Need("SOAK_CONNECTION"), Need("SOAK_DOCS"), Need("SOAK_JOB"), Need("SOAK_OPENAPI"),
            int.Parse(Need("SOAK_API_PID"), System.Globalization.CultureInfo.InvariantCulture), duration,
            Number("JOB_EVERY", Math.Min(60, duration / 10)), Number("SOAK_RATE", 0), Number("SOAK_STALE_BOUND", 1),
            Need("SOAK_KEYS").Split(','), Need("SOAK_OUT"), Environment.GetEnvironmentVariable("SOAK_API_LOG") ?? "");
    }
}

sealed record Topic(string Slug, string Name);

sealed record Provider(string Domain, string Name);

// The request shapes, picked by bench/run.sh's rules so they exist at any N, and samples of ids and URLs to ask for.
sealed record Shapes(Topic Common, Topic Mid, Topic Rare, Provider Provider, IReadOnlyList<Topic> Topics, IReadOnlyList<Provider> Providers,
    IReadOnlyList<Topic> FeedTopics, IReadOnlyList<Provider> FeedProviders, IReadOnlyList<string> Ids, IReadOnlyList<string> Urls)
{
    public static async Task<Shapes> LoadAsync(NpgsqlDataSource db, Settings settings)
    {
        var listed = settings.Listed = (int)(long)(await Scalar(db, "SELECT sum(article_count) FROM providers"))!;
        var topics = await TopicsAsync(db, "SELECT slug, name FROM topics WHERE article_count > 0 ORDER BY article_count DESC, slug");
        var common = topics[0];
        var mid = (await TopicsAsync(db, $"SELECT slug, name FROM topics WHERE article_count * 30 >= {listed} ORDER BY article_count, slug LIMIT 1"))[0];
        var rare = (await TopicsAsync(db, "SELECT slug, name FROM topics WHERE article_count > 20 ORDER BY article_count, slug LIMIT 1"))[0];
        var providers = await ProvidersAsync(db, "SELECT domain, name FROM providers WHERE article_count > 0 ORDER BY article_count DESC, domain");
        var provider = (await ProvidersAsync(db, $"SELECT domain, name FROM providers WHERE article_count * 100 <= {listed} ORDER BY article_count DESC, domain LIMIT 1"))[0];
        var ids = await Strings(db, "SELECT public_id::text FROM articles WHERE listed ORDER BY md5(public_id::text) LIMIT 2000");
        var urls = await Strings(db, "SELECT web_url FROM articles WHERE listed AND web_url IS NOT NULL ORDER BY md5(web_url) LIMIT 2000");
        return new Shapes(common, mid, rare, provider, topics, providers, [common, mid, rare, topics[topics.Count / 2]],
            [providers[0], provider, providers[providers.Count / 2]], ids, urls);
    }

    private static async Task<object?> Scalar(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    private static async Task<List<Topic>> TopicsAsync(NpgsqlDataSource db, string sql) =>
        (await Rows(db, sql, r => new Topic(r.GetString(0), r.GetString(1))));

    private static async Task<List<Provider>> ProvidersAsync(NpgsqlDataSource db, string sql) =>
        (await Rows(db, sql, r => new Provider(r.GetString(0), r.GetString(1))));

    public static async Task<long> LastChangeAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("SELECT coalesce(max(seq), 0) FROM article_changes");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static Task<List<string>> Strings(NpgsqlDataSource db, string sql) => Rows(db, sql, r => r.GetString(0));

    public static async Task<List<T>> Rows<T>(NpgsqlDataSource db, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var command = db.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }
        return rows;
    }
}
