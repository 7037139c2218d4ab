using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Articles.Api.Http;

internal sealed record RootLinks(string Docs, string OpenApi, string Articles, string Topics, string Providers, string Changes, string Health);

internal sealed record Root(string Name, string Version, RootLinks Links);

internal static class RootApi
{
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

    // Where to start: links for a client, Swagger UI for a person (a browser asks for text/html). Not in OpenAPI.
    public static void MapRoot(this IEndpointRouteBuilder app) =>
        app.MapGet("/", Index).ExcludeFromDescription();

    private static Results<RedirectHttpResult, JsonOk<Root>> Index(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)))
        {
            return TypedResults.Redirect(OpenApiExtensions.UiPath);
        }
        return JsonOk.Of(new Root("Articles API", "v1", new RootLinks(
            Links.To(request, OpenApiExtensions.UiPath), Links.To(request, OpenApiExtensions.DocumentPath), Links.To(request, "/v1/articles"),
            Links.To(request, "/v1/topics"), Links.To(request, "/v1/providers"), Links.To(request, "/v1/changes"),
            Links.To(request, "/health/ready"))));
    }
}
