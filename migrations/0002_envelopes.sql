-- Envelope consumption: funding lines summed per year, source and convention without reading JSON.
ALTER TABLE funding_lines ADD COLUMN programme_code TEXT
    GENERATED ALWAYS AS (json_extract(data, '$.source.programme_code')) VIRTUAL;
CREATE INDEX funding_lines_envelopes
    ON funding_lines (deleted_at, year, source_kind, programme_code, committed_centimes);
