//! The real `daftar` binary, as a script or a newcomer would run it.

use std::path::Path;
use std::process::{Command, Output};

/// Runs the real binary on `db` with `args` (and the password in `DAFTAR_PASSWORD`).
pub fn daftar(db: &Path, password: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_daftar"));
    cmd.arg("--db").arg(db).args(args).env_remove("DAFTAR_PASSWORD").env_remove("DAFTAR_NEW_PASSWORD");
    if let Some(password) = password {
        cmd.env("DAFTAR_PASSWORD", password);
    }
    cmd.output().unwrap_or_else(|e| panic!("cannot run daftar: {e}"))
}

/// Runs the real binary on `db` as the test administrator (`--user admin`).
pub fn as_admin(db: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--user", "admin"];
    all.extend_from_slice(args);
    daftar(db, Some(crate::common::ADMIN_PASSWORD), &all)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn init(db: &Path) {
    let out = daftar(
        db,
        Some("admin-secret-1"),
        &[
            "init",
            "--office",
            "bl-tiznit",
            "--name",
            "Bureau local de Tiznit",
            "--level",
            "bureau",
            "--province",
            "581",
            "--admin",
            "admin",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Empreinte des clés du site"), "{}", stdout(&out));
}

#[test]
fn provinces_need_no_database() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = daftar(&dir.path().join("absent.sqlite"), None, &["provinces"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 87);
    assert!(text.lines().any(|l| l == "581\tprovince\tTiznit\tتيزنيت\t09"), "{text}");
    assert!(!dir.path().join("absent.sqlite").exists());
}

#[test]
fn a_session_from_init_to_a_refusal() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("bureau.sqlite");
    init(&db);
    // A second init is refused.
    let again = daftar(
        &db,
        Some("admin-secret-1"),
        &["init", "--office", "BL-X", "--name", "X", "--level", "bureau", "--province", "581", "--admin", "a2"],
    );
    assert!(!again.status.success() && stderr(&again).contains("déjà installée"), "{}", stderr(&again));

    let mut add_agent = Command::new(env!("CARGO_BIN_EXE_daftar"));
    // Global options after the command work too.
    let out = add_agent
        .args(["user", "add", "agent", "--role", "agent", "--db"])
        .arg(&db)
        .args(["--user", "admin"])
        .env("DAFTAR_PASSWORD", "admin-secret-1")
        .env("DAFTAR_NEW_PASSWORD", "agent-secret-1")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{}", stderr(&out));

    // A wrong password exits non-zero at once.
    let wrong = daftar(&db, Some("mauvais"), &["--user", "admin", "stats"]);
    assert!(!wrong.status.success());
    assert!(stderr(&wrong).contains("mot de passe incorrect"), "{}", stderr(&wrong));
    // No password and no terminal: a clear message.
    let none = daftar(&db, None, &["--user", "admin", "stats"]);
    assert!(!none.status.success() && stderr(&none).contains("DAFTAR_PASSWORD"), "{}", stderr(&none));
    // No user: a clear message.
    let nobody = daftar(&db, Some("x"), &["stats"]);
    assert!(!nobody.status.success() && stderr(&nobody).contains("--user"), "{}", stderr(&nobody));

    let add = daftar(
        &db,
        Some("agent-secret-1"),
        &[
            "--user",
            "agent",
            "applicant",
            "add",
            "--cin",
            "JB123456",
            "--first-name",
            "Youssef",
            "--last-name",
            "El Alaoui",
            "--first-name-ar",
            "يوسف",
            "--last-name-ar",
            "العلوي",
            "--sex",
            "M",
            "--birth-date",
            "12/04/1975",
            "--relationship",
            "fils",
            "--card",
            "R-77",
            "--card-holder",
            "Ahmed El Alaoui",
        ],
    );
    assert!(add.status.success(), "{}", stderr(&add));
    let twin = daftar(
        &db,
        Some("agent-secret-1"),
        &[
            "--user",
            "agent",
            "applicant",
            "add",
            "--cin",
            "JB654321",
            "--first-name-ar",
            "يوسف",
            "--last-name-ar",
            "العلوي",
            "--sex",
            "M",
            "--birth-date",
            "12/04/1975",
            "--relationship",
            "fils",
            "--card",
            "R-77",
        ],
    );
    assert!(!twin.status.success() && stderr(&twin).contains("Doublon possible"), "{}", stderr(&twin));
    let search = daftar(&db, Some("agent-secret-1"), &["--user", "agent", "applicant", "search", "alaoui"]);
    assert!(stdout(&search).contains("JB123456"), "{}", stdout(&search));
    // A clerk may not delete.
    let delete = daftar(
        &db,
        Some("agent-secret-1"),
        &["--user", "agent", "applicant", "delete", "JB123456", "--reason", "test"],
    );
    assert!(!delete.status.success() && stderr(&delete).contains("ne permet pas"), "{}", stderr(&delete));
    let check = daftar(&db, Some("agent-secret-1"), &["--user", "agent", "check"]);
    assert!(check.status.success() && stdout(&check).contains("Chaîne d'audit : intacte."), "{}", stdout(&check));
}

#[test]
fn demo_on_a_new_file_prints_its_accounts() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("demo.sqlite");
    let out = daftar(&db, None, &["demo", "--applicants", "300"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for login in ["admin", "chef", "agent"] {
        assert!(text.contains(login), "{text}");
    }
    assert!(text.contains("300 bénéficiaires"), "{text}");
    let stats = daftar(&db, Some("chef-demo-2026"), &["--user", "chef", "stats"]);
    assert!(stdout(&stats).contains("Bénéficiaires : 300"), "{}", stdout(&stats));
    // Every status a standalone office may set appears.
    for status in ["depose", "en-instruction", "complet", "transmis", "approuve", "rejete", "finance", "cloture"] {
        assert!(stdout(&stats).contains(&format!("Dossiers ({status})")), "{status}: {}", stdout(&stats));
    }
    let check = daftar(&db, Some("agent-demo-2026"), &["--user", "agent", "check"]);
    assert!(check.status.success(), "{}", stdout(&check));
}

#[test]
fn a_register_from_before_the_projects_search_gets_it_filled_when_opened() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("demo.sqlite");
    assert!(daftar(&db, None, &["demo", "--applicants", "60"]).status.success());
    // As the file stood at schema 24: no index of the projects.
    let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let (id, name): (String, String) = conn
        .query_row("SELECT id, json_extract(data, '$.name') FROM projects ORDER BY rid LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch("DROP TABLE projects_fts; PRAGMA user_version = 24;").unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let word = name.split_whitespace().last().unwrap_or_default().to_owned();
    let out = daftar(&db, Some("agent-demo-2026"), &["--user", "agent", "project", "search", &word]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&id), "« {word} » should find {id}: {}", stdout(&out));
    assert!(dir.path().join("demo.sqlite.avant-migration-schema-24").exists(), "copied before migrating");
}

#[test]
fn a_file_from_a_newer_daftar_is_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("bureau.sqlite");
    init(&db);
    let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
    conn.pragma_update(None, "user_version", 99).unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let out = daftar(&db, Some("admin-secret-1"), &["--user", "admin", "stats"]);
    assert!(!out.status.success() && stderr(&out).contains("version plus récente"), "{}", stderr(&out));
}

#[test]
fn a_certificate_is_issued_shown_verified_and_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("demo.sqlite");
    assert!(daftar(&db, None, &["demo", "--applicants", "60"]).status.success());
    let chef = |args: &[&str]| daftar(&db, Some("chef-demo-2026"), &[&["--user", "chef"], args].concat());
    let out = dir.path().join("attestation.pdf");
    let out_arg = out.to_string_lossy().into_owned();
    // The demo's dossiers are numbered per year; the first one the commission approved gets it.
    let issued = (2022..=2026)
        .flat_map(|year| (1..=15).map(move |n| format!("BL-DEMO-{year}-{n:05}")))
        .map(|number| chef(&["certificate", "issue", "--dossier", &number, "--out", &out_arg]))
        .find(|o| o.status.success())
        .unwrap_or_else(|| panic!("no approved dossier in the demo"));
    // The demo issued five attestations already: this one is the sixth of the year.
    assert!(stdout(&issued).starts_with("Attestation BL-DEMO-ATT-2026-00006 délivrée"), "{}", stdout(&issued));
    assert!(std::fs::read(&out).unwrap_or_default().starts_with(b"%PDF-"));
    // The same file again: refused before the register records anything.
    let again = chef(&["certificate", "issue", "--cin", "XW000001", "--out", &out_arg]);
    assert!(!again.status.success() && stderr(&again).contains("existe déjà"), "{}", stderr(&again));
    let shown = stdout(&chef(&["certificate", "show", "bl-demo-att-2026-00006"]));
    let payload = shown.lines().find_map(|l| l.strip_prefix("Code QR : ")).unwrap_or_default().to_owned();
    let verified = daftar(&db, None, &["verify-certificate", &payload]);
    assert!(verified.status.success() && stdout(&verified).starts_with("AUTHENTIQUE"), "{}", stdout(&verified));
    assert!(chef(&["certificate", "revoke", "BL-DEMO-ATT-2026-00006", "--reason", "Doublon"]).status.success());
    let revoked = daftar(&db, None, &["verify-certificate", &payload]);
    assert!(!revoked.status.success() && stdout(&revoked).starts_with("RÉVOQUÉE"), "{}", stdout(&revoked));
    let list = stdout(&chef(&["certificate", "list"]));
    assert_eq!(list.lines().count(), 6, "{list}");
    assert!(list.lines().next().is_some_and(|l| l.contains("RÉVOQUÉE le")), "newest first: {list}");
}

