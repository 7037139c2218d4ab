using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;

namespace Articles.Api.Http;

internal sealed record PageLinks(string Self, string First, string? Next, string? Prev);

// Absolute links that keep the request's own parameters and change only the paging ones.
internal static class Links
{
    // Links of numbered page `page` out of `pages`; next and prev without the parameters named in notCarried.
    public static PageLinks Numbered(HttpRequest request, int page, int pages, params string[] notCarried) => new(
        Self(request), With(request, ("page", "1")),
        page < pages ? With(request, [("page", (page + 1).ToString(CultureInfo.InvariantCulture)), .. notCarried.Select(n => (n, (string?)null))]) : null,
        page > 1 ? With(request, [("page", Math.Min(page - 1, pages).ToString(CultureInfo.InvariantCulture)), .. notCarried.Select(n => (n, (string?)null))]) : null);

    // Links of a cursor page: next and prev carry their cursor, without the parameters named in notCarried.
    public static PageLinks Cursored(HttpRequest request, string? next, string? prev, params string[] notCarried) => new(
        Self(request), With(request, ("cursor", null)),
        next is null ? null : With(request, [("cursor", next), .. notCarried.Select(n => (n, (string?)null))]),
        prev is null ? null : With(request, [("cursor", prev), .. notCarried.Select(n => (n, (string?)null))]));

    public static void SetHeader(HttpResponse response, PageLinks links) =>
        SetHeader(response, [("self", links.Self), ("first", links.First), ("next", links.Next), ("prev", links.Prev)]);

    public static string Self(HttpRequest request) => UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, request.QueryString);

    public static string With(HttpRequest request, params (string Name, string? Value)[] changes)
    {
        var names = changes.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var query = new QueryBuilder(request.Query
            .Where(p => !names.Contains(p.Key))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? ""))));
        foreach (var (name, value) in changes.Where(c => c.Value is not null))
        {
            query.Add(name, value!);
        }
        return UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, query.ToQueryString());
    }

    public static string To(HttpRequest request, string path, QueryString query = default) =>
        UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, path, query);

    // RFC 8288: the same links as the body, for clients that page by headers.
    public static void SetHeader(HttpResponse response, IEnumerable<(string Rel, string? Href)> links) =>
        response.Headers.Link = string.Join(", ", links.Where(l => l.Href is not null).Select(l => $"<{l.Href}>; rel=\"{l.Rel}\""));
}
