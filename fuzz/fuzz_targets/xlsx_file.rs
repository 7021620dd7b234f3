//! Any workbook offered to the import (the first byte chooses what it holds; the rest is read as
//! an .xlsx file): imported whole or refused whole, never a panic.
#![no_main]

#[path = "common.rs"]
mod common;

use std::cell::RefCell;

use daftar::app::csv_import::CsvTarget;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static OFFICE: RefCell<(daftar::app::Core, daftar::app::Session)> = RefCell::new(common::office());
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let target = match first % 4 {
        0 => CsvTarget::Applicants,
        1 => CsvTarget::Projects,
        2 => CsvTarget::Dossiers,
        _ => CsvTarget::Funding,
    };
    // Always a zip's signature first, so that every input reaches the workbook reader.
    let mut file = b"PK\x03\x04".to_vec();
    file.extend_from_slice(rest.strip_prefix(b"PK\x03\x04").unwrap_or(rest));
    OFFICE.with(|office| {
        let (core, agent) = &mut *office.borrow_mut();
        let _ = core.import_csv(agent, target, &file);
    });
});
