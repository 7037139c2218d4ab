using System.Runtime.InteropServices;
using Articles.Ingest;

// Ctrl-C and SIGTERM end the run between statements: the open batch rolls back and the exit code says so.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

return await JobCommands.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsErrorRedirected, stop.Token);
