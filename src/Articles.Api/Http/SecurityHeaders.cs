namespace Articles.Api.Http;

internal static class SecurityHeaders
{
    // OWASP's REST Security Cheat Sheet: no MIME sniffing anywhere, and API responses (JSON, problems, feeds) may load
    // and be framed by nothing. Swagger UI is a page with scripts and styles of its own: it keeps nosniff only.
    public static void UseSecurityHeaders(this WebApplication app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            if (!context.Request.Path.StartsWithSegments("/swagger"))
            {
                context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            }
            return Task.CompletedTask;
        });
        return next(context);
    });

    // Every GET answers HEAD too, as link checkers, CDNs and monitors expect: the same status and headers, no body
    // (Kestrel drops a HEAD response's body). OpenAPI lists the GETs only (RFC 9110: HEAD goes wherever GET does).
    public static RouteGroupBuilder WithHead(this RouteGroupBuilder group)
    {
        ((IEndpointConventionBuilder)group).Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<HttpMethodMetadata>().LastOrDefault() is { } methods && methods.HttpMethods.SequenceEqual(["GET"]))
            {
                endpoint.Metadata.Add(new HttpMethodMetadata(["GET", "HEAD"]));
            }
        });
        return group;
    }
}
