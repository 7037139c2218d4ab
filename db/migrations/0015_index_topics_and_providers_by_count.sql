-- The most common topics and providers, for facets over every listed article: the first entries of an index instead of
-- sorting every topic or provider.
CREATE INDEX topics_by_count ON topics (article_count DESC, slug) WHERE article_count > 0;
CREATE INDEX providers_by_count ON providers (article_count DESC, domain) WHERE article_count > 0;
