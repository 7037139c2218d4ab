-- Every content write of the job, in commit order. One job writes at a time (advisory lock) and each
-- batch is one transaction, so a reader that has seen seq N never later finds a committed seq below N.
CREATE TABLE article_changes (
    seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id       bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- upsert: the article is listed after the change; remove: it is not (removed or unpublished).
    operation        text NOT NULL CHECK (operation IN ('upsert', 'remove')),
    old_published_at timestamptz,
    new_published_at timestamptz NOT NULL,
    changed_at       timestamptz NOT NULL DEFAULT now()
);

-- Cursor walks place an article that moved after the walk began where it stood then.
CREATE INDEX article_changes_moves ON article_changes (article_id, seq)
    WHERE old_published_at IS DISTINCT FROM new_published_at AND old_published_at IS NOT NULL;
