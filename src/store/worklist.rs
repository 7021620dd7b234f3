//! The dossiers as a worklist: a page of them, filtered and sorted, read from the `worklist`
//! table (migration 0016), which follows the outbox as the bilan's facts do: [`refresh`] brings
//! it up to date from the lines written since its mark before it is read.
//!
//! The rows fall into groups — one (status, year, kind, funding sources) each, a few hundred at a
//! delegation — and each group is one index range already in the order asked for. A page is one
//! compound query over the groups the filters keep, whose ordered arms SQLite merges and stops
//! after the page: a few hundred index seeks and a page of rows, whatever the register's size.

use chrono::NaiveDate;
use rusqlite::{Connection, params};
use uuid::Uuid;

use super::StoreError;
use super::search::{COUNT_CAP, fts_query};
use super::sync::last_change;
use crate::domain::Money;
use crate::domain::dossier::Status;
use crate::domain::project::ProjectKind;

/// The column a worklist is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorklistSort {
    /// The dossier's number (office, year, sequence).
    #[default]
    Number,
    /// The applicant's name.
    Applicant,
    /// The project's name.
    Project,
    /// The project's kind, then the number.
    Kind,
    /// The status in workflow order, then the number.
    Status,
    /// The deposit date.
    Date,
    /// The amount (granted once decided, else asked for).
    Amount,
}

impl WorklistSort {
    /// Every sort, in the list's column order.
    pub const ALL: [WorklistSort; 7] = [
        WorklistSort::Number,
        WorklistSort::Applicant,
        WorklistSort::Project,
        WorklistSort::Kind,
        WorklistSort::Status,
        WorklistSort::Date,
        WorklistSort::Amount,
    ];

    /// The index that reads one group in this order, and the order's columns (a group's status
    /// and kind are constant: the status and kind sorts read the number's index).
    fn index_and_columns(self) -> (&'static str, &'static [&'static str]) {
        match self {
            WorklistSort::Number => ("worklist_by_number", &["number"]),
            WorklistSort::Status => ("worklist_by_number", &["status_rank", "number"]),
            WorklistSort::Kind => ("worklist_by_number", &["kind", "number"]),
            WorklistSort::Applicant => ("worklist_by_applicant", &["applicant_key"]),
            WorklistSort::Project => ("worklist_by_project", &["project_key"]),
            WorklistSort::Date => ("worklist_by_date", &["deposited_on"]),
            WorklistSort::Amount => ("worklist_by_amount", &["amount"]),
        }
    }
}

/// Which dossiers, in which order, which page.
#[derive(Debug, Clone, Default)]
pub struct WorklistQuery {
    /// Only these statuses (none: every status). A search ignores them: a number or a name is
    /// found wherever its dossier stands.
    pub statuses: Vec<Status>,
    /// Only dossiers of this year.
    pub year: Option<i32>,
    /// Only projects of this kind.
    pub kind: Option<ProjectKind>,
    /// Only dossiers with a funding line of this source kind (`hcar`, `indh`, `convention`,
    /// `autre`).
    pub source: Option<String>,
    /// Only this office's dossiers.
    pub office: Option<String>,
    /// Only the dossiers that await this follow-up (its statuses replace `statuses`).
    pub follow_up: Option<FollowUp>,
    /// A dossier number (`2026-1` finds `…-2026-00001`), a name, a CIN or a year alone (that
    /// year's dossiers); blank for none.
    pub search: String,
    /// The order.
    pub sort: WorklistSort,
    /// Largest first.
    pub descending: bool,
    /// The page, from 0.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// What a dossier may await after its deposit: the dossiers behind one of today's lines, and a
/// filter of the worklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUp {
    /// Deposited or in instruction, a piece its kind requires not yet received.
    MissingPiece,
    /// Transmitted, the commission's decision not yet recorded.
    Decision,
    /// Financed, not yet paid in full.
    RestToPay,
    /// Financed, no follow-up visit of the project since the rules' day (nor paid since).
    Visit,
    /// Financed, no certificate issued (or only revoked ones).
    Certificate,
}

/// What the follow-ups are measured against.
#[derive(Debug, Clone, Default)]
pub struct FollowUpRules {
    /// Each project kind's required pieces (their codes).
    pub required: Vec<(ProjectKind, Vec<String>)>,
    /// A financed project whose last visit, or else first payment, is older than this day awaits
    /// a visit.
    pub visit_before: Option<NaiveDate>,
}

impl FollowUp {
    /// The statuses of the dossiers that may await it.
    pub fn statuses(self) -> &'static [Status] {
        match self {
            FollowUp::MissingPiece => &[Status::Depose, Status::EnInstruction],
            FollowUp::Decision => &[Status::Transmis],
            FollowUp::RestToPay | FollowUp::Visit | FollowUp::Certificate => &[Status::Finance],
        }
    }

