using System.Globalization;
using Articles.Api.Http;
using Articles.Data.Articles;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Articles.Api.Articles;

internal sealed class ArticleListRequest
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
    // Numbered pages stop here; deeper walks use cursors, which cost the same at any depth.
    public const int MaxPagedResults = 10_000;

    [FromQuery(Name = "topic"), ParameterDoc("Topic slug. Repeat or comma-separate to match articles in any of them.", Repeatable = true)]
    public string[]? Topic { get; init; }

    [FromQuery(Name = "provider"), ParameterDoc("Provider domain. Repeat or comma-separate to match any of them.", Repeatable = true)]
    public string[]? Provider { get; init; }

    [FromQuery(Name = "type"), ParameterDoc("Only articles or only videos.", Enum = "article,video")]
    public string? Type { get; init; }

    [FromQuery(Name = "from"), ParameterDoc("Published at or after: a date (2024-01-31, midnight UTC) or an RFC 3339 date-time.")]
    public string? From { get; init; }

    [FromQuery(Name = "to"), ParameterDoc("Published before (exclusive): a date or an RFC 3339 date-time.")]
    public string? To { get; init; }

    [FromQuery(Name = "minQuality"), ParameterDoc("Lowest quality score to include.", Type = "integer", Minimum = 0, Maximum = 10_000)]
    public string? MinQuality { get; init; }

    [FromQuery(Name = "published"), ParameterDoc("Published articles (true), unpublished ones (false) or both (any). Removed articles are never listed.",
        Enum = "true,false,any", Default = "true")]
    public string? Published { get; init; }

    [FromQuery(Name = "q"), ParameterDoc("Full-text search over title and excerpt, web-search syntax: words, \"a phrase\", OR, -exclude.", MaxLength = 500)]
    public string? Q { get; init; }

    [FromQuery(Name = "sort"), ParameterDoc("Order of the list; relevance needs q.", Enum = "newest,oldest,quality,heat,relevance", Default = "newest")]
    public string? Sort { get; init; }

    [FromQuery(Name = "limit"), ParameterDoc("Articles per page.", Type = "integer", Minimum = 1, Maximum = MaxLimit, Default = "20")]
    public string? Limit { get; init; }

    [FromQuery(Name = "page"), ParameterDoc("1-based page number, for numbered pages: the response then has the exact total. " +
        "Pages past 10,000 results are refused (use cursor).", Type = "integer", Minimum = 1)]
    public string? Page { get; init; }

    [FromQuery(Name = "cursor"), ParameterDoc("Opaque cursor from a previous response's next or prev link. Valid only with the same filters and sort.")]
    public string? Cursor { get; init; }

    [FromQuery(Name = "ids"), ParameterDoc("Article ids (UUIDs, 1-100), repeated or comma-separated: their summaries in the order asked, each once, " +
        "and `missing` for the unknown (404) and removed (410) ones. Takes no other parameter but fields.", Repeatable = true)]
    public string[]? Ids { get; init; }

    [FromQuery(Name = "fields"), ParameterDoc("Comma-separated summary members to write (id is always written): id, type, title, excerpt, " +
        "publishedDateTime, webUrl, ampWebUrl, quality, heat, provider, topics, image.", MaxLength = 500)]
    public string? Fields { get; init; }

    [FromQuery(Name = "highlight"), ParameterDoc("With q: add highlights (title and up to three fragments of the excerpt, as HTML with the matched " +
        "words in <mark>).", Enum = "true,false", Default = "false")]
    public string? Highlight { get; init; }

    public bool HighlightValue => Highlight == "true";

    [FromQuery(Name = "facets"), ParameterDoc("Comma-separated: topic, provider, type. Adds facets: the top values of each with their counts under " +
        "this list's filter without that facet's own, exact up to 10,000 matches (else over the newest 10,000, exact false). Not carried by next/prev links.",
        MaxLength = 100)]
    public string? Facets { get; init; }

    [FromQuery(Name = "facetLimit"), ParameterDoc("Values per facet.", Type = "integer", Minimum = 1, Maximum = 100, Default = "20")]
    public string? FacetLimit { get; init; }

    public IReadOnlyList<Facet> FacetValues => Facets is null ? [] : Values([Facets]).Select(f => Enum.Parse<Facet>(f, ignoreCase: true)).ToList();

    public int FacetLimitValue => FacetLimit is null ? 20 : int.Parse(FacetLimit, CultureInfo.InvariantCulture);

    public const int MaxIds = 100;

    public bool AsksIds => Ids is { Length: > 0 };

    public int LimitValue => Limit is null ? DefaultLimit : int.Parse(Limit, CultureInfo.InvariantCulture);

    public int? PageValue => Page is null ? null : int.Parse(Page, CultureInfo.InvariantCulture);

    public ArticleSort SortValue => Enum.Parse<ArticleSort>(Sort ?? "newest", ignoreCase: true);

    public ArticleFilter ToFilter() => new(
        Values(Topic),
        Values(Provider),
        Type,
        From is null ? null : QueryValues.ParseTime(From),
        To is null ? null : QueryValues.ParseTime(To),
        MinQuality is null ? null : int.Parse(MinQuality, CultureInfo.InvariantCulture),
        Published switch { "false" => PublishedFilter.Unpublished, "any" => PublishedFilter.Any, _ => PublishedFilter.Published },
        string.IsNullOrWhiteSpace(Q) ? null : Q.Trim());

    // The ids asked, in the order asked.
    public static IReadOnlyList<string> IdValues(string[]? raw) => raw is null ? [] :
        raw.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    // What a batch by ids cannot be combined with: every filter, sort and paging parameter.
    public IEnumerable<string> BesideIds()
    {
        (string Name, object? Value)[] others = [("topic", Topic is { Length: > 0 } ? Topic : null), ("provider", Provider is { Length: > 0 } ? Provider : null), ("type", Type), ("from", From), ("to", To),
            ("minQuality", MinQuality), ("published", Published), ("q", Q), ("sort", Sort), ("limit", Limit), ("page", Page), ("cursor", Cursor), ("highlight", Highlight),
            ("facets", Facets), ("facetLimit", FacetLimit)];
        return others.Where(o => o.Value is not null).Select(o => o.Name);
    }

    // "a,b" and a=..&a=.. mean the same; order and case do not matter.
    public static IReadOnlyList<string> Values(string[]? raw) =>
        IdValues(raw).Select(v => v.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList();
}

