-- /metrics reports the last ingestion run; the API's role reads only this view of it, not the run records.
CREATE VIEW last_ingestion_run AS
SELECT id, status, started_at, finished_at, read, inserted, updated, unchanged, merged, rejected, warnings
FROM ingestion_runs
ORDER BY id DESC
LIMIT 1;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'articles_reader') THEN
        GRANT SELECT ON last_ingestion_run TO articles_reader;
    END IF;
END
$$;
