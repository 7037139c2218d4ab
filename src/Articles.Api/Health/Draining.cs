using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Articles.Api.Health;

public sealed class ShutdownOptions
{
    // How long readiness answers 503 while the process still serves, so a load balancer takes it out first.
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    // How long requests in flight may take to finish once the server stops accepting.
    public TimeSpan InFlightTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

// On SIGTERM the host calls every StoppingAsync before it stops any service, the server included: readiness turns
// 503 here and the server goes on serving for the drain delay, then stops accepting and lets requests finish.
internal sealed class Draining(IOptions<ShutdownOptions> options, ILogger<Draining> logger) : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _started;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct) =>
        Task.FromResult(_started ? HealthCheckResult.Unhealthy("The process is shutting down.") : HealthCheckResult.Healthy());

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _started = true;
        var delay = options.Value.DrainDelay;
        logger.LogInformation("Stopping: readiness is 503; serving for {DrainDelay} s more", delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
