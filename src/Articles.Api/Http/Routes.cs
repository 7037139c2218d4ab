namespace Articles.Api.Http;

internal static class Routes
{
    // A GET route named after its handler (the operationId OpenAPI and clients see) with its one-line summary.
    public static RouteHandlerBuilder MapGet(this IEndpointRouteBuilder app, string pattern, Delegate handler, string summary) =>
        app.MapGet(pattern, handler).WithName(handler.Method.Name).WithSummary(summary);
}
