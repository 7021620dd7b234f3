-- The commission's sessions (DESIGN §2): the meeting that decides the transmitted dossiers
-- together, owned by the site that decides; its decisions name it (decisions.session_id), and the
-- dossiers it puts off to a later session are adjournments — business rows that reach the
-- office in the reply like the decisions, while the dossier stays *transmis*.
CREATE TABLE commission_sessions (
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
    reference     TEXT GENERATED ALWAYS AS (json_extract(data, '$.reference')) VIRTUAL
);
CREATE INDEX commission_sessions_reference ON commission_sessions (reference);

CREATE TABLE adjournments (
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
    dossier_id    TEXT GENERATED ALWAYS AS (json_extract(data, '$.dossier_id')) VIRTUAL,
    session_id    TEXT GENERATED ALWAYS AS (json_extract(data, '$.session_id')) VIRTUAL
);
CREATE INDEX adjournments_dossier ON adjournments (dossier_id);
CREATE INDEX adjournments_session ON adjournments (session_id);

ALTER TABLE decisions ADD COLUMN session_id TEXT GENERATED ALWAYS AS (json_extract(data, '$.session_id')) VIRTUAL;
CREATE INDEX decisions_session ON decisions (session_id) WHERE session_id IS NOT NULL;

INSERT INTO live_counts (table_name, live) VALUES ('commission_sessions', 0), ('adjournments', 0);
