-- Two kinds of rows a delegation owns and publishes to the offices concerned (DESIGN §5,
-- "ownership instead of merging"): the transfer of an applicant from one office to another,
-- which moves the ownership of the applicant's rows, and the review of two applicants of
-- different offices that may be one person (same person, or two distinct people).
CREATE TABLE transfers (
    rid           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    owner         TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT,
    delete_reason TEXT,
    sort_key      TEXT NOT NULL,
    label         TEXT NOT NULL,
    data          TEXT NOT NULL,
    applicant_id  TEXT GENERATED ALWAYS AS (json_extract(data, '$.applicant_id')) VIRTUAL
);
CREATE INDEX transfers_applicant ON transfers (applicant_id);

CREATE TABLE duplicate_reviews (
    rid           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    owner         TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT,
    delete_reason TEXT,
    sort_key      TEXT NOT NULL,
    label         TEXT NOT NULL,
    data          TEXT NOT NULL,
    first_id      TEXT GENERATED ALWAYS AS (json_extract(data, '$.first')) VIRTUAL,
    second_id     TEXT GENERATED ALWAYS AS (json_extract(data, '$.second')) VIRTUAL
);
CREATE INDEX duplicate_reviews_first ON duplicate_reviews (first_id);
CREATE INDEX duplicate_reviews_second ON duplicate_reviews (second_id);

INSERT INTO live_counts (table_name, live) VALUES ('transfers', 0), ('duplicate_reviews', 0);
