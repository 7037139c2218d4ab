-- Copies of an article's topic names and slugs in position order, so a list reads them with the article rather than
-- four index probes per row. topics_hash is the content_hash they were written with: a build of the job older than
-- this migration rewrites articles without them, and a list then reads the topics from article_topics again.
ALTER TABLE articles
    ADD COLUMN topic_names text[],
    ADD COLUMN topic_slugs text[],
    ADD COLUMN topics_hash bytea;

UPDATE articles a
SET topic_names = t.names, topic_slugs = t.slugs, topics_hash = a.content_hash
FROM (SELECT x.article_id, array_agg(t.name ORDER BY x.position) AS names, array_agg(t.slug ORDER BY x.position) AS slugs
      FROM article_topics x JOIN topics t ON t.id = x.topic_id
      GROUP BY x.article_id) t
WHERE t.article_id = a.id;

UPDATE articles SET topic_names = '{}', topic_slugs = '{}', topics_hash = content_hash WHERE topics_hash IS NULL;
