-- The change feed for partners (GET /v1/changes) reads article_changes in seq order.
-- txid: readers serve only changes of transactions older than every transaction still running, so a change
-- that commits late with a lower seq is never skipped. topic_ids: the article's topics before and after the
-- change, so a feed filtered by topic also hears of an article leaving it.
ALTER TABLE article_changes ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE article_changes ADD COLUMN topic_ids integer[] NOT NULL DEFAULT '{}';

-- Articles written before changes were recorded start the feed, one change each.
INSERT INTO article_changes (article_id, operation, old_published_at, new_published_at, topic_ids)
SELECT a.id, CASE WHEN a.listed THEN 'upsert' ELSE 'remove' END, NULL, a.published_at,
       ARRAY(SELECT x.topic_id FROM article_topics x WHERE x.article_id = a.id ORDER BY x.position)
FROM articles a
WHERE NOT EXISTS (SELECT 1 FROM article_changes c WHERE c.article_id = a.id)
ORDER BY a.id;

-- Partner keys for the feeds: only a SHA-256 of each key is kept; the key itself is shown once.
CREATE TABLE api_keys (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    key_hash   bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
