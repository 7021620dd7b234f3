//! Any file offered for enrollment, with the fingerprint of the keys it names (as a clerk
//! would type it from the paper form): refused with a message, or enrolled with a valid code.
#![no_main]

#[path = "common.rs"]
mod common;

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;

thread_local! {
    static DP: RefCell<(daftar::app::Core, daftar::app::Session)> = RefCell::new(common::delegation());
}

fuzz_target!(|data: &[u8]| {
    let fingerprint = serde_json::from_slice::<daftar::app::IdentityFile>(data)
        .map(|file| file.keys.fingerprint())
        .unwrap_or_default();
    DP.with(|dp| {
        let (dp, admin) = &mut *dp.borrow_mut();
        if let Ok(peer) = dp.enroll(admin, data, &fingerprint) {
            assert!(daftar::domain::codes::SiteCode::parse(&peer.code).is_ok(), "enrolled {:?}", peer.code);
        }
    });
});
