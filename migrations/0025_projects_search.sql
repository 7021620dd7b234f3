-- Search over projects: the folded name and commune, as for the applicants (0001). Rowid =
-- projects.rid. The program fills it from the projects already held right after this file, in
-- the same transaction (the folding is the program's: store::records::fill_search_index).
CREATE VIRTUAL TABLE projects_fts USING fts5 (
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3',
    detail = none
);
