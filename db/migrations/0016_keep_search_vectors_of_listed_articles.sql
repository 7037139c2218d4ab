-- Relevance ranks a search's newest matches: read from this narrow copy of the listed articles' search vectors they lie
-- on a few pages, where the articles table holds each on a page of its own (bench/README.md, "Relevance").
CREATE TABLE article_search (
    article_id   bigint      PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    published_at timestamptz NOT NULL,
    search       tsvector    NOT NULL
);

INSERT INTO article_search (article_id, published_at, search)
SELECT id, published_at, search FROM articles WHERE listed;

CREATE INDEX article_search_newest ON article_search (published_at DESC, article_id DESC);

-- Kept by the database, not the job, so any build of the job (an older one during an upgrade too) keeps it right.
-- Set-based per statement: the job writes a batch of articles in one statement.
CREATE FUNCTION copy_article_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM article_search s USING written w WHERE s.article_id = w.id AND NOT w.listed;
    INSERT INTO article_search (article_id, published_at, search)
    SELECT w.id, w.published_at, w.search FROM written w WHERE w.listed
    ON CONFLICT (article_id) DO UPDATE SET published_at = excluded.published_at, search = excluded.search
        WHERE (article_search.published_at, article_search.search) IS DISTINCT FROM (excluded.published_at, excluded.search);
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_copy_search_inserted AFTER INSERT ON articles
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION copy_article_search();
CREATE TRIGGER articles_copy_search_updated AFTER UPDATE ON articles
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION copy_article_search();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'articles_reader') THEN
        GRANT SELECT ON article_search TO articles_reader;
    END IF;
END
$$;
