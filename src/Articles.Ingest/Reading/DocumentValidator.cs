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
        RuleFor(d => d.Title).NotEmpty().MaximumLength(1_000).OverridePropertyName("title");
        RuleFor(d => d.Excerpt).MaximumLength(20_000).OverridePropertyName("excerpt");
        RuleFor(d => d.PublishedAt).NotNull()
            .InclusiveBetween(Earliest, clock.GetUtcNow().AddYears(1))
            .OverridePropertyName("publishedDateTime")
            .WithMessage("'publishedDateTime' must be given, between 1970 and a year from now");
        // The canonical URL is webUrl, else originalUrl: whichever it is must be a web address.
        When(d => d.WebUrl is not null,
            () => RuleFor(d => d.WebUrl).Must(BeHttpUrl).WithMessage(HttpUrl).OverridePropertyName("webUrl"))
            .Otherwise(() => RuleFor(d => d.OriginalUrl)
                .NotEmpty().WithMessage("'webUrl' or 'originalUrl' must be given")
                .Must(BeHttpUrl).WithMessage(HttpUrl).OverridePropertyName("originalUrl"));
        RuleFor(d => d.OriginalUrl).MaximumLength(MaxUrl).OverridePropertyName("originalUrl");
        RuleFor(d => d.WebUrl).MaximumLength(MaxUrl).OverridePropertyName("webUrl");
        RuleFor(d => d.AmpWebUrl).MaximumLength(MaxUrl).OverridePropertyName("ampWebUrl");
        RuleFor(d => d.CdnAmpWebUrl).MaximumLength(MaxUrl).OverridePropertyName("cdnAmpWebUrl");
        RuleFor(d => d.Type).Must(t => t is "article" or "video")
            .WithMessage("'type' must be article or video").OverridePropertyName("type");
        RuleFor(d => d.Category).MaximumLength(100).OverridePropertyName("category");
        RuleFor(d => d.Quality).InclusiveBetween(0, 10_000).OverridePropertyName("quality");
        RuleFor(d => d.Heat).InclusiveBetween(-1, 10_000).OverridePropertyName("heat");
        RuleFor(d => d.FeaturedContent).MaximumLength(65_536).OverridePropertyName("featuredContent");
        RuleFor(d => d.Secured).MaximumLength(65_536).OverridePropertyName("secured");

        RuleFor(d => d.Provider.Domain).NotEmpty().MaximumLength(253)
            .Matches(@"^[^\s/:?#@]+$").WithMessage("'provider.domain' must be a bare domain such as example.com")
            .OverridePropertyName("provider.domain");
        RuleFor(d => d.Provider.Name).MaximumLength(300).OverridePropertyName("provider.name");
        RuleForEach(d => d.Provider.Logos).SetValidator(new ImageValidator()).OverridePropertyName("provider.images");

        RuleFor(d => d.Topics.Count).LessThanOrEqualTo(100).OverridePropertyName("topics");
        RuleForEach(d => d.Topics).MaximumLength(200).OverridePropertyName("topics");
        RuleFor(d => d.Images.Count).LessThanOrEqualTo(100).OverridePropertyName("images");
        RuleForEach(d => d.Images).SetValidator(new ImageValidator()).OverridePropertyName("images");
        RuleFor(d => d.Related.Count).LessThanOrEqualTo(1_000).OverridePropertyName("related");
        RuleForEach(d => d.Related).SetValidator(new RelatedValidator()).OverridePropertyName("related");
    }

    public static bool BeHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private sealed class ImageValidator : AbstractValidator<ImageDocument>
    {
        public ImageValidator()
        {
            RuleFor(i => i.Url).NotEmpty().MaximumLength(MaxUrl).OverridePropertyName("url");
            RuleFor(i => i.Width).InclusiveBetween(0, 100_000).OverridePropertyName("width");
            RuleFor(i => i.Height).InclusiveBetween(0, 100_000).OverridePropertyName("height");
            RuleFor(i => i.Title).MaximumLength(1_000).OverridePropertyName("title");
        }
    }

    private sealed class RelatedValidator : AbstractValidator<RelatedDocument>
    {
        public RelatedValidator()
        {
            RuleFor(r => r.Title).MaximumLength(1_000).OverridePropertyName("title");
            RuleFor(r => r.Excerpt).MaximumLength(20_000).OverridePropertyName("excerpt");
            RuleFor(r => r.WebUrl).MaximumLength(MaxUrl).OverridePropertyName("webUrl");
            RuleFor(r => r.AmpWebUrl).MaximumLength(MaxUrl).OverridePropertyName("ampWebUrl");
            RuleFor(r => r.CdnAmpWebUrl).MaximumLength(MaxUrl).OverridePropertyName("cdnAmpWebUrl");
            RuleFor(r => r.ProviderName).MaximumLength(300).OverridePropertyName("provider.name");
            RuleFor(r => r.ProviderDomain).MaximumLength(253).OverridePropertyName("provider.domain");
            RuleFor(r => r.Quality).InclusiveBetween(0, 10_000).OverridePropertyName("quality");
            RuleFor(r => r.Images.Count).LessThanOrEqualTo(100).OverridePropertyName("images");
            RuleForEach(r => r.Images).SetValidator(new ImageValidator()).OverridePropertyName("images");
        }
    }
}
