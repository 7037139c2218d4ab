#!/bin/sh
# Runs once when the postgres container initialises its volume: the API's login role, which may only read.
# The migrations grant articles_reader SELECT on the tables the API serves.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE articles_reader NOLOGIN;
CREATE ROLE articles_api LOGIN PASSWORD '${API_DB_PASSWORD}' IN ROLE articles_reader;
SQL