#[test]
fn a_backup_restores_a_lost_database_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("demo.sqlite");
    assert!(daftar(&db, None, &["demo", "--applicants", "30"]).status.success());
    let before = stdout(&daftar(&db, Some("chef-demo-2026"), &["--user", "chef", "stats"]));
    let stick = dir.path().join("cle");
    let out = daftar(&db, Some("chef-demo-2026"), &["--user", "chef", "backup", "--to", &stick.to_string_lossy()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let file = stdout(&out).trim().to_owned();
    for side in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", db.display()));
    }
    let restored = daftar(&db, Some("admin-demo-2026"), &["--user", "admin", "restore", &file]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(stdout(&restored).contains("Sauvegarde de BL-DEMO"), "{}", stdout(&restored));
    let after = stdout(&daftar(&db, Some("chef-demo-2026"), &["--user", "chef", "stats"]));
    let figures = |s: &str| s.lines().filter(|l| !l.starts_with("Journal")).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(figures(&after), figures(&before));
    let refused = daftar(&db, Some("faux"), &["--user", "admin", "restore", &file]);
    assert!(!refused.status.success());
}

#[test]
fn the_bilan_in_every_format_and_a_closed_year() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("demo.sqlite");
    assert!(daftar(&db, None, &["demo", "--applicants", "200"]).status.success());
    let chef = Some("chef-demo-2026");
    for format in ["pdf", "csv", "xlsx", "json"] {
        let out = dir.path().join(format!("bilan.{format}"));
        let file = out.to_string_lossy().into_owned();
        let run = daftar(
            &db,
            chef,
            &[
                "--user", "chef", "report", "bilan", "--year", "2025", "--by", "province", "--format", format, "--out",
                &file,
            ],
        );
        assert!(run.status.success(), "{format}: {}", stderr(&run));
        assert!(out.exists());
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("bilan.json")).unwrap_or_default()).unwrap_or_default();
    assert_eq!(json["ventilation"], "province");
    // Dirhams as exact decimal strings, counts as integers.
    let engaged = json["indicateurs"]["dh_engages.total"]["valeur"].as_str().unwrap_or_default().to_owned();
    assert!(engaged.split_once('.').is_some_and(|(dh, c)| c.len() == 2 && dh.parse::<u64>().is_ok()), "{json}");
    let unknown =
        daftar(&db, chef, &["--user", "chef", "report", "bilan", "--year", "2025", "--format", "ods", "--out", "x"]);
    assert!(stderr(&unknown).contains("choisissez pdf, csv, xlsx ou json"), "{}", stderr(&unknown));
    // Closing 2025, then asking for its differences: none yet.
    let close = daftar(&db, chef, &["--user", "chef", "report", "close-year", "--year", "2025"]);
    assert!(close.status.success(), "{}", stderr(&close));
    let ecarts = daftar(&db, chef, &["--user", "chef", "report", "ecarts", "--year", "2025"]);
    assert!(ecarts.status.success() && stdout(&ecarts).contains("Aucun écart"), "{}", stdout(&ecarts));
    let agent = daftar(&db, Some("agent-demo-2026"), &["--user", "agent", "report", "close-year", "--year", "2024"]);
    assert!(!agent.status.success() && stderr(&agent).contains("ne permet pas"), "{}", stderr(&agent));
}

