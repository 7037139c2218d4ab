-- Articles, their providers, topics, images and related links, as the ingestion job writes them.

CREATE TABLE providers (
    id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain              text NOT NULL UNIQUE CHECK (domain = lower(domain)),
    name                text NOT NULL,
    -- Kept by the job after each batch, so the API never counts per request.
    article_count       integer NOT NULL DEFAULT 0,
    latest_published_at timestamptz
);

CREATE TABLE provider_logos (
    provider_id integer  NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    position    smallint NOT NULL,
    url         text     NOT NULL,
    width       integer,
    height      integer,
    is_cached   boolean,
    title       text,
    PRIMARY KEY (provider_id, position)
);

CREATE TABLE topics (
    id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug                text NOT NULL UNIQUE,
    name                text NOT NULL,
    article_count       integer NOT NULL DEFAULT 0,
    latest_published_at timestamptz
);

CREATE TABLE articles (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Derived from canonical_url, so a rebuild from the same files gives the same ids.
    public_id         uuid NOT NULL UNIQUE,
    canonical_url     text NOT NULL UNIQUE,
    category          text,
    type              text NOT NULL,
    title             text NOT NULL,
    excerpt           text,
    published_at      timestamptz NOT NULL,
    original_url      text,
    web_url           text,
    amp_web_url       text,
    cdn_amp_web_url   text,
    quality           integer,
    -- As written: -1 means "no heat" and is served as null.
    heat              integer,
    published         boolean NOT NULL,
    removed           boolean NOT NULL,
    featured_content  text,
    provider_id       integer NOT NULL REFERENCES providers (id),
    provider_name     text NOT NULL,
    -- Opaque ciphertext;IV from the source. Stored verbatim, never served.
    secured           text,
    content_hash      bytea NOT NULL,
    winner_path       text NOT NULL,
    source_paths      text[] NOT NULL,
    first_ingested_at timestamptz NOT NULL,
    last_ingested_at  timestamptz NOT NULL,
    listed            boolean GENERATED ALWAYS AS (published AND NOT removed) STORED,
    search            tsvector GENERATED ALWAYS AS (
                          setweight(to_tsvector('english', title), 'A') ||
                          setweight(to_tsvector('english', coalesce(excerpt, '')), 'B')) STORED
);

-- Newest-first keyset pages over listed articles: all, per provider, per topic (below).
CREATE INDEX articles_listed_newest ON articles (published_at DESC, id DESC) WHERE listed;
CREATE INDEX articles_provider_newest ON articles (provider_id, published_at DESC, id DESC) WHERE listed;
CREATE INDEX articles_search ON articles USING gin (search);
-- Lookup by any of the URL forms a client may hold.
CREATE INDEX articles_web_url ON articles (web_url);
CREATE INDEX articles_original_url ON articles (original_url);
CREATE INDEX articles_amp_web_url ON articles (amp_web_url) WHERE amp_web_url IS NOT NULL;
CREATE INDEX articles_cdn_amp_web_url ON articles (cdn_amp_web_url) WHERE cdn_amp_web_url IS NOT NULL;

CREATE TABLE article_topics (
    article_id   bigint   NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position     smallint NOT NULL,
    topic_id     integer  NOT NULL REFERENCES topics (id),
    -- Copies of the article's values, so a topic page is one index range scan.
    published_at timestamptz NOT NULL,
    listed       boolean NOT NULL,
    PRIMARY KEY (article_id, position)
);

CREATE INDEX article_topics_newest ON article_topics (topic_id, published_at DESC, article_id DESC) WHERE listed;

CREATE TABLE article_images (
    article_id bigint   NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   smallint NOT NULL,
    url        text     NOT NULL,
    width      integer,
    height     integer,
    is_cached  boolean,
    title      text,
    PRIMARY KEY (article_id, position)
);

CREATE TABLE related_links (
    article_id      bigint   NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position        smallint NOT NULL,
    title           text,
    excerpt         text,
    published_at    timestamptz,
    web_url         text,
    amp_web_url     text,
    cdn_amp_web_url text,
    type            text,
    provider_name   text,
    provider_domain text,
    quality         integer,
    -- [{url, width, height, isCached, title}], in document order.
    images          jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (article_id, position)
);

CREATE TABLE ingestion_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    status      text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
    paths       text[] NOT NULL,
    host        text NOT NULL,
    pid         integer NOT NULL,
    files       integer NOT NULL DEFAULT 0,
    read        integer NOT NULL DEFAULT 0,
    inserted    integer NOT NULL DEFAULT 0,
    updated     integer NOT NULL DEFAULT 0,
    unchanged   integer NOT NULL DEFAULT 0,
    merged      integer NOT NULL DEFAULT 0,
    rejected    integer NOT NULL DEFAULT 0,
    warnings    integer NOT NULL DEFAULT 0,
    error       text
);

CREATE TABLE rejected_documents (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id  bigint NOT NULL REFERENCES ingestion_runs (id) ON DELETE CASCADE,
    path    text NOT NULL,
    field   text,
    reason  text NOT NULL,
    line    integer,
    col     integer
);

CREATE INDEX rejected_documents_run ON rejected_documents (run_id);
