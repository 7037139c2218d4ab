using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Articles.Testing;

// The PostgreSQL server the tests use: ARTICLES_TEST_DB when set, else a throwaway cluster this
// process starts on a free loopback port and removes when it exits. Failing to get one fails the
// tests; nothing here skips.
public static partial class PostgresServer
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

        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found (looked in /usr/lib/postgresql/*/bin and PATH). " +
            "Install them (apt-get install postgresql) or set ARTICLES_TEST_DB to a server's connection string.");
        var dir = Path.Combine(Path.GetTempPath(), $"articles-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        var asRoot = geteuid() == 0;
        if (asRoot)
        {
            // PostgreSQL refuses to run as root: the cluster belongs to the postgres system user.
            Run("chown", "postgres:", dir);
        }
        var port = FreePort();
        RunPg(asRoot, Path.Combine(bin, "initdb"), "-D", dir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync");
        RunPg(asRoot, Path.Combine(bin, "pg_ctl"), "-D", dir, "-l", Path.Combine(dir, "server.log"), "-w", "-t", "60", "start",
            "-o", $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200");

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                RunPg(asRoot, Path.Combine(bin, "pg_ctl"), "-D", dir, "-m", "immediate", "-w", "stop");
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        };
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    public static string? FindBinaries()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
            : Enumerable.Empty<string>();
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return versions.Select(v => Path.Combine(v, "bin")).Concat(fromPath)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void RunPg(bool asRoot, string program, params string[] args)
    {
        if (asRoot)
        {
            Run("runuser", ["-u", "postgres", "--", program, .. args]);
        }
        else
        {
            Run(program, args);
        }
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr}{stdout.Result}");
        }
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
