using FluentValidation;

namespace Articles.Ingest.Reading;

// What a document must hold to become an article, and the bounds that keep absurd values out.
internal sealed class DocumentValidator : AbstractValidator<ArticleDocument>
{
    public const int MaxUrl = 2048;
    private const string HttpUrl = "'{PropertyName}' must be an absolute http or https URL";
    private static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public DocumentValidator(TimeProvider clock)
    {
        RuleFor(d => d.Title).NotEmpty().MaximumLength(1_000).Named("title");
        RuleFor(d => d.Excerpt).MaximumLength(20_000).Named("excerpt");
        RuleFor(d => d.PublishedAt)
            .NotNull().WithMessage("'publishedDateTime' must be given")
            .InclusiveBetween(Earliest, clock.GetUtcNow().AddYears(1))
            .WithMessage("'publishedDateTime' must be between 1970 and a year from now")
            .Named("publishedDateTime");
        // The canonical URL is webUrl, else originalUrl: whichever it is must be a web address.
        When(d => d.WebUrl is not null,
            () => RuleFor(d => d.WebUrl).Must(BeHttpUrl).WithMessage(HttpUrl).Named("webUrl"))
            .Otherwise(() => RuleFor(d => d.OriginalUrl)
                .NotEmpty().WithMessage("'webUrl' or 'originalUrl' must be given")
                .Must(BeHttpUrl).WithMessage(HttpUrl).Named("originalUrl"));
        RuleFor(d => d.OriginalUrl).MaximumLength(MaxUrl).Named("originalUrl");
        RuleFor(d => d.WebUrl).MaximumLength(MaxUrl).Named("webUrl");
        RuleFor(d => d.AmpWebUrl).MaximumLength(MaxUrl).Named("ampWebUrl");
        RuleFor(d => d.CdnAmpWebUrl).MaximumLength(MaxUrl).Named("cdnAmpWebUrl");
        RuleFor(d => d.Type).Must(t => t is "article" or "video")
            .WithMessage("'type' must be article or video").Named("type");
        RuleFor(d => d.Category).MaximumLength(100).Named("category");
        RuleFor(d => d.Quality).InclusiveBetween(0, 10_000).Named("quality");
        RuleFor(d => d.Heat).InclusiveBetween(-1, 10_000).Named("heat");
        RuleFor(d => d.FeaturedContent).MaximumLength(65_536).Named("featuredContent");
        RuleFor(d => d.Secured).MaximumLength(65_536).Named("secured");

        RuleFor(d => d.Provider.Domain).NotEmpty().MaximumLength(253)
            .Matches(@"^[^\s/:?#@]+$").WithMessage("'provider.domain' must be a bare domain such as example.com")
            .Named("provider.domain");
        RuleFor(d => d.Provider.Name).MaximumLength(300).Named("provider.name");
        RuleForEach(d => d.Provider.Logos).SetValidator(new ImageValidator()).Named("provider.images");

        RuleFor(d => d.Topics.Count).LessThanOrEqualTo(100).Named("topics");
        RuleForEach(d => d.Topics).MaximumLength(200).Named("topics");
        RuleFor(d => d.Images.Count).LessThanOrEqualTo(100).Named("images");
        RuleForEach(d => d.Images).SetValidator(new ImageValidator()).Named("images");
        RuleFor(d => d.Related.Count).LessThanOrEqualTo(1_000).Named("related");
        RuleForEach(d => d.Related).SetValidator(new RelatedValidator()).Named("related");
    }

    public static bool BeHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private sealed class ImageValidator : AbstractValidator<ImageDocument>
    {
        public ImageValidator()
        {
            RuleFor(i => i.Url).NotEmpty().MaximumLength(MaxUrl).Named("url");
            RuleFor(i => i.Width).InclusiveBetween(0, 100_000).Named("width");
            RuleFor(i => i.Height).InclusiveBetween(0, 100_000).Named("height");
            RuleFor(i => i.Title).MaximumLength(1_000).Named("title");
        }
    }

    private sealed class RelatedValidator : AbstractValidator<RelatedDocument>
    {
        public RelatedValidator()
        {
            RuleFor(r => r.Title).MaximumLength(1_000).Named("title");
            RuleFor(r => r.Excerpt).MaximumLength(20_000).Named("excerpt");
            RuleFor(r => r.WebUrl).MaximumLength(MaxUrl).Named("webUrl");
            RuleFor(r => r.AmpWebUrl).MaximumLength(MaxUrl).Named("ampWebUrl");
            RuleFor(r => r.CdnAmpWebUrl).MaximumLength(MaxUrl).Named("cdnAmpWebUrl");
            RuleFor(r => r.ProviderName).MaximumLength(300).Named("provider.name");
            RuleFor(r => r.ProviderDomain).MaximumLength(253).Named("provider.domain");
            RuleFor(r => r.Quality).InclusiveBetween(0, 10_000).Named("quality");
            RuleFor(r => r.Images.Count).LessThanOrEqualTo(100).Named("images");
            RuleForEach(r => r.Images).SetValidator(new ImageValidator()).Named("images");
        }
    }
}

internal static class RuleNames
{
    // Problems name fields as the document spells them ("provider.domain"), in messages too.
    public static IRuleBuilderOptions<T, P> Named<T, P>(this IRuleBuilderOptions<T, P> rule, string name) =>
        rule.OverridePropertyName(name).WithName(name);
}
