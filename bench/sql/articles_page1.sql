-- The statement GET /v1/articles runs for page 1 (newest, no filter, limit 20 + 1 to know if there is more),
-- as ArticleSql.List builds it. Keep in step with src/Articles.Data/Articles/ArticleSql.cs.
SELECT a.id, a.public_id, a.type, a.title, a.excerpt, a.published_at, a.original_url, a.web_url, a.amp_web_url, a.quality, a.heat,
    a.provider_name, p.domain AS provider_domain,
    CASE WHEN a.topics_hash = a.content_hash THEN a.topic_names
        ELSE ARRAY(SELECT t.name FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id ORDER BY x.position) END AS topic_names,
    CASE WHEN a.topics_hash = a.content_hash THEN a.topic_slugs
        ELSE ARRAY(SELECT t.slug FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id ORDER BY x.position) END AS topic_slugs,
    i.url AS image_url, i.width AS image_width, i.height AS image_height, i.is_cached AS image_is_cached, i.title AS image_title,
    (SELECT coalesce(max(seq), 0) FROM article_changes) AS changes_seen,
    k.sort_time, 0::float8 AS sort_value
FROM (SELECT a.id AS id, a.published_at AS sort_time FROM articles a
      WHERE a.listed
      ORDER BY a.published_at DESC, a.id DESC LIMIT 21) k
JOIN articles a ON a.id = k.id
JOIN providers p ON p.id = a.provider_id
LEFT JOIN article_images i ON i.article_id = a.id AND i.position = 0
ORDER BY k.sort_time DESC, k.id DESC;
