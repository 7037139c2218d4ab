-- The API connects as a login role in articles_reader, which may only read what the API serves; the job and the
-- migrator use the owner. Creating the group needs CREATEROLE: where the migrating user lacks it, an administrator
-- creates it (README, "Roles") before migrating.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'articles_reader') THEN
        BEGIN
            CREATE ROLE articles_reader NOLOGIN;
        EXCEPTION
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'articles_reader does not exist and this user may not create it; grants skipped';
                RETURN;
            WHEN duplicate_object OR unique_violation THEN
                NULL; -- created meanwhile by a migrator of another database in this cluster
        END;
    END IF;
    GRANT USAGE ON SCHEMA public TO articles_reader;
    GRANT SELECT ON articles, providers, provider_logos, topics, article_topics, article_images, related_links,
        article_changes, api_keys, schema_migrations TO articles_reader;
END
$$;
