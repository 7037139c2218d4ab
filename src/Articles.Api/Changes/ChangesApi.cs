using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using Articles.Api.Articles;
using Articles.Api.Feeds;
using Articles.Api.Http;
using Articles.Data.Changes;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Articles.Api.Changes;

internal sealed record ChangeItem(Guid ArticleId, string Operation, DateTime ChangedAt, ArticleSummary? Article);

internal sealed record ChangePaging(int Limit, string NextCursor);

internal sealed record ChangeLinks(string Self, string Next);

internal sealed record ChangePage(IReadOnlyList<ChangeItem> Items, ChangePaging Paging, ChangeLinks Links);

internal sealed class ChangeListRequest
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    [FromQuery(Name = "cursor"), ParameterDoc("Opaque cursor from the previous response (links.next). Without it the feed starts from the first change.")]
    public string? Cursor { get; init; }

    [FromQuery(Name = "limit"), ParameterDoc("Changes per page.", Type = "integer", Minimum = 1, Maximum = MaxLimit, Default = "100")]
    public string? Limit { get; init; }

    [FromQuery(Name = "topic"), ParameterDoc("Only changes to articles in (or leaving) these topics. Repeat or comma-separate.", Repeatable = true)]
    public string[]? Topic { get; init; }

    public int LimitValue => Limit is null ? DefaultLimit : int.Parse(Limit, CultureInfo.InvariantCulture);
}

internal sealed class ChangeListRequestValidator : AbstractValidator<ChangeListRequest>
{
    public ChangeListRequestValidator()
    {
        RuleFor(r => r.Limit).WholeNumber(1, ChangeListRequest.MaxLimit).OverridePropertyName("limit");
        RuleFor(r => ArticleListRequest.Values(r.Topic)).Names("topics", 200).OverridePropertyName("topic");
        RuleFor(r => r.Cursor).MaximumLength(100).OverridePropertyName("cursor");
    }
}

internal static class ChangesApi
{
    public static void MapChanges(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/changes", ListChanges, "Every upsert and removal the job committed, in commit order, for partners that keep a copy in sync.")
            .WithTags("Feeds")
            .WithDescription("Apply the items in order: upsert = the article (summary included) is listed, remove = it is not " +
                "(removed, unpublished, or no longer in the topic filter). Follow links.next; an empty page means you are up to date: " +
                "poll the same next link later. A partner that follows the feed ends with exactly the set of listed articles.")
            .AddEndpointFilter<ValidationFilter<ChangeListRequest>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequirePartnerAccess()
            .Cacheable(weak: true, maxAgeSeconds: 0, validator: Validator.ChangeLog);
    }

    private static async Task<Results<JsonOk<ChangePage>, ProblemHttpResult>> ListChanges(
        [AsParameters] ChangeListRequest request, ChangeRepository repository, HttpContext http, CancellationToken ct)
    {
        var after = 0L;
        if (request.Cursor is not null && !ChangeCursor.TryDecode(request.Cursor, out after))
        {
            return Problems.InvalidCursor("Start again without cursor to replay from the beginning.");
        }
        var rows = await repository.ListAsync(after, ArticleListRequest.Values(request.Topic), request.LimitValue, ct);
        var next = ChangeCursor.Encode(rows.Count > 0 ? rows[^1].Seq : after);
        var items = rows.Select(r => new ChangeItem(r.Article.PublicId, r.ListedNow ? "upsert" : "remove", r.ChangedAt,
            r.ListedNow ? r.Article.ToSummary() : null)).ToList();
        var links = new ChangeLinks(Links.Self(http.Request), Links.With(http.Request, ("cursor", next)));
        Links.SetHeader(http.Response, [("self", links.Self), ("next", links.Next)]);
        return JsonOk.Of(new ChangePage(items, new ChangePaging(request.LimitValue, next), links));
    }
}

// The last change a partner has applied, opaque and checksummed.
internal static class ChangeCursor
{
    private const byte Version = 1;

    public static string Encode(long seq)
    {
        Span<byte> bytes = stackalloc byte[15];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], seq);
        SHA256.HashData(bytes[..9])[..6].CopyTo(bytes[9..]);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string text, out long seq)
    {
        seq = 0;
        Span<byte> bytes = stackalloc byte[18];
        if (!Base64Url.IsValid(text, out var length) || length != 15 || !Base64Url.TryDecodeFromChars(text, bytes, out _)
            || bytes[0] != Version || !SHA256.HashData(bytes[..9])[..6].AsSpan().SequenceEqual(bytes[9..15]))
        {
            return false;
        }
        seq = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        return seq >= 0;
    }
}
