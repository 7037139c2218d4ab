namespace Articles.Ingest.Reading;

// One article document as read from its front matter; required fields are validated afterwards.
internal sealed record ArticleDocument
{
    public string? Category { get; init; }
    public string? Title { get; init; }
    public string? Excerpt { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public string? OriginalUrl { get; init; }
    public string? WebUrl { get; init; }
    public string? AmpWebUrl { get; init; }
    public string? CdnAmpWebUrl { get; init; }
    public string Type { get; init; } = "article";
    public int? Quality { get; init; }
    public int? Heat { get; init; }
    public bool Removed { get; init; }
    public bool Published { get; init; } = true;
    public string? FeaturedContent { get; init; }
    public ProviderDocument Provider { get; init; } = new();
    public IReadOnlyList<string> Topics { get; init; } = [];
    public IReadOnlyList<ImageDocument> Images { get; init; } = [];
    public IReadOnlyList<RelatedDocument> Related { get; init; } = [];
    public string? Secured { get; init; }

    // webUrl when there is one, else originalUrl (videos carry only the latter).
    public string? CanonicalUrl => WebUrl ?? OriginalUrl;
}

internal sealed record ProviderDocument
{
    public string? Name { get; init; }
    public string? Domain { get; init; }
    public IReadOnlyList<ImageDocument> Logos { get; init; } = [];
}

internal sealed record ImageDocument
{
    public string? Url { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public bool? IsCached { get; init; }
    public string? Title { get; init; }
}

internal sealed record RelatedDocument
{
    public string? Title { get; init; }
    public string? Excerpt { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public string? WebUrl { get; init; }
    public string? AmpWebUrl { get; init; }
    public string? CdnAmpWebUrl { get; init; }
    public string? Type { get; init; }
    public string? ProviderName { get; init; }
    public string? ProviderDomain { get; init; }
    public int? Quality { get; init; }
    public IReadOnlyList<ImageDocument> Images { get; init; } = [];
}
