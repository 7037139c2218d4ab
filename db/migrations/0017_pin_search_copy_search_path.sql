-- pg_dump and pg_restore empty the search_path, so an unqualified article_search was not found when a dump was
-- restored: the trigger's function keeps the path it was created with.
ALTER FUNCTION copy_article_search() SET search_path FROM CURRENT;