    /// What the worklist says it filters on.
    pub fn label_fr(self) -> &'static str {
        match self {
            FollowUp::MissingPiece => "auxquels manque une pièce obligatoire",
            FollowUp::Decision => "transmis, en attente de la décision",
            FollowUp::RestToPay => "financés, avec un reste à verser",
            FollowUp::Visit => "financés, sans visite de suivi récente",
            FollowUp::Certificate => "financés, sans attestation délivrée",
        }
    }

    /// The SQL condition on a worklist row (values written in: the partial indexes of 0019 are
    /// chosen only for their own literal conditions).
    fn condition(self, rules: &FollowUpRules) -> String {
        match self {
            FollowUp::MissingPiece => {
                let kinds: Vec<String> = rules
                    .required
                    .iter()
                    .filter(|(_, codes)| !codes.is_empty())
                    .map(|(kind, codes)| {
                        let absent: Vec<String> =
                            codes.iter().map(|c| format!("instr(pieces, {}) = 0", text(&format!(" {c} ")))).collect();
                        format!("(kind = {} AND ({}))", text(kind.code()), absent.join(" OR "))
                    })
                    .collect();
                let any = if kinds.is_empty() { "0".to_owned() } else { kinds.join(" OR ") };
                format!("status_rank IN (0, 1) AND ({any})")
            }
            FollowUp::Decision => "status_rank = 3 AND decided = 0".to_owned(),
            FollowUp::RestToPay => "status_rank = 6 AND paid < coalesce(granted, 0)".to_owned(),
            FollowUp::Visit => match rules.visit_before {
                Some(day) => format!("status_rank = 6 AND max(visited_on, first_paid) < '{}'", day.format("%Y-%m-%d")),
                // Keeps the index's own condition: an INDEXED BY that cannot be used is an error.
                None => "status_rank = 6 AND 0".to_owned(),
            },
            FollowUp::Certificate => "status_rank = 6 AND certified = 0".to_owned(),
        }
    }

    /// The day a dossier started to await it (the oldest is the line's age).
    fn since(self) -> &'static str {
        match self {
            FollowUp::MissingPiece => "deposited_on",
            FollowUp::Decision => "moved_on",
            FollowUp::RestToPay => "last_paid",
            FollowUp::Visit => "max(visited_on, first_paid)",
            FollowUp::Certificate => "first_paid",
        }
    }

    /// The partial index of 0019 that holds every row it may concern.
    fn index(self) -> &'static str {
        match self {
            FollowUp::MissingPiece => "worklist_to_instruct",
            FollowUp::Decision => "worklist_undecided",
            FollowUp::RestToPay | FollowUp::Visit | FollowUp::Certificate => "worklist_financed",
        }
    }
}

/// `value` as an SQL string literal.
fn text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// How many dossiers await `follow_up`, and the oldest day one started to (the worklist brought
/// up to date first, by the caller): a scan of one small partial index.
pub fn awaiting(
    conn: &Connection,
    follow_up: FollowUp,
    rules: &FollowUpRules,
) -> Result<(u64, Option<NaiveDate>), StoreError> {
    let sql = format!(
        "SELECT count(*), min(nullif({}, '')) FROM worklist INDEXED BY {} WHERE {}",
        follow_up.since(),
        follow_up.index(),
        follow_up.condition(rules)
    );
    let (count, since): (i64, Option<String>) = conn.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((count.max(0) as u64, since.and_then(|d| d.get(..10)?.parse().ok())))
}

