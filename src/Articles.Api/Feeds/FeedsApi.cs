using System.Globalization;
using Articles.Api.Articles;
using Articles.Api.Http;
using Articles.Data.Articles;
using Articles.Data.Providers;
using Articles.Data.Topics;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IO;
using Microsoft.Net.Http.Headers;

namespace Articles.Api.Feeds;

internal sealed class FeedRequest
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    [FromQuery(Name = "limit"), ParameterDoc("Entries per page.", Type = "integer", Minimum = 1, Maximum = MaxLimit, Default = "50")]
    public string? Limit { get; init; }

    [FromQuery(Name = "cursor"), ParameterDoc("Opaque cursor from the feed's next link (JSON Feed next_url, Atom/RSS link rel=next).")]
    public string? Cursor { get; init; }

    public int LimitValue => Limit is null ? DefaultLimit : int.Parse(Limit, CultureInfo.InvariantCulture);
}

internal sealed class FeedRequestValidator : AbstractValidator<FeedRequest>
{
    public FeedRequestValidator()
    {
        RuleFor(r => r.Limit).WholeNumber(1, FeedRequest.MaxLimit).OverridePropertyName("limit");
        RuleFor(r => r.Cursor).MaximumLength(200).OverridePropertyName("cursor");
    }
}

// What a feed is of: one topic or one provider.
internal sealed record FeedScope(string Id, string Title, string Description, ArticleFilter Filter, DateTime Updated, QueryString Home);

internal static class FeedsApi
{
    // A feed page is written whole before it is sent (XmlWriter writes synchronously), into pooled buffers: a growing
    // MemoryStream and its copy put 7% of a 50-entry feed's CPU in zeroing new memory (bench/README.md, "Feed bodies").
    private static readonly RecyclableMemoryStreamManager Buffers = new();

    private static readonly (string Extension, string ContentType, Action<Feed, Stream> Write, string Name)[] Formats =
    [
        ("json", FeedWriters.JsonFeedType, JsonFeedWriter.Write, "JSON Feed 1.1"),
        ("atom", FeedWriters.AtomType, FeedWriters.Atom, "Atom 1.0"),
        ("rss", FeedWriters.RssType, FeedWriters.Rss, "RSS 2.0"),
    ];

    public static void MapFeeds(this IEndpointRouteBuilder app)
    {
        var feeds = app.MapGroup("/v1").WithTags("Feeds")
            .RequirePartnerAccess()
            .AddEndpointFilter<ValidationFilter<FeedRequest>>();

        foreach (var (extension, contentType, write, name) in Formats)
        {
            var suffix = CultureInfo.InvariantCulture.TextInfo.ToTitleCase(extension);
            feeds.MapGet($"/topics/{{slug}}/feed.{extension}",
                    async ([AsParameters] FeedRequest request, string slug, TopicRepository topics, ArticleRepository articles, VersionedMemo<(string, string), FeedScope?> scopes, HttpContext http, CancellationToken ct) =>
                        await ServeAsync(await scopes.GetOrReadAsync(("topic", slug), () => TopicScopeAsync(slug, topics, ct)),
                            $"No topic has the slug '{slug}'.", request, contentType, write, articles, http, ct))
                .Feed($"TopicFeed{suffix}", $"A topic's newest published articles as {name}.", contentType);

            feeds.MapGet($"/providers/{{domain}}/feed.{extension}",
                    async ([AsParameters] FeedRequest request, string domain, ProviderRepository providers, ArticleRepository articles, VersionedMemo<(string, string), FeedScope?> scopes, HttpContext http, CancellationToken ct) =>
                        await ServeAsync(await scopes.GetOrReadAsync(("provider", domain), () => ProviderScopeAsync(domain, providers, ct)),
                            $"No provider has the domain '{domain}'.", request, contentType, write, articles, http, ct))
                .Feed($"ProviderFeed{suffix}", $"A provider's newest published articles as {name}.", contentType);
        }
    }

    private static RouteHandlerBuilder Feed(this RouteHandlerBuilder route, string name, string summary, string contentType) => route
        .WithName(name)
        .WithSummary(summary)
        .Produces<string>(StatusCodes.Status200OK, contentType)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .Cacheable(weak: true, maxAgeSeconds: 60, validator: Validator.Scope);

    private static async Task<FeedScope?> TopicScopeAsync(string slug, TopicRepository topics, CancellationToken ct) =>
        QueryValues.IsClean(slug) && await topics.GetAsync(slug.ToLowerInvariant(), ct) is { } topic
            ? Scope("topic", topic.Slug, topic.Name, $"The newest published articles on {topic.Name}.", topic.ChangedAt)
            : null;

    private static async Task<FeedScope?> ProviderScopeAsync(string domain, ProviderRepository providers, CancellationToken ct) =>
        QueryValues.IsClean(domain) && await providers.GetAsync(domain.ToLowerInvariant(), ct) is { } provider
            ? Scope("provider", provider.Domain, provider.Name, $"The newest published articles from {provider.Name} ({provider.Domain}).", provider.ChangedAt)
            : null;

    // kind: topic or provider, the name of the list parameter that selects the same articles.
    private static FeedScope Scope(string kind, string key, string name, string description, DateTime? changedAt) => new(
        $"urn:articles-api:{kind}:{key}", $"Articles API: {name}", description,
        new ArticleFilter(kind == "topic" ? [key] : [], kind == "provider" ? [key] : [], null, null, null, null, PublishedFilter.Published, null),
        changedAt ?? DateTime.UnixEpoch, QueryString.Create(kind, key));

    // Newest first, paged with the same keyset cursors as /v1/articles; without a scope, the 404 saying what was not found.
    private static async Task<IResult> ServeAsync(FeedScope? scope, string notFound, FeedRequest request, string contentType, Action<Feed, Stream> write,
        ArticleRepository articles, HttpContext http, CancellationToken ct)
    {
        if (scope is null)
        {
            return Problems.NotFound(notFound);
        }
        var hash = ArticleCursor.HashOf(scope.Filter, ArticleSort.Newest);
        if (ArticleCursor.Read(request.Cursor, hash, ArticleSort.Newest, out var from) is { } problem)
        {
            return problem;
        }
        // The feed's own stamp: it moves only when the job writes an article in (or leaving) this topic or provider.
        var modified = new DateTimeOffset(DateTime.SpecifyKind(scope.Updated, DateTimeKind.Utc));
        if (ConditionalGet.Answer(http, ConditionalGet.Tag(http, $"{scope.Id}.{scope.Updated.Ticks}", weak: true), modified) is { } notModified)
        {
            return notModified;
        }
        var limit = request.LimitValue;
        var rows = await articles.ListAsync(
            new ArticlePageRequest(scope.Filter, ArticleSort.Newest, limit + 1, from?.Keyset, ChangesSeen: from?.ChangesSeen ?? 0), ct);
        // A feed only walks forward, whichever way the cursor it was given had walked.
        var (next, _) = ArticleCursor.Around(rows, limit, @from is null ? null : @from with { Backwards = false }, ArticleSort.Newest, hash);
        var feed = new Feed(scope.Id, scope.Title, scope.Description, Links.Self(http.Request),
            Links.To(http.Request, "/v1/articles", scope.Home), next is null ? null : Links.With(http.Request, ("cursor", next)), scope.Updated, rows);
        var body = Buffers.GetStream();
        write(feed, body);
        body.Position = 0;
        return TypedResults.Stream(body, contentType);
    }
}
