-- A topic's page for one provider reads one index range, like a topic's page: the article's provider is copied
-- into its topic links (as its published time and listed state are), and the job keeps the copy.
ALTER TABLE article_topics ADD COLUMN provider_id integer;
UPDATE article_topics x SET provider_id = a.provider_id FROM articles a WHERE a.id = x.article_id;
ALTER TABLE article_topics ALTER COLUMN provider_id SET NOT NULL;
CREATE INDEX article_topics_provider_newest ON article_topics (topic_id, provider_id, published_at DESC, article_id DESC) WHERE listed;