#[test]
fn a_clerk_is_refused_from_the_command_line_what_the_core_refuses() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("demo.sqlite");
    assert!(daftar(&db, None, &["demo", "--applicants", "200"]).status.success());
    let (complete, cin, line): (String, String, String) = {
        let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
        let one =
            |sql: &str| -> String { conn.query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}")) };
        (
            one("SELECT number FROM dossiers WHERE status = 'complet' LIMIT 1"),
            one("SELECT cin FROM applicants LIMIT 1"),
            one(
                "SELECT l.id FROM funding_lines l JOIN dossiers d ON d.id = l.dossier_id WHERE d.status = 'approuve' LIMIT 1",
            ),
        )
    };
    let stick = dir.path().join("cle").to_string_lossy().into_owned();
    let written = || -> (i64, i64) {
        let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
        let count = |t: &str| conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap_or(-1);
        (count("audit_log"), count("outbox"))
    };
    let before = written();
    let refused: [&[&str]; 9] = [
        &["user", "add", "x2", "--role", "agent", "--name", "X"],
        &["dossier", "move", &complete, "--to", "transmis"],
        &["funding", "disburse", &line, "--amount", "100"],
        &["applicant", "delete", &cin, "--reason", "erreur"],
        &["programme", "add", "AGENCE-SUD", "--name", "Agence du Sud", "--source", "convention"],
        &["certificate", "issue", "--cin", &cin, "--out", "/tmp/x.pdf"],
        &["export", "--to", &stick],
        &["report", "close-year", "--year", "2025"],
        &["enroll", "/dev/null", "--fingerprint", "0000"],
    ];
    for args in refused {
        let mut all = vec!["--user", "agent"];
        all.extend_from_slice(args);
        let out = daftar(&db, Some("agent-demo-2026"), &all);
        assert!(!out.status.success() && stderr(&out).contains("ne permet pas"), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(written(), before, "nothing written, nothing audited");
    assert!(!dir.path().join("cle").exists());
}

#[test]
fn sync_status_lists_the_conflicts_page_by_page() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("bureau.sqlite");
    init(&db);
    let out = as_admin(&db, &["sync-status", "--conflits"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Aucun conflit ouvert."), "{}", stdout(&out));
    let out = as_admin(&db, &["sync-status", "--site", "BL-X"]);
    assert!(!out.status.success(), "--site goes with --conflits");
}

#[test]
fn today_s_work_is_listed_for_scripts_in_json_and_for_people_in_lines() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("demo.sqlite");
    assert!(daftar(&db, None, &["demo", "--applicants", "60"]).status.success());
    let chef = |args: &[&str]| daftar(&db, Some("chef-demo-2026"), &[&["--user", "chef"], args].concat());
    let json = chef(&["todo", "--format", "json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let items: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap_or_else(|e| panic!("{e}"));
    let items = items.as_array().cloned().unwrap_or_default();
    assert!(!items.is_empty(), "the demo office has work waiting for its head");
    for item in &items {
        assert!(item["key"].is_string() && item["count"].as_u64().is_some_and(|n| n > 0), "{item}");
    }
    let keys: Vec<&str> = items.iter().filter_map(|i| i["key"].as_str()).collect();
    assert!(keys.contains(&"complets"), "{keys:?}");
    let text = stdout(&chef(&["todo"]));
    assert_eq!(text.lines().count(), items.len(), "{text}");
    assert!(text.lines().all(|l| l.contains(" — ")), "{text}");
}

#[test]
fn certificates_are_issued_in_one_pdf_from_numbers_and_a_list() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("demo.sqlite");
    assert!(daftar(&db, None, &["demo", "--applicants", "60"]).status.success());
    let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let mut stmt = conn
        .prepare(
            "SELECT number FROM dossiers WHERE status IN ('approuve', 'finance', 'cloture') AND deleted_at IS NULL
             AND id NOT IN (SELECT dossier_id FROM certificates WHERE dossier_id IS NOT NULL) ORDER BY number LIMIT 3",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let numbers: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}")).flatten().collect();
    assert_eq!(numbers.len(), 3, "the demo office has decided dossiers without a certificate");
    drop(stmt);
    drop(conn);
    let list = dir.path().join("liste.txt");
    std::fs::write(&list, format!("# la troisième\n\n{}\n", numbers[2])).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("attestations.pdf");
    let chef = |args: &[&str]| daftar(&db, Some("chef-demo-2026"), &[&["--user", "chef"], args].concat());
    let two = format!("{},{}", numbers[0], numbers[1]);
    let list = list.display().to_string();
    let issued =
        chef(&["certificate", "issue", "--dossier", &two, "--from-file", &list, "--out", &out.display().to_string()]);
    assert!(issued.status.success(), "{}", stderr(&issued));
    assert!(stdout(&issued).starts_with("3 attestations délivrées"), "{}", stdout(&issued));
    let pdf = std::fs::read(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(pdf.starts_with(b"%PDF-"));
    // Again: all three exist, nothing is issued and the message names them.
    let again =
        chef(&["certificate", "issue", "--dossier", &two, "--out", &dir.path().join("b.pdf").display().to_string()]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("Aucune attestation n'a été délivrée") && stderr(&again).contains(&numbers[1]),
        "{}",
        stderr(&again)
    );
}

#[test]
fn dossiers_are_listed_with_filters_for_people_spreadsheets_and_scripts() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("demo.sqlite");
    assert!(daftar(&db, None, &["demo", "--applicants", "60"]).status.success());
    let counted = |sql: &str| -> i64 {
        let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
        conn.query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}"))
    };
    let transmitted = counted("SELECT count(*) FROM dossiers WHERE status = 'transmis' AND deleted_at IS NULL");
    let chef =
        |args: &[&str]| daftar(&db, Some("chef-demo-2026"), &[&["--user", "chef", "dossier", "list"], args].concat());
    let json = chef(&["--status", "transmis", "--format", "json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let items: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap_or_else(|e| panic!("{e}"));
    let items = items.as_array().cloned().unwrap_or_default();
    assert_eq!(items.len() as i64, transmitted);
    for item in &items {
        assert_eq!(item["statut"], "transmis");
        // Dirhams as exact decimal strings.
        let amount = item["montant"].as_str().unwrap_or_default();
        assert!(amount.split_once('.').is_some_and(|(_, c)| c.len() == 2), "{item}");
    }
    let csv = stdout(&chef(&["--kind", "pme", "--format", "csv"]));
    let pme =
        counted("SELECT count(*) FROM dossiers WHERE json_extract(data, '$.kind') = 'pme' AND deleted_at IS NULL");
    assert!(csv.starts_with("\u{feff}numero;bureau;statut"), "{csv}");
    assert_eq!(csv.lines().count() as i64, pme + 1);
    let text = stdout(&chef(&["--status", "transmis"]));
    assert!(text.ends_with(&format!("{transmitted} dossier(s).\n")), "{text}");
    let wrong = chef(&["--status", "bidon"]);
    assert!(!wrong.status.success() && stderr(&wrong).contains("statut inconnu"), "{}", stderr(&wrong));
}

#[test]
fn a_session_of_the_commission_from_the_command_line() {
    let dir = crate::common::ok(tempfile::tempdir());
    let db = dir.path().join("demo.sqlite");
    assert!(daftar(&db, None, &["demo", "--applicants", "80"]).status.success());
    let chef = |args: &[&str]| {
        let mut all = vec!["--user", "chef"];
        all.extend_from_slice(args);
        daftar(&db, Some("chef-demo-2026"), &all)
    };
    let today = chrono::Utc::now().date_naive().format("%d/%m/%Y").to_string();
    let out = chef(&[
        "session",
        "open",
        "--reference",
        "PV-CLI-1",
        "--date",
        &today,
        "--place",
        "Tiznit",
        "--member",
        "Le chef, président",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The agenda as the decisions file: filled in as a spreadsheet would, then imported.
    let agenda = dir.path().join("ordre-du-jour.csv");
    let out =
        chef(&["session", "agenda", "--format", "csv", "--out", crate::common::ok(agenda.to_str().ok_or("path"))]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = crate::common::ok(std::fs::read_to_string(&agenda));
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    assert!(lines.len() >= 3, "{text}");
    let number = |line: &str| line.trim_start_matches('\u{feff}').split(';').next().unwrap_or_default().to_owned();
    let (first, second) = (number(&lines[1]), number(&lines[2]));
    lines[1] = lines[1].replacen(&format!("{first};;;;;"), &format!("{first};approuve;hcar;10 000;;"), 1);
    lines[2] = lines[2].replacen(&format!("{second};;;;;"), &format!("{second};ajourne;;;complement;devis"), 1);
    let filled = dir.path().join("decisions.csv");
    crate::common::ok(std::fs::write(&filled, lines[..3].join("\r\n")));
    let filled = crate::common::ok(filled.to_str().ok_or("path"));
    let out = chef(&["import-csv", "decisions", filled]);
    assert!(!out.status.success() && stderr(&out).contains("--session"), "{}", stderr(&out));
    let out = chef(&["import-csv", "decisions", filled, "--session", "PV-CLI-1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 dossier(s) approuvé(s) pour 10"), "{}", stdout(&out));
    // The session's dossiers, listed; its minutes printed; closed, it takes nothing more.
    let out = chef(&["dossier", "list", "--session", "PV-CLI-1", "--format", "csv"]);
    let listed = stdout(&out);
    assert!(listed.contains(&first) && listed.contains(&second) && listed.lines().count() == 3, "{listed}");
    let pv = dir.path().join("pv.pdf");
    let out = chef(&["session", "pv", "--session", "PV-CLI-1", "--out", crate::common::ok(pv.to_str().ok_or("path"))]);
    assert!(out.status.success() && crate::common::ok(std::fs::read(&pv)).starts_with(b"%PDF-"), "{}", stderr(&out));
    assert!(chef(&["session", "close", "--session", "PV-CLI-1"]).status.success());
    let out = chef(&["session", "record", "--session", "PV-CLI-1", filled]);
    assert!(!out.status.success() && stderr(&out).contains("close"), "{}", stderr(&out));
}
