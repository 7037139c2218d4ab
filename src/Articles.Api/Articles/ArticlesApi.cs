using System.Globalization;
using Articles.Api.Http;
using Articles.Data;
using Articles.Data.Articles;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Articles.Api.Articles;

internal static class ArticlesApi
{
    public static void MapArticles(this IEndpointRouteBuilder app)
    {
        var articles = app.MapGroup("/v1/articles").WithTags("Articles");

        articles.MapGet("/", ListArticles, "List articles, newest first unless sorted otherwise, filtered and searched.")
            .WithDescription("Pages by cursor (default: follow links.next) or by page number (exact totals, at most 10,000 results deep). " +
                "Links are in the body and in the Link header. Only published, non-removed articles unless published says otherwise.")
            .AddEndpointFilter<ValidationFilter<ArticleListRequest>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .Cacheable(weak: true);

        articles.MapGet("/lookup", LookupArticle, "Find the article that has this URL as its webUrl, originalUrl, ampWebUrl or cdnAmpWebUrl.")
            .AboutOneArticle(weak: false);

        articles.MapGet("/{id}/similar", SimilarArticles,
                "More like this: the listed articles whose title and excerpt are closest to this one's (full text), closest first.")
            .WithDescription("The article's ten rarest words find at most 200 candidates; its twenty rarest rank them (ts_rank), newest first among equal scores.")
            .AboutOneArticle(weak: true);

        articles.MapGet("/{id}", GetArticle, "One whole article: every field, its topics, images, provider with logo and related links.")
            .AboutOneArticle(weak: false);
    }

