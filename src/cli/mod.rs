//! The command line: the same core as the GUI, headless, for automation and tests.
//!
//! Global options `--db PATH` and `--user LOGIN` may stand before or after the command. The
//! password comes from `DAFTAR_PASSWORD`, or is asked when a terminal is attached. Errors go to
//! standard error in French and the exit code is non-zero.

mod args;
mod commands;
pub mod french;
mod print;
mod session;

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

pub use args::Cli;

/// The default database: `daftar.sqlite` in the user's data folder.
pub fn default_db_path() -> PathBuf {
    crate::platform::data_folder().join("daftar.sqlite")
}

/// Reads a password from `variable`, or asks for it on the terminal.
fn password_from(variable: &str, prompt: &str) -> anyhow::Result<String> {
    if let Ok(password) = std::env::var(variable) {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password(prompt)?);
    }
    anyhow::bail!("Mot de passe absent : définissez la variable {variable} (aucun terminal pour le demander).")
}

/// A command that already said what happened and ends with this exit code.
#[derive(Debug)]
struct Exit(u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "code de sortie {}", self.0)
    }
}

impl std::error::Error for Exit {}

/// Parses the command line, runs the command, and turns errors into a French message and a
/// non-zero exit code.
pub fn main() -> ExitCode {
    let cli = french::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped reading (`daftar provinces | head`) is not an error.
        Err(error)
            if error.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(error) if error.downcast_ref::<Exit>().is_some() => {
            ExitCode::from(error.downcast_ref::<Exit>().map_or(1, |exit| exit.0))
        }
        Err(error) => {
            eprintln!("Erreur : {error}");
            // The core says what to do in words; here, the commands that do it.
            let said = error.to_string();
            if said.contains(crate::store::CHECK_WORDS) {
                eprintln!("En ligne de commande, la vérification : daftar check");
            }
            if said.contains("« Restaurer une sauvegarde… »") {
                eprintln!("En ligne de commande, la restauration : daftar --user VOTRE_IDENTIFIANT restore FICHIER");
            }
            ExitCode::FAILURE
        }
    }
}
