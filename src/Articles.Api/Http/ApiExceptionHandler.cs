using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Articles.Api.Http;

// What escapes a handler: a database that is down is a quick 503 the client may retry, a malformed request
// a 400, anything else a 500 — all as problem details, never with a stack trace.
internal sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var (status, code, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "invalid-request", "Bad request", bad.Message),
            // A value PostgreSQL cannot take (class 22, data exception) is the request's fault; validation should have caught it.
            PostgresException { SqlState: [ '2', '2', .. ] } => (StatusCodes.Status400BadRequest, "invalid-request", "Bad request",
                "A parameter holds a value the database cannot take."),
            // Only a database that is away (or a timeout) is the client's to retry; a failing statement is our bug.
            NpgsqlException { IsTransient: true } or TimeoutException or NpgsqlException { InnerException: TimeoutException } =>
                (StatusCodes.Status503ServiceUnavailable, "database-unavailable", "Service unavailable",
                    "The database is not answering; try again shortly."),
            _ => (StatusCodes.Status500InternalServerError, "internal-error", "Internal error",
                "The server failed to answer this request; the failure was logged."),
        };
        if (status >= 500)
        {
            logger.LogError(exception, "Request failed with {Status} ({Code})", status, code);
        }
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail, Type = Problems.TypeFor(code), Extensions = { ["code"] = code } },
        });
    }
}