/// A dossier as the worklist shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorklistLine {
    /// The dossier.
    pub id: Uuid,
    /// Its number.
    pub number: String,
    /// The office that holds it.
    pub owner: String,
    /// Where it stands.
    pub status: Status,
    /// The project's kind.
    pub kind: ProjectKind,
    /// When it was deposited.
    pub deposited_on: Option<NaiveDate>,
    /// Granted once decided, else asked for.
    pub amount: Option<Money>,
    /// The applicant.
    pub applicant_id: Uuid,
    /// Their CIN.
    pub cin: String,
    /// Their name in Latin script.
    pub name: String,
    /// Their name in Arabic script.
    pub name_ar: String,
    /// The project.
    pub project_id: Uuid,
    /// Its name.
    pub project: String,
}

/// A page of the worklist.
#[derive(Debug, Clone, Default)]
pub struct WorklistPage {
    /// The rows.
    pub rows: Vec<WorklistLine>,
    /// Whether a next page has rows.
    pub more: bool,
}

const LINE_COLUMNS: &str = "rid, dossier_id, number, owner, status, kind, deposited_on, amount, applicant_id, \
                            applicant_label, project_id, project_label, applicant_key, project_key, status_rank";

/// The filters a search applies to what it found, numbered from `?3`.
const FILTERS: &str = "(?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR instr(sources, ' ' || ?4 || ' ') > 0) \
                       AND (?5 IS NULL OR owner = ?5)";

/// The most arms in one compound query (SQLite's limit is 500).
const ARMS: usize = 400;

/// A value rows are merged by: NULL, then numbers, then text, as SQLite orders them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Null,
    Int(i64),
    Text(String),
}

/// A row read, with the key (and the tie-breaking rid) it is merged by.
type Keyed = ((Key, i64), WorklistLine);

/// The worklist's rows of the live dossiers (`{WHERE}`: which ones, `{FUNDING}`: their funding
/// lines), in one pass over each table. `+` keeps SQLite on the dossiers' ids rather than the
/// `deleted_at` index when a few have changed.
const ROWS: &str = "
    INSERT INTO worklist (rid, dossier_id, applicant_id, project_id, owner, number, year, status, kind,
                          deposited_on, requested, granted, sources, applicant_key, applicant_label,
                          project_key, project_label, moved_on, pieces, paid, first_paid, last_paid, visited_on,
                          certified, decided)
    SELECT d.rid, d.id, d.applicant_id, d.project_id, d.owner, d.number, json_extract(d.data, '$.year'), d.status,
           json_extract(d.data, '$.kind'), json_extract(d.data, '$.deposited_on'), json_extract(d.data, '$.requested'),
           f.granted, coalesce(f.sources, ''),
           coalesce(a.sort_key, ''), coalesce(a.label, ''), coalesce(p.sort_key, ''), coalesce(p.label, ''),
           coalesce(json_extract(d.data, '$.history[#-1].on'), json_extract(d.data, '$.deposited_on')),
           coalesce((SELECT ' ' || group_concat(json_extract(j.value, '$.code'), ' ') || ' '
                     FROM json_each(d.data, '$.documents') j), ''),
           coalesce(x.paid, 0), coalesce(x.first_paid, ''), coalesce(x.last_paid, ''), coalesce(v.visited_on, ''),
           CASE WHEN d.status IN ('finance', 'cloture') THEN EXISTS (
               SELECT 1 FROM certificates c WHERE c.dossier_id = d.id AND +c.deleted_at IS NULL
               AND json_extract(c.data, '$.revoked') IS NULL) ELSE 0 END,
           d.status <> 'transmis' OR EXISTS (SELECT 1 FROM decisions x WHERE x.dossier_id = d.id AND x.deleted_at IS NULL)
    FROM dossiers d
    LEFT JOIN applicants a ON a.id = d.applicant_id
    LEFT JOIN projects p ON p.id = d.project_id
    LEFT JOIN (SELECT dossier_id, sum(committed_centimes) AS granted,
                      ' ' || replace(group_concat(DISTINCT source_kind), ',', ' ') || ' ' AS sources
               FROM funding_lines WHERE deleted_at IS NULL {FUNDING} GROUP BY dossier_id) f ON f.dossier_id = d.id
    LEFT JOIN (SELECT dossier_id, sum(amount_centimes) AS paid, min(json_extract(data, '$.paid_on')) AS first_paid,
                      max(json_extract(data, '$.paid_on')) AS last_paid
               FROM disbursements WHERE deleted_at IS NULL {FUNDING} GROUP BY dossier_id) x ON x.dossier_id = d.id
    LEFT JOIN (SELECT project_id, max(json_extract(data, '$.visited_on')) AS visited_on
               FROM visits WHERE deleted_at IS NULL {VISITED} GROUP BY project_id) v ON v.project_id = d.project_id
    WHERE +d.deleted_at IS NULL {WHERE}";

