//! Authenticated hostile payloads: the fuzzer writes the lines after the manifest (records,
//! acknowledgement, sites, end line), and the bundle around them is correctly compressed,
//! encrypted and signed by an enrolled office. The import applies it whole or refuses it whole,
//! and the database always passes its check.
#![no_main]

#[path = "common.rs"]
mod common;

use std::cell::RefCell;

use daftar::app::{Core, ImportOutcome, Session};
use daftar::identity::{PublicKeys, SiteSecrets};
use libfuzzer_sys::fuzz_target;

struct State {
    dp: Core,
    admin: Session,
    office: SiteSecrets,
    dp_keys: PublicKeys,
    sequence: u64,
    watermark: i64,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new({
        let (mut dp, admin) = common::delegation();
        let office = common::enrolled_office(&mut dp, &admin);
        let dp_keys = dp.identity_file(&admin).unwrap_or_else(|e| panic!("{e}")).keys;
        State { dp, admin, office, dp_keys, sequence: 1, watermark: 0 }
    });
}

fuzz_target!(|data: &[u8]| {
    STATE.with(|state| {
        let s = &mut *state.borrow_mut();
        let m = common::manifest(s.sequence, s.watermark, s.watermark + 1);
        s.sequence += 1;
        let mut plain = serde_json::to_vec(&serde_json::json!({ "manifest": m })).unwrap_or_default();
        plain.push(b'\n');
        plain.extend_from_slice(data);
        let bytes = common::bundle(&s.office, &s.dp_keys, &m, &plain);
        if let Ok(ImportOutcome::Applied { .. }) = s.dp.import_bundle(&s.admin, &bytes, "fuzz") {
            s.watermark += 1;
            let report = s.dp.check(&s.admin).unwrap_or_else(|e| panic!("{e}"));
            assert!(report.is_sound(), "an applied bundle left the database unsound: {report:?}");
        }
    });
});
