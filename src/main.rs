//! The `daftar` binary: parses the command line and hands over to [`daftar::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = daftar::cli::main();
    daftar::crash_points::report();
    code
}
