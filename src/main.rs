//! The `daftar` binary: parses the command line and hands over to [`daftar::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    daftar::cli::main()
}
