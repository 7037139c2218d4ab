namespace Articles.Testing;

// The PostgreSQL server the tests share: ARTICLES_TEST_DB when set, else a throwaway cluster this process
// starts on a free loopback port and removes when it exits. Failing to get one fails the tests; nothing skips.
public static class PostgresServer
{
    private static readonly Lazy<string> Admin = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    // A connection string with the right to create databases.
    public static string AdminConnectionString => Admin.Value;

    private static string Start()
    {
        var configured = Environment.GetEnvironmentVariable("ARTICLES_TEST_DB");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }
        var cluster = PostgresCluster.Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        return cluster.AdminConnectionString;
    }
}