    // A route about one article answers a bad parameter, no such article, or one its publisher removed.
    private static RouteHandlerBuilder AboutOneArticle(this RouteHandlerBuilder route, bool weak) => route
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status410Gone)
        .Cacheable(weak);

    private static async Task<Results<JsonOk<ArticlePage>, ProblemHttpResult>> ListArticles(
        [AsParameters] ArticleListRequest request, ArticleRepository repository, FacetRepository facets, VersionedMemo<ulong, (long Total, bool Exact)> totals, HttpContext http, CancellationToken ct)
    {
        var fields = SparseFields.For(typeof(ArticleSummary), request.Fields);
        if (request.AsksIds)
        {
            return await Batch(http, request, fields, repository, ct);
        }
        var filter = request.ToFilter();
        var sort = request.SortValue;
        var limit = request.LimitValue;
        var sortName = sort.ToString().ToLowerInvariant();
        var hash = ArticleCursor.HashOf(filter, sort);

        if (request.PageValue is { } page)
        {
            if ((long)page * limit > ArticleListRequest.MaxPagedResults)
            {
                return Problems.BadRequest("page-too-deep", "Page too deep",
                    $"Numbered pages stop at {ArticleListRequest.MaxPagedResults:N0} results; to go further, drop 'page' and follow the cursor in links.next.");
            }
            // Every page of one query has the same total between two commits: it is counted once.
            var readAt = totals.Version;
            var (rows, total, exact) = await repository.PageAsync(new ArticlePageRequest(filter, sort, limit, Skip: (page - 1) * limit, Shown: fields.ListParts()),
                ArticleListRequest.MaxPagedResults, totals.TryGet(hash, out var known) ? known : null, ct);
            totals.Remember(readAt, hash, (total, exact));
            var pages = (int)Math.Max(1, (total + limit - 1) / limit);
            return await PageAsync(http, request, filter, repository, facets, rows, new ArticlePaging(limit, sortName, page, total, exact, pages, null, null),
                Links.Numbered(http.Request, page, pages, NotCarried), fields, ct);
        }

        if (ArticleCursor.Read(request.Cursor, hash, sort, out var from) is { } problem)
        {
            return problem;
        }

        var found = await repository.ListAsync(
            new ArticlePageRequest(filter, sort, limit + 1, from?.Keyset, from?.Backwards ?? false, from?.ChangesSeen ?? 0, Shown: fields.ListParts()), ct);
        var (next, prev) = ArticleCursor.Around(found, limit, from, sort, hash);
        var cursorLinks = Links.Cursored(http.Request, next, prev, NotCarried);
        return await PageAsync(http, request, filter, repository, facets, found, new ArticlePaging(limit, sortName, null, null, null, null, next, prev), cursorLinks, fields, ct);
    }

    // Articles asked by id: one page in the order asked, sorted "ids", with the ids not served under missing.
    private static async Task<JsonOk<ArticlePage>> Batch(HttpContext http, ArticleListRequest request, FieldSet? fields,
        ArticleRepository repository, CancellationToken ct)
    {
        var ids = ArticleListRequest.IdValues(request.Ids).Select(Guid.Parse).Distinct().ToList();
        var batch = await repository.BatchAsync(ids, fields.ListParts(), ct);
        var links = new PageLinks(Links.Self(http.Request), Links.Self(http.Request), null, null);
        Links.SetHeader(http.Response, links);
        return JsonOk.Of(new ArticlePage(batch.Found.Select(r => r.ToSummary()).ToList(),
            new ArticlePaging(ids.Count, "ids", null, null, null, null, null, null), links,
            batch.Missing.Select(m => new MissingArticle(m.Id, m.Status)).ToList()), fields);
    }

    // A client asks for facets again when it wants them: next and prev pages do not count them.
    private static readonly string[] NotCarried = ["facets", "facetLimit"];

    // highlight=true: the page's titles and excerpts with the words the search matched marked, read for its rows only.
    // facets: counted after the page, under its filter.
    private static async Task<JsonOk<ArticlePage>> PageAsync(HttpContext http, ArticleListRequest request, ArticleFilter filter,
        ArticleRepository repository, FacetRepository facets, List<ArticleSummaryRow> rows, ArticlePaging paging, PageLinks links,
        FieldSet? fields, CancellationToken ct)
    {
        var marked = request.HighlightValue && rows.Count > 0
            ? await repository.HighlightsAsync(rows.Select(r => r.Id).ToList(), filter.Search!, ct)
            : null;
        var asked = request.FacetValues;
        var counts = asked.Count > 0
            ? await facets.CountAsync(await repository.PlanAsync(filter, ct), asked, request.FacetLimitValue, ct)
            : null;
        Links.SetHeader(http.Response, links);
        return JsonOk.Of(new ArticlePage(rows.Select(r => r.ToSummary() with
        {
            Highlights = marked?.TryGetValue(r.Id, out var m) == true ? Highlighting.ToHtml(m) : null,
        }).ToList(), paging, links, Facets: counts is null ? null : new ArticleFacets(Of(Facet.Topic), Of(Facet.Provider), Of(Facet.Type))), fields);

        FacetResponse? Of(Facet facet) => counts.FirstOrDefault(c => c.Facet == facet) is { } c ? new FacetResponse(c.Exact, c.Values) : null;
    }

    private const string FieldsDoc = "Comma-separated members to write (id is always written): id, type, category, title, excerpt, publishedDateTime, " +
        "originalUrl, webUrl, ampWebUrl, cdnAmpWebUrl, quality, heat, published, featuredContent, provider, topics, images, related.";

    // fields= of a whole article: its members picked, or the problem with the names.
    private static ValidationProblem? ArticleFields(string? fields, out FieldSet? set)
    {
        var invalid = SparseFields.Invalid(typeof(ArticleResponse), fields);
        set = invalid is null ? SparseFields.For(typeof(ArticleResponse), fields) : null;
        return invalid is null ? null : Problems.Invalid("fields", invalid);
    }

    private static async Task<Results<JsonOk<ArticleResponse>, ProblemHttpResult, ValidationProblem>> GetArticle(
        string id, [FromQuery(Name = "fields"), ParameterDoc(FieldsDoc, MaxLength = 500)] string? fields, ArticleDetailRepository repository, CancellationToken ct)
    {
        if (ArticleFields(fields, out var set) is { } invalid)
        {
            return invalid;
        }
        return Guid.TryParse(id, out var publicId)
            ? Answer(await repository.GetAsync(publicId, ct, set.DetailParts()), set, $"No article has the id '{id}'.")
            : Problems.NotFound($"No article has the id '{id}' (ids are UUIDs).");
    }

    private static async Task<Results<JsonOk<ArticleResponse>, ProblemHttpResult, ValidationProblem>> LookupArticle(
        [FromQuery(Name = "url"), ParameterDoc("The URL to look up; normalised as the ingestion job does (trimmed, spaces percent-encoded).", MaxLength = 2048)]
        string? url,
        [FromQuery(Name = "fields"), ParameterDoc(FieldsDoc, MaxLength = 500)] string? fields,
        ArticleDetailRepository repository, CancellationToken ct)
    {
        var normalized = Identity.NormalizeUrl(url);
        if (normalized is null || normalized.Length > 2048 || !QueryValues.IsClean(normalized))
        {
            return Problems.Invalid("url", "Give the article URL to look up (at most 2048 characters, no control characters).");
        }
        if (ArticleFields(fields, out var set) is { } invalid)
        {
            return invalid;
        }
        var id = await repository.LookupAsync(normalized, ct);
        return Answer(id is null ? null : await repository.GetAsync(id.Value, ct, set.DetailParts()), set, $"No article has the URL '{normalized}'.");
    }

    private static async Task<Results<JsonOk<SimilarArticles>, ProblemHttpResult, ValidationProblem>> SimilarArticles(
        string id, [FromQuery(Name = "limit"), ParameterDoc("Articles to return.", Type = "integer", Minimum = 1, Maximum = 50, Default = "10")] string? limit,
        SimilarRepository repository, CancellationToken ct)
    {
        if (!QueryValues.IsInt(limit, 1, 50))
        {
            return Problems.Invalid("limit", "Must be a whole number from 1 to 50.");
        }
        var found = Guid.TryParse(id, out var publicId)
            ? await repository.SimilarAsync(publicId, limit is null ? 10 : int.Parse(limit, CultureInfo.InvariantCulture), ct)
            : null;
        return found switch
        {
            null => Problems.NotFound($"No article has the id '{id}'."),
            { Removed: true } => Problems.Removed(publicId),
            { Similar: var rows } => JsonOk.Of(new SimilarArticles(rows.Select(r => r.ToSummary()).ToList())),
        };
    }

    // Not found and removed are answers, not exceptions.
    private static Results<JsonOk<ArticleResponse>, ProblemHttpResult, ValidationProblem> Answer(ArticleDetail? detail, FieldSet? set, string notFound) => detail switch
    {
        null => Problems.NotFound(notFound),
        { Article.Removed: true } => Problems.Removed(detail.Article.PublicId),
        _ => JsonOk.Of(detail.ToResponse(), set),
    };
}
