-- The provider images an article's own document gave ([{url, width, height, isCached, title}]), since documents
-- of one provider from different sites give different ones. NULL: written before this column, until the job
-- writes the article again (its store version moved with this migration, so the next run rewrites every article).
ALTER TABLE articles ADD COLUMN provider_images jsonb;
