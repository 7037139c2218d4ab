namespace Articles.Ingest.Reading;

// One article document as read from its front matter; required fields are validated afterwards.
internal sealed record ArticleDocument(
    string? Category, string? Title, string? Excerpt, DateTimeOffset? PublishedAt, string? OriginalUrl, string? WebUrl,
    string? AmpWebUrl, string? CdnAmpWebUrl, string Type, int? Quality, int? Heat, bool Removed, bool Published,
    string? FeaturedContent, ProviderDocument Provider, IReadOnlyList<string> Topics, IReadOnlyList<ImageDocument> Images,
    IReadOnlyList<RelatedDocument> Related, string? Secured)
{
    // webUrl when there is one, else originalUrl (videos carry only the latter).
    public string? CanonicalUrl => WebUrl ?? OriginalUrl;
}

internal sealed record ProviderDocument(string? Name, string? Domain, IReadOnlyList<ImageDocument> Logos);

internal sealed record ImageDocument(string? Url, int? Width, int? Height, bool? IsCached, string? Title);

internal sealed record RelatedDocument(
    string? Title, string? Excerpt, DateTimeOffset? PublishedAt, string? WebUrl, string? AmpWebUrl, string? CdnAmpWebUrl,
    string? Type, string? ProviderName, string? ProviderDomain, int? Quality, IReadOnlyList<ImageDocument> Images);