/// The dossiers a change since the mark may have moved in the list: the dossier itself, those
/// of a changed beneficiary or project (their names), those of a decision, funding line or
/// payment, those of a project visited, the dossier of a certificate issued or revoked.
const TARGETS: &str = "
    INSERT OR IGNORE INTO temp.worklist_targets (id)
    SELECT row_id FROM outbox WHERE change_no > ?1 AND table_name = 'dossiers'
    UNION SELECT d.id FROM outbox o JOIN dossiers d ON d.applicant_id = o.row_id
          WHERE o.change_no > ?1 AND o.table_name = 'applicants'
    UNION SELECT d.id FROM outbox o JOIN dossiers d ON d.project_id = o.row_id
          WHERE o.change_no > ?1 AND o.table_name = 'projects'
    UNION SELECT x.dossier_id FROM outbox o JOIN funding_lines x ON x.id = o.row_id
          WHERE o.change_no > ?1 AND o.table_name = 'funding_lines'
    UNION SELECT x.dossier_id FROM outbox o JOIN decisions x ON x.id = o.row_id
          WHERE o.change_no > ?1 AND o.table_name = 'decisions'
    UNION SELECT x.dossier_id FROM outbox o JOIN disbursements x ON x.id = o.row_id
          WHERE o.change_no > ?1 AND o.table_name = 'disbursements'
    UNION SELECT d.id FROM outbox o JOIN visits v ON v.id = o.row_id JOIN dossiers d ON d.project_id = v.project_id
          WHERE o.change_no > ?1 AND o.table_name = 'visits'
    UNION SELECT c.dossier_id FROM outbox o JOIN certificates c ON c.id = o.row_id
          WHERE o.change_no > ?1 AND o.table_name = 'certificates' AND c.dossier_id IS NOT NULL";

/// The groups of the target dossiers' rows, as they stand (before and after a change).
const REGROUP: &str = "
    INSERT OR IGNORE INTO temp.worklist_regroup (status_rank, year, kind, sources)
    SELECT status_rank, year, kind, sources FROM worklist WHERE dossier_id IN (SELECT id FROM temp.worklist_targets)";

/// Brings the worklist up to date with what was written since its mark; returns how many
/// dossiers were recomputed. Rebuilt whole when the outbox no longer says what changed.
pub fn refresh(conn: &Connection) -> Result<usize, StoreError> {
    let mark: i64 = conn.query_row("SELECT change_no FROM worklist_mark WHERE id = 1", [], |r| r.get(0))?;
    let last = last_change(conn)?;
    if mark == last {
        return Ok(0);
    }
    super::in_savepoint(conn, "worklist", || fold(conn, mark, last))
}

