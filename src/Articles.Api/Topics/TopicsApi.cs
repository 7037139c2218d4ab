using Articles.Api.Articles;
using Articles.Api.Http;
using Articles.Data.Topics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Articles.Api.Topics;

internal sealed record FeedLinks(string Json, string Atom, string Rss);

internal sealed record TopicLinks(string Self, string Articles, FeedLinks Feeds);

internal sealed record TopicResponse(string Name, string Slug, int ArticleCount, DateTime? LatestPublishedDateTime, TopicLinks Links);

internal sealed record TopicList(IReadOnlyList<TopicResponse> Items);

internal static class TopicsApi
{
    public static void MapTopics(this IEndpointRouteBuilder app)
    {
        var topics = app.MapGroup("/v1/topics").WithTags("Topics");

        topics.MapGet("/", ListTopics, "Every topic with its count of listed articles and newest published time, most articles first.")
            .Cacheable(weak: true);

        topics.MapGet("/{slug}", GetTopic, "One topic by slug.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .Cacheable(weak: true);
    }

    private static async Task<JsonOk<TopicList>> ListTopics(TopicRepository repository, HttpContext http, CancellationToken ct) =>
        JsonOk.Of(new TopicList((await repository.ListAsync(ct)).Select(t => t.ToResponse(http.Request)).ToList()));

    private static async Task<Results<JsonOk<TopicResponse>, ProblemHttpResult>> GetTopic(
        string slug, TopicRepository repository, HttpContext http, CancellationToken ct) =>
        QueryValues.IsClean(slug) && await repository.GetAsync(slug.ToLowerInvariant(), ct) is { } topic
            ? JsonOk.Of(topic.ToResponse(http.Request))
            : Problems.NotFound($"No topic has the slug '{slug}'.");

    private static TopicResponse ToResponse(this TopicRow t, HttpRequest request) => new(
        t.Name, t.Slug, t.ArticleCount, t.LatestPublishedAt,
        new TopicLinks(Links.To(request, $"/v1/topics/{Uri.EscapeDataString(t.Slug)}"), Links.To(request, "/v1/articles", QueryString.Create("topic", t.Slug)),
            Feeds(request, $"/v1/topics/{Uri.EscapeDataString(t.Slug)}")));

    public static FeedLinks Feeds(HttpRequest request, string path) =>
        new(Links.To(request, path + "/feed.json"), Links.To(request, path + "/feed.atom"), Links.To(request, path + "/feed.rss"));
}
