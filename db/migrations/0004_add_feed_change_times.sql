-- When an article in (or leaving) the topic or provider was last written: the feeds' Last-Modified.
-- The job sets it only when it writes such an article, so re-ingesting unchanged files leaves it alone.
ALTER TABLE topics ADD COLUMN changed_at timestamptz;
ALTER TABLE providers ADD COLUMN changed_at timestamptz;

-- Databases loaded before this migration start from their articles' last write.
UPDATE topics t SET changed_at = (
    SELECT max(a.last_ingested_at) FROM article_topics x JOIN articles a ON a.id = x.article_id WHERE x.topic_id = t.id);
UPDATE providers p SET changed_at = (SELECT max(a.last_ingested_at) FROM articles a WHERE a.provider_id = p.id);
