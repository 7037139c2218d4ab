using System.Globalization;
using Articles.Api.Articles;
using Articles.Api.Http;
using Articles.Api.Topics;
using Articles.Data.Providers;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Articles.Api.Providers;

internal sealed record ProviderLinks(string Self, string Articles, FeedLinks Feeds);

internal sealed record ProviderResponse(
    string Name, string Domain, ImageResponse? Logo, int ArticleCount, DateTime? LatestPublishedDateTime, ProviderLinks Links);

internal sealed record ProviderPaging(int Page, int Limit, long TotalItems, int TotalPages);

internal sealed record ProviderPage(IReadOnlyList<ProviderResponse> Items, ProviderPaging Paging, PageLinks Links);

internal sealed class ProviderListRequest
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    [FromQuery(Name = "q"), ParameterDoc("Prefix of the provider's name (any case) or domain.", MaxLength = 253)]
    public string? Q { get; init; }

    [FromQuery(Name = "page"), ParameterDoc("1-based page number.", Type = "integer", Minimum = 1, Maximum = 100_000, Default = "1")]
    public string? Page { get; init; }

    [FromQuery(Name = "limit"), ParameterDoc("Providers per page.", Type = "integer", Minimum = 1, Maximum = MaxLimit, Default = "50")]
    public string? Limit { get; init; }

    public int PageValue => Page is null ? 1 : int.Parse(Page, CultureInfo.InvariantCulture);

    public int LimitValue => Limit is null ? DefaultLimit : int.Parse(Limit, CultureInfo.InvariantCulture);
}

internal sealed class ProviderListRequestValidator : AbstractValidator<ProviderListRequest>
{
    public ProviderListRequestValidator()
    {
        RuleFor(r => r.Q).MaximumLength(253).WithMessage("At most 253 characters.")
            .Must(QueryValues.IsClean).WithMessage("Must not contain control characters.").OverridePropertyName("q");
        RuleFor(r => r.Page).WholeNumber(1, 100_000).OverridePropertyName("page");
        RuleFor(r => r.Limit).WholeNumber(1, ProviderListRequest.MaxLimit).OverridePropertyName("limit");
    }
}

internal static class ProvidersApi
{
    public static void MapProviders(this IEndpointRouteBuilder app)
    {
        var providers = app.MapGroup("/v1/providers").WithTags("Providers");

        providers.MapGet("/", ListProviders,
                "Providers with their logo, article count and newest published time, most articles first; q narrows by prefix.")
            .AddEndpointFilter<ValidationFilter<ProviderListRequest>>()
            .ProducesValidationProblem()
            .Cacheable(weak: true);

        providers.MapGet("/{domain}", GetProvider, "One provider by domain.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .Cacheable(weak: true);
    }

    private static async Task<JsonOk<ProviderPage>> ListProviders(
        [AsParameters] ProviderListRequest request, ProviderRepository repository, HttpContext http, CancellationToken ct)
    {
        var prefix = string.IsNullOrWhiteSpace(request.Q) ? null : request.Q.Trim();
        var (page, limit) = (request.PageValue, request.LimitValue);
        var rows = await repository.ListAsync(prefix, (page - 1) * limit, limit, ct);
        var total = await repository.CountAsync(prefix, ct);
        var pages = (int)Math.Max(1, (total + limit - 1) / limit);
        var links = Links.Numbered(http.Request, page, pages);
        Links.SetHeader(http.Response, links);
        return JsonOk.Of(new ProviderPage(rows.Select(r => r.ToResponse(http.Request)).ToList(),
            new ProviderPaging(page, limit, total, pages), links));
    }

    private static async Task<Results<JsonOk<ProviderResponse>, ProblemHttpResult>> GetProvider(
        string domain, ProviderRepository repository, HttpContext http, CancellationToken ct) =>
        QueryValues.IsClean(domain) && await repository.GetAsync(domain.ToLowerInvariant(), ct) is { } provider
            ? JsonOk.Of(provider.ToResponse(http.Request))
            : Problems.NotFound($"No provider has the domain '{domain}'.");

    private static ProviderResponse ToResponse(this ProviderRow p, HttpRequest request) => new(
        p.Name, p.Domain, p.Logo?.ToResponse(), p.ArticleCount, p.LatestPublishedAt,
        new ProviderLinks(Links.To(request, $"/v1/providers/{Uri.EscapeDataString(p.Domain)}"),
            Links.To(request, "/v1/articles", QueryString.Create("provider", p.Domain)),
            TopicsApi.Feeds(request, $"/v1/providers/{Uri.EscapeDataString(p.Domain)}")));
}
