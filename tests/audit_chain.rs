//! The audit chain: verified whole by `check`, breaks on edits made behind Daftar's back,
//! survives the erasure of personal content.

use daftar::store::audit;

use crate::common::{applicant, draft, office, ok};

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

#[test]
fn rows_received_new_are_vouched_for_by_one_receipt() {
    use crate::sync::{export, import, pair, stick};
    let mut p = pair();
    let id = applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let bytes = export(&mut p.office, &stick(&p.dir, "cle"));
    ok(import(&mut p.dp, &p.dp_admin, &bytes));
    let conn = p.dp.store().conn();
    let per_row: i64 = ok(conn.query_row("SELECT count(*) FROM audit_log WHERE row_id IS NOT NULL", [], |r| r.get(0)));
    let receipts: Vec<(i64, String)> = {
        let mut stmt = ok(conn.prepare("SELECT seq, content FROM audit_log WHERE action = ?1"));
        ok(ok(stmt.query_map([audit::RECEIPT], |r| Ok((r.get(0)?, r.get(1)?)))).collect::<Result<Vec<_>, _>>())
    };
    assert_eq!((per_row, receipts.len()), (0, 1), "one receipt for the bundle, no entry per row");
    let (receipt_seq, content) = &receipts[0];
    assert!(content.contains(&id.to_string()) && content.contains("card_holders"), "{content}");
    let history = ok(audit::history_of(conn, &id.to_string()));
    assert_eq!(history.iter().map(|(_, _, action)| action.as_str()).collect::<Vec<_>>(), [audit::RECEIPT]);
    assert!(ok(p.dp.check(&p.dp_admin)).is_sound());

    // A received row edited behind Daftar's back is found, as is an edited receipt.
    let conn = p.dp.store().conn();
    let edit = "UPDATE applicants SET data = json_set(data, '$.last_name', ?1)";
    ok(conn.execute(edit, ["Bennani"]));
    let problems = ok(audit::verify(conn)).problems;
    assert!(problems.iter().any(|p| p.message.contains("modifiée hors de Daftar")), "{problems:?}");
    ok(conn.execute(edit, ["El Alaoui"]));
    assert!(ok(audit::verify(conn)).problems.is_empty());
    let forged = "UPDATE audit_log SET content = replace(content, '\"]', 'f\"]') WHERE seq = ?1";
    ok(conn.execute(forged, [receipt_seq]));
    let problems = ok(audit::verify(conn)).problems;
    assert!(problems.iter().any(|p| p.message.contains(&format!("contenu de l'entrée {receipt_seq}"))), "{problems:?}");
    assert!(problems.iter().any(|p| p.message.contains("modifiée hors de Daftar")), "{problems:?}");
    // A receipt made unreadable is reported, not a failure of the check.
    ok(conn.execute("UPDATE audit_log SET content = 'pas du JSON' WHERE seq = ?1", [receipt_seq]));
    let problems = ok(audit::verify(conn)).problems;
    assert!(problems.iter().any(|p| p.message.contains("est illisible")), "{problems:?}");
}

#[test]
fn a_received_update_is_audited_with_the_state_it_replaces() {
    use crate::sync::{export, import, pair, stick};
    let mut p = pair();
    let id = applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    ok(import(&mut p.dp, &p.dp_admin, &export(&mut p.office, &stick(&p.dir, "cle-1"))));
    let mut moved = draft("JB123456", "Youssef", "El Alaoui", "12/04/1975");
    moved.phone = "06 70 00 00 01".into();
    ok(p.office.core.edit_applicant(&p.office.agent, id, &moved, None));
    ok(import(&mut p.dp, &p.dp_admin, &export(&mut p.office, &stick(&p.dir, "cle-2"))));
    let conn = p.dp.store().conn();
    let before: String = ok(conn.query_row(
        "SELECT content FROM audit_log WHERE row_id = ?1 AND action = 'applicant.receive'",
        [id.to_string()],
        |r| r.get(0),
    ));
    assert!(before.contains("El Alaoui") && !before.contains("06 70"), "{before}");
    let actions: Vec<String> = ok(audit::history_of(conn, &id.to_string())).into_iter().map(|h| h.2).collect();
    assert_eq!(actions, [audit::RECEIPT, "applicant.receive"]);
    // The row's last word is now its own entry, which came after the receipt.
    assert!(ok(p.dp.check(&p.dp_admin)).is_sound());
}

#[test]
fn a_row_received_then_rewritten_in_the_same_transaction_verifies() {
    use daftar::domain::applicant::CardHolder;
    use daftar::store::records::{RowMeta, Writer};
    let mut store = ok(daftar::store::Store::open_in_memory());
    let holder = |name: &str| CardHolder {
        card_number: "R-1".into(),
        name_latin: name.into(),
        name_arabic: String::new(),
        deceased_on: None,
        anonymised_on: None,
    };
    let id = uuid::Uuid::now_v7();
    let meta = RowMeta {
        id,
        owner: "BL-TIZNIT".into(),
        version: 1,
        created_at: "2026-11-29T09:00:00Z".into(),
        updated_at: "2026-11-29T09:00:00Z".into(),
        deleted_at: None,
        delete_reason: None,
    };
    let tx = ok(store.transaction());
    let writer = Writer::new(&tx, "BL-TIZNIT", "admin", chrono::Utc::now());
    assert!(ok(writer.receive(&meta, &holder("Ahmed Alaoui"))));
    // Its own row back (a resync), moved on at once: the receipt comes before the update.
    ok(writer.update(id, &holder("Ahmed El Alaoui"), Some("rectification")));
    ok(writer.finish());
    ok(tx.commit());
    let conn = store.conn();
    let actions: Vec<String> = ok(audit::history_of(conn, &id.to_string())).into_iter().map(|h| h.2).collect();
    assert_eq!(actions, [audit::RECEIPT, "card_holder.update"]);
    let report = ok(audit::verify(conn));
    assert!(report.problems.is_empty() && report.rows == 1, "{report:?}");
}

#[test]
fn a_row_added_or_removed_behind_daftars_back_is_found() {
    use crate::sync::{export, import, pair, stick};
    let mut p = pair();
    let id = applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    ok(import(&mut p.dp, &p.dp_admin, &export(&mut p.office, &stick(&p.dir, "cle"))));
    let conn = p.dp.store().conn();
    let added = "0190a000-0000-7000-8000-000000000001";
    ok(conn.execute(
        "INSERT INTO card_holders (id, owner, version, created_at, updated_at, sort_key, label, data)
         VALUES (?1, 'BL-TIZNIT', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'R-0', 'R-0', '{\"card_number\":\"R-0\"}')",
        [added],
    ));
    ok(conn.execute("DELETE FROM applicants WHERE id = ?1", [id.to_string()]));
    let problems = ok(audit::verify(conn)).problems;
    assert!(problems.iter().any(|p| p.message.contains(added) && p.message.contains("hors de Daftar")), "{problems:?}");
    assert!(
        problems.iter().any(|p| p.message.contains(&id.to_string()) && p.message.contains("a disparu")),
        "{problems:?}"
    );
    assert_eq!(problems.len(), 2, "{problems:?}");
}
