-- At a delegation, the register is read office by office: a page of one office's applicants,
-- in list order, and their count, from an index.
CREATE INDEX applicants_office ON applicants (deleted_at, owner, sort_key);