fn fold(conn: &Connection, mark: i64, last: i64) -> Result<usize, StoreError> {
    // The outbox says what changed only if it still holds every line after the mark.
    let first_held: Option<i64> =
        conn.query_row("SELECT min(change_no) FROM outbox WHERE change_no > ?1", [mark], |r| r.get(0))?;
    let whole = mark < 0 || mark > last || first_held.is_none_or(|first| first > mark + 1);
    let n = if whole {
        conn.execute_batch("DELETE FROM worklist; DELETE FROM worklist_groups;")?;
        let n = conn.execute(&ROWS.replace("{FUNDING}", "").replace("{VISITED}", "").replace("{WHERE}", ""), [])?;
        conn.execute(
            "INSERT INTO worklist_groups (status_rank, year, kind, sources, n)
             SELECT status_rank, year, kind, sources, count(*) FROM worklist GROUP BY 1, 2, 3, 4",
            [],
        )?;
        n
    } else {
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS worklist_targets (id TEXT PRIMARY KEY);
             CREATE TEMP TABLE IF NOT EXISTS worklist_regroup
                 (status_rank INTEGER, year INTEGER, kind TEXT, sources TEXT, PRIMARY KEY (status_rank, year, kind, sources));
             DELETE FROM temp.worklist_targets; DELETE FROM temp.worklist_regroup;",
        )?;
        conn.execute(TARGETS, [mark])?;
        conn.execute(REGROUP, [])?;
        conn.execute("DELETE FROM worklist WHERE dossier_id IN (SELECT id FROM temp.worklist_targets)", [])?;
        let targets = "IN (SELECT id FROM temp.worklist_targets)";
        let n = conn.execute(
            &ROWS
                .replace("{FUNDING}", &format!("AND dossier_id {targets}"))
                .replace(
                    "{VISITED}",
                    &format!("AND project_id IN (SELECT project_id FROM dossiers WHERE id {targets})"),
                )
                .replace("{WHERE}", &format!("AND d.id {targets}")),
            [],
        )?;
        conn.execute(REGROUP, [])?;
        // The groups the targets left or joined are counted again (an index range each).
        conn.execute_batch(
            "DELETE FROM worklist_groups WHERE (status_rank, year, kind, sources) IN (SELECT * FROM temp.worklist_regroup);
             INSERT INTO worklist_groups (status_rank, year, kind, sources, n)
             SELECT * FROM (SELECT g.status_rank, g.year, g.kind, g.sources,
                                   (SELECT count(*) FROM worklist w WHERE w.status_rank = g.status_rank AND w.year = g.year
                                       AND w.kind = g.kind AND w.sources = g.sources) AS n
                            FROM temp.worklist_regroup g) WHERE n > 0;",
        )?;
        n
    };
    conn.execute("UPDATE worklist_mark SET change_no = ?1 WHERE id = 1", params![last])?;
    Ok(n)
}

/// Every dossier the filters of `query` keep (its search, sort and page aside), in number
/// order, handed to `each` one at a time: a whole register is listed in the memory of one row.
pub fn each(
    conn: &Connection,
    query: &WorklistQuery,
    rules: &FollowUpRules,
    each: &mut dyn FnMut(WorklistLine) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let statuses: &[Status] = match query.follow_up {
        Some(follow_up) => follow_up.statuses(),
        None => &query.statuses,
    };
    let ranks: Vec<i64> = statuses.iter().map(|&s| s as i64).collect();
    let follow_up = query.follow_up.map(|f| format!(" AND ({})", f.condition(rules))).unwrap_or_default();
    let sql = format!(
        "SELECT {LINE_COLUMNS} FROM worklist
         WHERE (?1 = '[]' OR status_rank IN (SELECT value FROM json_each(?1))) AND (?2 IS NULL OR year = ?2)
           AND {FILTERS}{follow_up}
         ORDER BY number",
    );
    let mut statement = conn.prepare(&sql)?;
    let mut rows = statement.query(params![
        serde_json::to_string(&ranks).unwrap_or_else(|_| "[]".into()),
        query.year,
        query.kind.map(ProjectKind::code),
        query.source,
        query.office
    ])?;
    while let Some(row) = rows.next()? {
        each(keyed(row, WorklistSort::Number)?.1)?;
    }
    Ok(())
}

/// One page of the worklist.
pub fn page(conn: &Connection, query: &WorklistQuery, rules: &FollowUpRules) -> Result<WorklistPage, StoreError> {
    let offset = u64::from(query.page) * u64::from(query.page_size);
    let wanted = offset + u64::from(query.page_size) + 1;
    let follow_up = query.follow_up.map(|f| format!(" AND ({})", f.condition(rules))).unwrap_or_default();
    let mut rows = if let Some(year) = typed_year(&query.search) {
        // A year alone: that year's dossiers, whatever their status, as a search finds them.
        let of_year = WorklistQuery { statuses: Vec::new(), year: Some(year), search: String::new(), ..query.clone() };
        browse(conn, &of_year, &follow_up, wanted)?
    } else if query.search.trim().is_empty() {
        browse(conn, query, &follow_up, wanted)?
    } else {
        search(conn, query, &follow_up, wanted)?
    };
    rows.sort_by(|a, b| if query.descending { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) });
    let mut rows: Vec<WorklistLine> = rows.into_iter().skip(offset as usize).map(|(_, line)| line).collect();
    let more = rows.len() > query.page_size as usize;
    rows.truncate(query.page_size as usize);
    Ok(WorklistPage { rows, more })
}

