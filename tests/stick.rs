//! Files on the stick: what an import reads, what it leaves alone, and how it names them.

use daftar::app::ImportOutcome;

use crate::common::{applicant, ok};
use crate::sync::{export, pair, stick};

fn messages(lines: &[daftar::app::ImportLine]) -> Vec<String> {
    lines
        .iter()
        .map(|l| match &l.result {
            Ok(o) => format!("{} : {o}", l.file),
            Err(e) => format!("{} : {e}", l.file),
        })
        .collect()
}

#[test]
fn an_empty_folder_says_so() {
    let mut p = pair();
    let empty = stick(&p.dir, "vide");
    ok(std::fs::create_dir_all(&empty));
    let lines = ok(p.dp.import_paths(&p.dp_admin, std::slice::from_ref(&empty)));
    let all = messages(&lines).join("\n");
    assert!(all.contains("aucun paquet dans"), "{all}");
    assert!(lines.iter().all(|l| l.result.is_err()));
}

#[test]
fn a_file_beyond_the_cap_is_refused_unread() {
    let mut p = pair();
    let folder = stick(&p.dir, "gros");
    ok(std::fs::create_dir_all(&folder));
    // Sparse: its length says more than a bundle can hold, and nothing is read.
    let file = ok(std::fs::File::create(folder.join("BL-TIZNIT-000001.daftar")));
    ok(file.set_len(daftar::sync::envelope::MAX_FILE + 1));
    let lines = ok(p.dp.import_paths(&p.dp_admin, &[folder]));
    let all = messages(&lines).join("\n");
    assert!(all.contains("sans être lu"), "{all}");
}

#[cfg(unix)]
#[test]
fn pipes_links_out_of_the_folder_and_strange_names_are_harmless() {
    let mut p = pair();
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let folder = stick(&p.dir, "cle");
    let bytes = export(&mut p.office, &folder);
    // A genuine bundle under a name that holds a line break and a fake result line.
    let tricky = folder.join("x\nBL-FAUX : Paquet de BL-FAUX importé : 999 enregistrement(s) appliqué(s).daftar");
    ok(std::fs::write(&tricky, &bytes));
    // A named pipe: reading it would wait for ever.
    let fifo = folder.join("attente.daftar");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    // A link to a file outside the folder.
    let outside = p.dir.path().join("ailleurs.daftar");
    ok(std::fs::write(&outside, &bytes));
    ok(std::os::unix::fs::symlink(&outside, folder.join("lien.daftar")));
    let lines = ok(p.dp.import_paths(&p.dp_admin, std::slice::from_ref(&folder)));
    let all = messages(&lines);
    for line in &all {
        assert!(!line.contains('\n'), "one line per file: {line:?}");
    }
    let joined = all.join("\n");
    assert!(joined.contains("x\\u{a}BL-FAUX"), "{joined}");
    assert!(joined.contains("lien.daftar : ignoré : lien vers un fichier hors du dossier"), "{joined}");
    if made {
        assert!(joined.contains("attente.daftar : ignoré : ce n'est pas un fichier ordinaire"), "{joined}");
    }
    // The genuine bundle, whichever of its two names came first, was applied once.
    let applied = lines.iter().filter(|l| matches!(l.result, Ok(ImportOutcome::Applied { .. }))).count();
    assert_eq!(applied, 1, "{joined}");
}