internal sealed class ArticleListRequestValidator : AbstractValidator<ArticleListRequest>
{
    private static readonly string[] Sorts = ["newest", "oldest", "quality", "heat", "relevance"];
    private static readonly string[] FacetNames = ["topic", "provider", "type"];

    public ArticleListRequestValidator()
    {
        RuleFor(r => ArticleListRequest.Values(r.Topic)).Names("topics", 200).OverridePropertyName("topic");
        RuleFor(r => ArticleListRequest.Values(r.Provider)).Names("providers", 253).OverridePropertyName("provider");
        RuleFor(r => r.Type).Must(t => t is null or "article" or "video").WithMessage("Must be article or video.").OverridePropertyName("type");
        RuleFor(r => r.From).Must(QueryValues.IsTime).WithMessage(QueryValues.TimeMessage).OverridePropertyName("from");
        RuleFor(r => r.To).Must(QueryValues.IsTime).WithMessage(QueryValues.TimeMessage).OverridePropertyName("to");
        RuleFor(r => r).Must(r => QueryValues.ParseTime(r.From!) < QueryValues.ParseTime(r.To!))
            .When(r => r.From is not null && r.To is not null && QueryValues.IsTime(r.From) && QueryValues.IsTime(r.To))
            .WithMessage("Must be later than from.").OverridePropertyName("to");
        RuleFor(r => r.MinQuality).WholeNumber(0, 10_000).OverridePropertyName("minQuality");
        RuleFor(r => r.Published).Must(p => p is null or "true" or "false" or "any").WithMessage("Must be true, false or any.")
            .OverridePropertyName("published");
        RuleFor(r => r.Q).MaximumLength(500).WithMessage("At most 500 characters.")
            .Must(QueryValues.IsClean).WithMessage("Must not contain control characters.").OverridePropertyName("q");
        RuleFor(r => r.Sort).Must(s => s is null || Sorts.Contains(s)).WithMessage("Must be one of newest, oldest, quality, heat, relevance.")
            .OverridePropertyName("sort");
        RuleFor(r => r.Sort).Must((r, s) => s != "relevance" || !string.IsNullOrWhiteSpace(r.Q))
            .WithMessage("relevance needs a search (q).").OverridePropertyName("sort");
        RuleFor(r => r.Limit).WholeNumber(1, ArticleListRequest.MaxLimit).OverridePropertyName("limit");
        RuleFor(r => r.Page).Must(v => QueryValues.IsInt(v, 1, int.MaxValue)).WithMessage("Must be a whole number from 1.")
            .OverridePropertyName("page");
        RuleFor(r => r.Cursor).Null().When(r => r.Page is not null).WithMessage("Use either cursor or page, not both.")
            .OverridePropertyName("cursor");
        RuleFor(r => r.Cursor).MaximumLength(200).OverridePropertyName("cursor");
        RuleFor(r => ArticleListRequest.IdValues(r.Ids)).Must(v => v.Count is >= 1 and <= ArticleListRequest.MaxIds)
            .WithMessage($"Give 1 to {ArticleListRequest.MaxIds} article ids.")
            .ForEach(v => v.Must(id => Guid.TryParse(id, out _)).WithMessage("Must be an article id (a UUID)."))
            .When(r => r.AsksIds).OverridePropertyName("ids");
        RuleFor(r => r.BesideIds()).Must(o => !o.Any()).When(r => r.AsksIds)
            .WithMessage(r => $"ids takes no other parameter but fields; remove {string.Join(", ", r.BesideIds())}.").OverridePropertyName("ids");
        RuleFor(r => r.Highlight).Must(h => h is null or "true" or "false").WithMessage("Must be true or false.").OverridePropertyName("highlight");
        RuleFor(r => r.Highlight).Must((r, h) => h != "true" || !string.IsNullOrWhiteSpace(r.Q))
            .WithMessage("highlight needs a search (q).").OverridePropertyName("highlight");
        RuleFor(r => r.Facets).Must(f => f is null || (ArticleListRequest.Values([f]) is { Count: > 0 } names && names.All(FacetNames.Contains)))
            .WithMessage("Must be one or more of topic, provider, type.").OverridePropertyName("facets");
        RuleFor(r => r.FacetLimit).WholeNumber(1, 100).OverridePropertyName("facetLimit");
        RuleFor(r => r.Fields).Must(f => SparseFields.Invalid(typeof(ArticleSummary), f) is null)
            .WithMessage(r => SparseFields.Invalid(typeof(ArticleSummary), r.Fields)!).OverridePropertyName("fields");
    }
}