fn order_by(query: &WorklistQuery) -> String {
    let direction = if query.descending { "DESC" } else { "ASC" };
    let (_, columns) = query.sort.index_and_columns();
    let columns: Vec<String> = columns.iter().map(|c| format!("{c} {direction}")).collect();
    format!("{}, rid {direction}", columns.join(", "))
}

/// The head of every group the filters keep, merged.
fn browse(conn: &Connection, query: &WorklistQuery, follow_up: &str, wanted: u64) -> Result<Vec<Keyed>, StoreError> {
    let statuses: &[Status] = match query.follow_up {
        Some(follow_up) => follow_up.statuses(),
        None => &query.statuses,
    };
    let statuses: Vec<i64> = statuses.iter().map(|&s| s as i64).collect();
    let groups: Vec<(i64, i64, String, String)> = conn
        .prepare_cached(
            "SELECT status_rank, year, kind, sources FROM worklist_groups
             WHERE n > 0 AND (?1 = '[]' OR status_rank IN (SELECT value FROM json_each(?1)))
               AND (?2 IS NULL OR year = ?2) AND (?3 IS NULL OR kind = ?3)
               AND (?4 IS NULL OR instr(sources, ' ' || ?4 || ' ') > 0)",
        )?
        .query_map(
            params![
                serde_json::to_string(&statuses).unwrap_or_else(|_| "[]".into()),
                query.year,
                query.kind.map(ProjectKind::code),
                query.source
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?
        .collect::<Result<_, _>>()?;
    let (index, _) = query.sort.index_and_columns();
    let office = if query.office.is_some() { " AND owner = ?" } else { "" };
    let arm = format!(
        "SELECT {LINE_COLUMNS} FROM worklist INDEXED BY {index}
         WHERE status_rank = ? AND year = ? AND kind = ? AND sources = ?{office}{follow_up}"
    );
    let mut out = Vec::new();
    for chunk in groups.chunks(ARMS) {
        let sql = format!(
            "{} ORDER BY {} LIMIT {wanted}",
            vec![arm.as_str(); chunk.len()].join(" UNION ALL "),
            order_by(query)
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(chunk.len() * 5);
        for (rank, year, kind, sources) in chunk {
            values.extend([(*rank).into(), (*year).into(), kind.clone().into(), sources.clone().into()]);
            if let Some(office) = &query.office {
                values.push(office.clone().into());
            }
        }
        let mut rows = statement.query(rusqlite::params_from_iter(values))?;
        while let Some(row) = rows.next()? {
            out.push(keyed(row, query.sort)?);
        }
    }
    Ok(out)
}

/// The dossiers whose number, or whose applicant's name or CIN, matches what was typed.
fn search(conn: &Connection, query: &WorklistQuery, follow_up: &str, wanted: u64) -> Result<Vec<Keyed>, StoreError> {
    let filters = format!("{FILTERS}{follow_up} ORDER BY {} LIMIT ?6", order_by(query));
    let mut out = Vec::new();
    let mut push = |mut rows: rusqlite::Rows<'_>| -> Result<(), StoreError> {
        while let Some(row) = rows.next()? {
            out.push(keyed(row, query.sort)?);
        }
        Ok(())
    };
    let kind = query.kind.map(ProjectKind::code);
    if let Some((prefix, year, sequence)) = number_parts(&query.search) {
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {LINE_COLUMNS} FROM worklist INDEXED BY worklist_sequence
             WHERE year = ?1 AND sequence = ?2 AND number LIKE ?7 AND {filters}"
        ))?;
        // The office part, when typed, may be the code's end (`tiznit-2026-3`).
        let prefix = prefix.replace(['%', '_'], "");
        let like = if prefix.is_empty() { "%".to_owned() } else { format!("%{prefix}-%") };
        push(statement.query(params![year, sequence, kind, query.source, query.office, wanted as i64, like])?)?;
        return Ok(out);
    }
    let Some(fts) = fts_query(&query.search) else { return Ok(out) };
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {LINE_COLUMNS} FROM worklist
         WHERE applicant_id IN (SELECT a.id FROM applicants a WHERE a.rid IN
                (SELECT rowid FROM applicants_fts WHERE applicants_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2))
           AND {filters}"
    ))?;
    push(statement.query(params![fts, COUNT_CAP, kind, query.source, query.office, wanted as i64])?)?;
    Ok(out)
}

