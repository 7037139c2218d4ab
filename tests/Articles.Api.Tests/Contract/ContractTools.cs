using System.Diagnostics;
using System.Net.Sockets;
using Articles.Testing;

namespace Articles.Api.Tests.Contract;

// The npm tools test.sh installs into tests/contract (npm ci, versions pinned by its package-lock.json).
internal static class ContractTools
{
    public static string OpenApi { get; } = Path.Combine(Corpus.RepositoryRoot, "openapi.json");

    public static string Folder { get; } = Path.Combine(Corpus.RepositoryRoot, "tests", "contract");

    public static string Bin(string name)
    {
        var path = Path.Combine(Folder, "node_modules", ".bin", name);
        Assert.True(File.Exists(path), $"{path} is missing: ./test.sh installs it (npm ci --prefix tests/contract)");
        return path;
    }

    public static async Task<(int Exit, string Output)> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(Bin(tool)) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}

// Stoplight Prism as a validating proxy: it forwards each request to the API and reports in the sl-violations
// header where the request or the response differs from the document.
internal sealed class PrismProxy : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringWriter _log = new();

    private PrismProxy(Process process, int port) => (_process, Address) = (process, new Uri($"http://127.0.0.1:{port}"));

    public Uri Address { get; }

    public static async Task<PrismProxy> StartAsync(string document, Uri upstream)
    {
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo(ContractTools.Bin("prism")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "proxy", document, upstream.ToString().TrimEnd('/'), "--host", "127.0.0.1", "--port", $"{port}", "--verboseLevel", "warn" })
        {
            start.ArgumentList.Add(argument);
        }
        var prism = new PrismProxy(Process.Start(start)!, port);
        prism._process.OutputDataReceived += (_, line) => { lock (prism._log) { prism._log.WriteLine(line.Data); } };
        prism._process.ErrorDataReceived += (_, line) => { lock (prism._log) { prism._log.WriteLine(line.Data); } };
        prism._process.BeginOutputReadLine();
        prism._process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return prism;
            }
            catch (SocketException)
            {
            }
            Assert.False(prism._process.HasExited, $"Prism exited: {prism._log}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"Prism did not listen within 60 s: {prism._log}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
