//! Any bytes offered as a bundle: the envelope reader, then the whole import, refuse them
//! without panicking.
#![no_main]

#[path = "common.rs"]
mod common;

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;

thread_local! {
    static DP: RefCell<(daftar::app::Core, daftar::app::Session)> = RefCell::new({
        let (mut dp, admin) = common::delegation();
        common::enrolled_office(&mut dp, &admin);
        (dp, admin)
    });
}

fuzz_target!(|data: &[u8]| {
    let _ = daftar::sync::envelope::open(data);
    DP.with(|dp| {
        let (dp, admin) = &mut *dp.borrow_mut();
        let _ = dp.import_bundle(admin, data, "fuzz");
    });
});