// Parsing shared by validators and requests, so what validates is exactly what parses.
internal static class QueryValues
{
    public const string TimeMessage = "Must be a date (2024-01-31) or an RFC 3339 date-time (2024-01-31T12:00:00Z).";

    private static readonly string[] TimeFormats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    // Control characters (NUL above all, which PostgreSQL text cannot hold) never name anything we serve.
    public static bool IsClean(string? value) => value is null || !value.Any(char.IsControl);

    public static bool IsInt(string? value, int min, int max) =>
        value is null || (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max);

    // The rule for a number parameter, with the message every one of them gives.
    public static IRuleBuilderOptions<T, string?> WholeNumber<T>(this IRuleBuilder<T, string?> rule, int min, int max) =>
        rule.Must(v => IsInt(v, min, max)).WithMessage($"Must be a whole number from {min} to {max}.");

    // The rule for a repeatable list of names (topics, providers): at most 20, each clean and at most maxLength long.
    public static IRuleBuilderOptions<T, IEnumerable<string>> Names<T>(this IRuleBuilder<T, IReadOnlyList<string>> rule, string plural, int maxLength) =>
        rule.Must(v => v.Count <= 20).WithMessage($"At most 20 {plural}.")
            .ForEach(v => v.MaximumLength(maxLength).Must(IsClean).WithMessage("Must not contain control characters."));

    public static bool IsTime(string? value) => value is null || TryParseTime(value, out _);

    public static DateTime ParseTime(string value) => TryParseTime(value, out var time) ? time : throw new FormatException(TimeMessage);

    private static bool TryParseTime(string value, out DateTime time)
    {
        var ok = DateTimeOffset.TryParseExact(value, TimeFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed);
        time = parsed.UtcDateTime;
        return ok;
    }
}
