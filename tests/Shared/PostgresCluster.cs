using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Articles.Testing;

// A PostgreSQL cluster of a test's own, in a temporary folder on a free loopback port: the fault tests stop
// and restart it under load. PostgreSQL refuses to run as root, so as root it belongs to the postgres user.
public sealed partial class PostgresCluster : IDisposable
{
    private readonly string _bin;
    private readonly string _dir;
    private readonly bool _asRoot = geteuid() == 0;
    private readonly int _port;

    private PostgresCluster(string bin, string dir, int port) => (_bin, _dir, _port) = (bin, dir, port);

    public int Port => _port;

    public string AdminConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres";

    public static PostgresCluster Start()
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found (looked in /usr/lib/postgresql/*/bin and PATH). " +
            "Install them (apt-get install postgresql) or set ARTICLES_TEST_DB to a server's connection string.");
        var dir = Path.Combine(Path.GetTempPath(), $"articles-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var cluster = new PostgresCluster(bin, dir, LoopbackPort.Free());
        if (cluster._asRoot)
        {
            Run("chown", "postgres:", dir);
        }
        cluster.Pg("initdb", "-D", dir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync");
        cluster.Up();
        return cluster;
    }

    // A hot standby of this cluster on a port of its own, streaming from it (pg_basebackup -R writes the recovery settings).
    public PostgresCluster StartStandby()
    {
        var standby = new PostgresCluster(_bin, Path.Combine(Path.GetTempPath(), $"articles-pg-{Guid.NewGuid():N}"), LoopbackPort.Free());
        Pg("pg_basebackup", "-h", "127.0.0.1", "-p", _port.ToString(), "-U", "postgres", "-D", standby._dir,
            "-R", "-X", "stream", "--checkpoint=fast", "--no-sync");
        standby.Up();
        return standby;
    }

    public void Up() => Pg("pg_ctl", "-D", _dir, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60", "start",
        "-o", $"-p {_port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200");

    // As a crash would: no checkpoint, every connection cut.
    public void Down() => Pg("pg_ctl", "-D", _dir, "-m", "immediate", "-w", "stop");

    public void Restart() => Pg("pg_ctl", "-D", _dir, "-m", "immediate", "-w", "-t", "60", "restart",
        "-o", $"-p {_port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200");

    public void Dispose()
    {
        try
        {
            Down();
        }
        catch (InvalidOperationException)
        {
            // Already down.
        }
        Directory.Delete(_dir, recursive: true);
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

    private void Pg(string program, params string[] args)
    {
        var path = Path.Combine(_bin, program);
        if (_asRoot)
        {
            Run("runuser", ["-u", "postgres", "--", path, .. args]);
        }
        else
        {
            Run(path, args);
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
