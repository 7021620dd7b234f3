//! Properties over many generated inputs: money round-trips exactly, folding is stable, and
//! validation never panics on any input.

use chrono::NaiveDate;
use daftar::domain::Money;
use daftar::domain::applicant::ApplicantDraft;
use daftar::domain::names::{fold, skeleton, skeletons_close};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn money_round_trips_through_its_french_form(centimes in 0_i64..10_000_000_000_000) {
        let m = Money::from_centimes(centimes).unwrap_or_default();
        prop_assert_eq!(Money::parse_fr(&m.format_number_fr()), Ok(m));
        prop_assert_eq!(Money::parse_fr(&m.to_string()), Ok(m));
        prop_assert_eq!(Money::from_decimal(m.to_decimal()), Ok(m));
    }

    #[test]
    fn folding_is_idempotent(text in "\\PC{0,40}") {
        let once = fold(&text);
        prop_assert_eq!(fold(&once), once);
    }

    #[test]
    fn a_name_is_close_to_itself(name in "[A-Za-z\u{0621}-\u{064A} ]{1,30}") {
        prop_assert!(skeletons_close(&skeleton(&name), &skeleton(&name)));
    }

    #[test]
    fn validation_never_panics(fields in proptest::collection::vec("\\PC{0,20}", 15)) {
        let draft = ApplicantDraft {
            cin: fields[0].clone(), last_name: fields[1].clone(), first_name: fields[2].clone(),
            last_name_ar: fields[3].clone(), first_name_ar: fields[4].clone(), sex: fields[5].clone(),
            birth_date: fields[6].clone(), relationship: fields[7].clone(), phone: fields[8].clone(),
            address: fields[9].clone(), commune: fields[10].clone(), province_code: fields[11].clone(),
            amo_regime: fields[12].clone(), amo_number: fields[13].clone(), amo_checked_on: fields[14].clone(),
            link_note: fields[1].clone(),
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
        let _ = draft.validate(today, &|code| code == "581");
        let _ = Money::parse_fr(&fields[0]);
    }
}
