-- GET /v1/providers?q=... matches a prefix of the name (any case) or of the domain.
CREATE INDEX providers_name_prefix ON providers (lower(name) text_pattern_ops);
CREATE INDEX providers_domain_prefix ON providers (domain text_pattern_ops);
