-- A rare topic's page collects the topic's articles first (see ArticleRepository.PlanTopicsAsync): by topic,
-- whatever their published state, without reading the whole link table.
CREATE INDEX article_topics_topic ON article_topics (topic_id);
