-- Listed videos per provider, kept by the job beside article_count, so a type facet over every article or a
-- provider's is read rather than counted.
ALTER TABLE providers ADD COLUMN video_count integer NOT NULL DEFAULT 0;

UPDATE providers p SET video_count = c.n
FROM (SELECT provider_id, count(*)::int AS n FROM articles WHERE listed AND type = 'video' GROUP BY provider_id) c
WHERE c.provider_id = p.id;
