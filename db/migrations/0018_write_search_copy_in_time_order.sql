-- A batch's search vectors are written in time order, so the newest matches a relevance page ranks lie together on
-- a few pages even when files are loaded out of date order (bench/README.md, "a copy written in time order").
CREATE OR REPLACE FUNCTION copy_article_search() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM article_search s USING written w WHERE s.article_id = w.id AND NOT w.listed;
    INSERT INTO article_search (article_id, published_at, search)
    SELECT w.id, w.published_at, w.search FROM written w WHERE w.listed
    ORDER BY w.published_at, w.id
    ON CONFLICT (article_id) DO UPDATE SET published_at = excluded.published_at, search = excluded.search
        WHERE (article_search.published_at, article_search.search) IS DISTINCT FROM (excluded.published_at, excluded.search);
    RETURN NULL;
END
$$;
