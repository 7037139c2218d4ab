namespace Articles.Api.Http;

internal static class ResponseHeaders
{
    // Headers every response carries, set as it starts (the exception handler clears headers before writing a problem):
    // X-Request-Id, the id every JSON log line of the request carries, so a client's report can be found in the logs;
    // and, after OWASP's REST Security Cheat Sheet, no MIME sniffing, and for API responses (JSON, problems, feeds)
    // nothing to load and no framing. Swagger UI is a page with scripts and styles of its own: it keeps nosniff only.
    public static void UseResponseHeaders(this WebApplication app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers["X-Request-Id"] = context.TraceIdentifier;
            headers.XContentTypeOptions = "nosniff";
            if (!context.Request.Path.StartsWithSegments(OpenApiExtensions.UiPath))
            {
                headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            }
            return Task.CompletedTask;
        });
        return next(context);
    });
}
