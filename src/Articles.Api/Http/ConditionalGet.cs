using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Net.Http.Headers;

namespace Articles.Api.Http;

// What a cacheable response's validator derives from: the job's content version (held in memory), the change
// log's version, or the handler's own scope (a feed's topic or provider stamp).
internal enum Validator { Content, ChangeLog, Scope }

// Marks an endpoint whose 200 responses carry an ETag (weak for lists, strong for one resource) and Cache-Control.
internal sealed record CacheableMetadata(bool Weak, int MaxAgeSeconds, Validator Validator);

internal static class CacheableExtensions
{
    public static TBuilder Cacheable<TBuilder>(this TBuilder builder, bool weak, int maxAgeSeconds = 30, Validator validator = Validator.Content)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new CacheableMetadata(weak, maxAgeSeconds, validator))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)));
}

// Answers If-None-Match before the handler runs: the ETag is the content version and the normalized request, so a
// 304 costs no query and no serialization. Handlers with their own scope (feeds) call Answer themselves.
internal sealed class ConditionalGetMiddleware(RequestDelegate next, ContentVersions versions, IResponseCompressionProvider compression)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var cacheable = context.GetEndpoint()?.Metadata.GetMetadata<CacheableMetadata>();
        if (cacheable is null || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            await next(context);
            return;
        }
        context.Response.OnStarting(() =>
        {
            if (context.Response.StatusCode is StatusCodes.Status200OK or StatusCodes.Status304NotModified)
            {
                context.Response.Headers.CacheControl = $"public, max-age={cacheable.MaxAgeSeconds}";
            }
            else
            {
                context.Response.Headers.ETag = default;
            }
            return Task.CompletedTask;
        });
        var version = cacheable.Validator switch
        {
            Validator.Content => versions.Content,
            Validator.ChangeLog => versions.ChangeLog,
            _ => null,
        };
        if (version is not null && ConditionalGet.Answer(context, ConditionalGet.Tag(context, version, cacheable.Weak, compression), null) is not null)
        {
            return;
        }
        await next(context);
    }
}

internal static class ConditionalGet
{
    // The version and the request's path and parameters (sorted), hashed. A strong tag also names the content coding
    // the response will be sent in, since its bytes differ per coding.
    public static EntityTagHeaderValue Tag(HttpContext context, string version, bool weak, IResponseCompressionProvider? compression = null)
    {
        var text = new StringBuilder(version).Append('\n').Append(context.Request.Path.Value);
        foreach (var (key, values) in context.Request.Query.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var value in values)
            {
                text.Append('\n').Append(key).Append('=').Append(value);
            }
        }
        if (!weak && compression is not null)
        {
            var coding = compression.CheckRequestAcceptsCompression(context) ? compression.GetCompressionProvider(context)?.EncodingName : null;
            text.Append('\n').Append(coding ?? "identity");
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return new EntityTagHeaderValue($"\"{Convert.ToBase64String(hash, 0, 15).Replace('+', '-').Replace('/', '_')}\"", weak);
    }

    // Sets the validators; when the request's match them, the 304 to send (no body) instead of the response.
    // If-None-Match uses the weak comparison (RFC 9110 13.1.2) and takes precedence; without it, If-Modified-Since is
    // compared with lastModified, to the second.
    public static IResult? Answer(HttpContext context, EntityTagHeaderValue tag, DateTimeOffset? lastModified)
    {
        var request = context.Request;
        context.Response.Headers.ETag = tag.ToString();
        if (lastModified is { } modified)
        {
            context.Response.Headers.LastModified = HeaderUtilities.FormatDate(modified);
        }
        var matches = request.Headers.IfNoneMatch.Count > 0
            ? EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags)
                && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(tag, useStrongComparison: false))
            : lastModified is not null && HeaderUtilities.TryParseDate(request.Headers.IfModifiedSince.ToString(), out var since)
                && lastModified.Value.ToUnixTimeSeconds() <= since.ToUnixTimeSeconds();
        if (!matches)
        {
            return null;
        }
        context.Response.StatusCode = StatusCodes.Status304NotModified;
        return TypedResults.StatusCode(StatusCodes.Status304NotModified);
    }
}
