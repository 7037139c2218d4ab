-- Entries a run found but did not read (FIFOs, sockets, devices, directory symlinks, second paths to one file).
ALTER TABLE ingestion_runs ADD COLUMN ignored integer NOT NULL DEFAULT 0;