/// A year typed alone (`2022`).
fn typed_year(typed: &str) -> Option<i32> {
    let typed = typed.trim();
    let year: i32 = typed.parse().ok().filter(|_| typed.len() == 4 && typed.bytes().all(|b| b.is_ascii_digit()))?;
    (1900..=2200).contains(&year).then_some(year)
}

/// `BL-TIZNIT-2026-00042`, `2026-42` or `tiznit-2026-42`: the office part typed (upper case,
/// possibly empty), the year and the sequence.
fn number_parts(typed: &str) -> Option<(String, i64, i64)> {
    let typed = typed.trim().to_uppercase();
    let mut parts = typed.rsplitn(3, '-');
    let sequence = parts.next()?;
    let year = parts.next()?;
    let digits =
        |s: &str, n: std::ops::RangeInclusive<usize>| n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(sequence, 1..=9) || !digits(year, 4..=4) {
        return None;
    }
    Some((parts.next().unwrap_or_default().to_owned(), year.parse().ok()?, sequence.parse().ok()?))
}

/// A row read, with the key it is merged by.
fn keyed(row: &rusqlite::Row<'_>, sort: WorklistSort) -> Result<Keyed, StoreError> {
    let rid: i64 = row.get(0)?;
    let bad =
        |what: &str| StoreError::Corrupt { table: "worklist", message: format!("{what} illisible (ligne {rid})") };
    let uuid = |i: usize| -> Result<Uuid, StoreError> {
        Uuid::parse_str(&row.get::<_, String>(i)?).map_err(|_| bad("identifiant"))
    };
    let number: String = row.get(2)?;
    let status = Status::parse(&row.get::<_, String>(4)?).map_err(|_| bad("statut"))?;
    let kind = ProjectKind::parse(&row.get::<_, String>(5)?).map_err(|_| bad("type de projet"))?;
    let deposited: String = row.get(6)?;
    let amount: Option<i64> = row.get(7)?;
    let applicant_label: String = row.get(9)?;
    let mut applicant = applicant_label.split('\t');
    let cin = applicant.next().unwrap_or_default().to_owned();
    let name = applicant.next().unwrap_or_default().trim().to_owned();
    let name_ar = applicant.next().unwrap_or_default().to_owned();
    let project_label: String = row.get(11)?;
    let key = match sort {
        WorklistSort::Number => Key::Text(number.clone()),
        WorklistSort::Status => Key::Text(format!("{}\0{number}", row.get::<_, i64>(14)?)),
        WorklistSort::Applicant => Key::Text(row.get(12)?),
        WorklistSort::Project => Key::Text(row.get(13)?),
        WorklistSort::Kind => Key::Text(format!("{}\0{number}", kind.code())),
        WorklistSort::Date => Key::Text(deposited.clone()),
        WorklistSort::Amount => amount.map_or(Key::Null, Key::Int),
    };
    let line = WorklistLine {
        id: uuid(1)?,
        number,
        owner: row.get(3)?,
        status,
        kind,
        deposited_on: deposited.parse().ok(),
        amount: amount.map(|c| Money::from_centimes(c).ok_or_else(|| bad("montant"))).transpose()?,
        applicant_id: uuid(8)?,
        cin,
        name,
        name_ar,
        project_id: uuid(10)?,
        project: project_label.split('\t').next().unwrap_or_default().to_owned(),
    };
    Ok(((key, rid), line))
}
