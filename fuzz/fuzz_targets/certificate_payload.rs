//! Any text read from a certificate's QR code: parsed and checked, never a panic, never
//! "authentic" unless its signature holds.
#![no_main]

#[path = "common.rs"]
mod common;

use std::cell::RefCell;

use daftar::domain::certificate::{Summary, Verdict};
use libfuzzer_sys::fuzz_target;

thread_local! {
    static OFFICE: RefCell<(daftar::app::Core, daftar::app::Session)> = RefCell::new(common::office());
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Summary::parse_payload(text);
    OFFICE.with(|office| {
        let (core, _) = &*office.borrow();
        if let Ok(Verdict::Authentic { .. }) = core.verify_certificate(text) {
            panic!("a payload nobody signed verified: {text:?}");
        }
    });
});
