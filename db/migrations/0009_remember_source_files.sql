-- What the job last loaded from each source file, so a rerun can skip files whose bytes it has already
-- loaded without parsing them. Written in the same transaction as the batch that read the file.
CREATE TABLE source_files (
    path           text PRIMARY KEY,
    file_hash      bytea NOT NULL,    -- SHA-256 of the file's bytes
    reader_version integer NOT NULL,  -- the reader's rules when it was read; a newer reader reads it again
    canonical_url  text NOT NULL
);

-- How many of a run's files were skipped that way (they are also counted as unchanged or merged).
ALTER TABLE ingestion_runs ADD COLUMN skipped integer NOT NULL DEFAULT 0;
