namespace Articles.Api.Http;

internal static class RequestIdHeader
{
    // X-Request-Id: the id every JSON log line of the request carries, so a client's report can be found in the logs.
    // Set as the response starts, because the exception handler clears headers before writing a problem.
    public static void UseRequestIdHeader(this WebApplication app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            context.Response.Headers["X-Request-Id"] = context.TraceIdentifier;
            return Task.CompletedTask;
        });
        return next(context);
    });
}
