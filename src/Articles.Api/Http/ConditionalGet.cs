using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Articles.Api.Http;

// Marks an endpoint whose 200 responses carry an ETag (weak for lists, strong for one resource) and Cache-Control.
internal sealed record CacheableMetadata(bool Weak, int MaxAgeSeconds);

internal static class CacheableExtensions
{
    public static TBuilder Cacheable<TBuilder>(this TBuilder builder, bool weak, int maxAgeSeconds = 30)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new CacheableMetadata(weak, maxAgeSeconds))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)));
}

// Hashes the uncompressed body of a cacheable 200 into its ETag and answers If-None-Match with 304.
// It sits inside response compression, so one representation has one tag whatever the encoding.
internal sealed class ConditionalGetMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var cacheable = context.GetEndpoint()?.Metadata.GetMetadata<CacheableMetadata>();
        if (cacheable is null || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            await next(context);
            return;
        }

        var body = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }

        if (context.Response.StatusCode == StatusCodes.Status200OK)
        {
            var hash = SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            var tag = new EntityTagHeaderValue($"\"{Convert.ToBase64String(hash, 0, 15).Replace('+', '-').Replace('/', '_')}\"", cacheable.Weak);
            context.Response.Headers.ETag = tag.ToString();
            context.Response.Headers.CacheControl = $"public, max-age={cacheable.MaxAgeSeconds}";
            if (Matches(context.Request, tag))
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                context.Response.ContentLength = null;
                context.Response.Headers.ContentType = default;
                return;
            }
        }
        context.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(body, context.RequestAborted);
    }

    // If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/"x" matches "x". It takes precedence;
    // without it, If-Modified-Since is compared with the Last-Modified the handler set, to the second.
    private static bool Matches(HttpRequest request, EntityTagHeaderValue tag)
    {
        if (request.Headers.IfNoneMatch.Count > 0)
        {
            return EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags)
                && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(tag, useStrongComparison: false));
        }
        return HeaderUtilities.TryParseDate(request.Headers.IfModifiedSince.ToString(), out var since)
            && HeaderUtilities.TryParseDate(request.HttpContext.Response.Headers.LastModified.ToString(), out var modified)
            && modified <= since;
    }
}
