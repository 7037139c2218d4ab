using System.Collections.Concurrent;
using System.Diagnostics;
using Articles.Testing;

namespace Articles.Api.Tests;

// The API's own entry point in a process of its own on a loopback port, configured by environment variables
// exactly as its container image or a systemd unit runs it.
internal sealed partial class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ApiProcess(Process process) => _process = process;

    // The port Kestrel bound (it is given port 0 and says which in its "Now listening on" line), so no other test can
    // take it between choosing and binding.
    public int Port { get; private set; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    // Every line the process wrote to stdout (its JSON logs).
    public ConcurrentQueue<string> Logs { get; } = new();

    // Started once readyPath answers 2xx: /health/live for a process whose database is away on purpose.
    public static async Task<ApiProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string readyPath = "/health/ready")
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Articles.Api.dll"));
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var api = new ApiProcess(Process.Start(start)!);
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        api._process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"the API exited before listening: {string.Join('\n', api.Logs)}"));
                return;
            }
            api.Logs.Enqueue(line.Data);
            if (ListeningOn().Match(line.Data) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value));
            }
        };
        api._process.ErrorDataReceived += (_, _) => { };
        api._process.BeginOutputReadLine();
        api._process.BeginErrorReadLine();
        api.Port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await api.WaitReadyAsync(readyPath);
        return api;
    }

    // As a crash or the OOM killer would: SIGKILL, no draining.
    public void Kill() => _process.Kill(entireProcessTree: true);

    // As an orchestrator stops a container: SIGTERM; the process drains and exits by itself.
    public void Terminate() => Assert.Equal(0, SendSignal(_process.Id, 15));

    public async Task<int> ExitCodeAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial System.Text.RegularExpressions.Regex ListeningOn();

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private async Task WaitReadyAsync(string readyPath)
    {
        using var client = new HttpClient { BaseAddress = Address };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await client.GetAsync(readyPath)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            Assert.False(_process.HasExited, $"the API exited with code {(_process.HasExited ? _process.ExitCode : 0)}: {string.Join('\n', Logs)}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the API did not become ready in 30 seconds");
            await Task.Delay(100);
        }
    }
}
