//! Embeds the version and git commit, and re-runs when migrations or assets change.
//! Hermetic: reads only the work tree and, when it is there, the local git repository.

use std::process::Command;

fn main() {
    println!("cargo::rerun-if-changed=migrations");
    println!("cargo::rerun-if-changed=assets");
    println!("cargo::rerun-if-changed=.git/HEAD");
    println!("cargo::rerun-if-changed=.git/refs/heads");
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "commit inconnu".to_owned());
    println!("cargo::rustc-env=DAFTAR_GIT_COMMIT={commit}");
}
