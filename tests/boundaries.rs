//! Module boundaries that the design fixes (DESIGN §3): the screens never talk SQL.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn nothing_under_ui_uses_rusqlite_or_the_store() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui"), &mut files);
    assert!(files.len() >= 8, "the ui module was not found: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for forbidden in ["rusqlite", "crate::store", "store::", "printpdf", "std::fs"] {
            assert!(!text.contains(forbidden), "{} uses {forbidden}", file.display());
        }
    }
}

#[test]
fn the_domain_does_no_io() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for forbidden in ["rusqlite", "eframe", "egui", "std::fs", "Utc::now", "crate::store"] {
            assert!(!text.contains(forbidden), "{} uses {forbidden}", file.display());
        }
    }
}
