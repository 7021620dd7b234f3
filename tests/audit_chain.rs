//! The audit chain: verified whole by `check`, breaks on edits made behind Daftar's back,
//! survives the erasure of personal content.

use daftar::store::audit;

use crate::common::{applicant, office, ok};

#[test]
fn an_untouched_register_verifies() {
    let mut o = office(None);
    applicant(&mut o, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let report = ok(o.core.check(&o.agent));
    assert!(report.is_sound(), "{report:?}");
    // init, 2 users, card holder, applicant (logins that succeeded are not audited)
    assert_eq!(report.chain.entries, 5);
    assert_eq!(report.chain.rows, 2);
}

#[test]
fn a_row_edited_outside_daftar_is_found() {
    let mut o = office(None);
    applicant(&mut o, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    ok(o.core.store().conn().execute("UPDATE applicants SET data = json_set(data, '$.last_name', 'Bennani')", []));
    let report = ok(o.core.check(&o.admin));
    assert!(!report.is_sound());
    assert!(
        report.chain.problems.iter().any(|p| p.message.contains("modifiée hors de Daftar")),
        "{:?}",
        report.chain.problems
    );
}

#[test]
fn an_edited_or_removed_audit_entry_breaks_the_chain() {
    let mut o = office(None);
    applicant(&mut o, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let conn = o.core.store().conn();
    ok(conn.execute("UPDATE audit_log SET actor = 'quelquun' WHERE seq = 2", []));
    assert!(ok(audit::verify(conn)).problems.iter().any(|p| p.message.contains("l'entrée 2 a été modifiée")));
    ok(conn.execute("UPDATE audit_log SET actor = 'admin' WHERE seq = 2", []));
    assert!(ok(audit::verify(conn)).problems.is_empty());
    ok(conn.execute("UPDATE audit_log SET content = replace(content, 'null', '{}') WHERE seq = 5", []));
    assert!(ok(audit::verify(conn)).problems.iter().any(|p| p.message.contains("contenu de l'entrée 5")));
}

#[test]
fn erasing_content_keeps_the_chain_whole() {
    let mut o = office(None);
    applicant(&mut o, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let conn = o.core.store().conn();
    let now = crate::common::clock();
    ok(audit::erase_content(conn, 5, "durée de conservation échue", daftar::clock::Clock::now_utc(&now), "admin"));
    let content: Option<String> = ok(conn.query_row("SELECT content FROM audit_log WHERE seq = 5", [], |r| r.get(0)));
    assert_eq!(content, None);
    let report = ok(audit::verify(conn));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!((report.entries, report.erased), (6, 1));
    // Erasing twice is refused.
    assert!(audit::erase_content(conn, 5, "encore", daftar::clock::Clock::now_utc(&now), "admin").is_err());
}
