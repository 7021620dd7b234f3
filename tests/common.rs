//! Shared set-up: an in-memory register with a pinned clock, seeded randomness and cheap
//! password hashing.

use chrono::{NaiveDate, TimeZone as _, Utc};
use daftar::app::{CardRef, Core, InstallSetup, Session};
use daftar::clock::{FixedClock, SeededEntropy};
use daftar::domain::applicant::ApplicantDraft;
use daftar::domain::role::Role;
use daftar::identity::KdfParams;
use daftar::store::Store;
use uuid::Uuid;

pub const ADMIN_PASSWORD: &str = "admin-secret-1";
pub const CHEF_PASSWORD: &str = "chef-secret-1";
pub const AGENT_PASSWORD: &str = "agent-secret-1";

/// 29 November 2026, 09:00 UTC.
pub fn clock() -> FixedClock {
    FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).single().unwrap_or_default())
}

pub fn date(d: u32, m: u32, y: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad date {d}/{m}/{y}"))
}

pub fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

pub fn core_with(store: Store) -> Core {
    core_seeded(store, 7)
}

/// A core whose random source (ids, keys) starts from `seed`.
pub fn core_seeded(store: Store, seed: u64) -> Core {
    Core::new(store, Box::new(clock()), Box::new(SeededEntropy::new(seed)), KdfParams::FAST_FOR_TESTS)
}

/// A set-up office `BL-TIZNIT` with an administrator, a head of office and a clerk.
/// `parent`: the delegation it reports to (`None`: a standalone office).
pub struct Office {
    pub core: Core,
    pub admin: Session,
    pub chef: Session,
    pub agent: Session,
}

pub fn office(parent: Option<&str>) -> Office {
    office_seeded(parent, 7)
}

/// The same office, with its own keys when `seed` differs.
pub fn office_seeded(parent: Option<&str>, seed: u64) -> Office {
    office_on(clock(), parent, seed)
}

/// The set-up of the office `BL-TIZNIT` (Tiznit, administrator `admin`).
pub fn tiznit() -> InstallSetup {
    InstallSetup {
        code: "BL-TIZNIT".into(),
        name: "Bureau local de Tiznit".into(),
        level: "bureau".into(),
        province: "581".into(),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: ADMIN_PASSWORD.into(),
        ..InstallSetup::default()
    }
}

/// The same office reading `clock` (a test keeps a handle on it to move time on).
pub fn office_on(clock: FixedClock, parent: Option<&str>, seed: u64) -> Office {
    let store = ok(Store::open_in_memory());
    let mut core = Core::new(store, Box::new(clock), Box::new(SeededEntropy::new(seed)), KdfParams::FAST_FOR_TESTS);
    let admin = ok(core.init(&tiznit()));
    ok(core.add_user(&admin, "chef", "Chef de bureau", Role::HeadOfOffice, CHEF_PASSWORD));
    ok(core.add_user(&admin, "agent", "Agent", Role::Clerk, AGENT_PASSWORD));
    if let Some(parent) = parent {
        // Enrollment (the sync issue) pins the parent; here it is set directly.
        ok(core.store().conn().execute("UPDATE site SET parent_code = ?1", [parent]));
    }
    let admin = ok(core.login("admin", ADMIN_PASSWORD));
    let chef = ok(core.login("chef", CHEF_PASSWORD));
    let agent = ok(core.login("agent", AGENT_PASSWORD));
    Office { core, admin, chef, agent }
}

/// `latin` spelt letter by letter in Arabic script: every test person has a name in both scripts
/// (certificates need both), distinct when the Latin names are.
pub fn in_arabic(latin: &str) -> String {
    const LETTERS: [char; 26] = [
        'ا', 'ب', 'ك', 'د', 'ي', 'ف', 'ج', 'ه', 'ي', 'ج', 'ك', 'ل', 'م', 'ن', 'و', 'ب', 'ق', 'ر', 'س', 'ت', 'و', 'ف',
        'و', 'ك', 'ي', 'ز',
    ];
    latin
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'a'..='z' => Some(LETTERS[c as usize - 'a' as usize]),
            ' ' | '-' => Some(' '),
            _ => None,
        })
        .collect()
}

pub fn draft(cin: &str, first: &str, last: &str, birth: &str) -> ApplicantDraft {
    ApplicantDraft {
        cin: cin.into(),
        first_name: first.into(),
        last_name: last.into(),
        first_name_ar: in_arabic(first),
        last_name_ar: in_arabic(last),
        sex: "M".into(),
        birth_date: birth.into(),
        relationship: "fils".into(),
        province_code: "581".into(),
        ..ApplicantDraft::default()
    }
}

pub fn card(number: &str) -> CardRef {
    CardRef {
        card_number: number.into(), holder_name: "Ahmed Ouali".into(), holder_name_ar: "أحمد والي".into()
    }
}

/// Registers an applicant and returns its id.
pub fn applicant(o: &mut Office, cin: &str, first: &str, last: &str, birth: &str) -> Uuid {
    let agent = &o.agent;
    ok(o.core.add_applicant(agent, &draft(cin, first, last, birth), &card("R-1"), None)).id
}

/// Counts rows of a table.
pub fn count(core: &Core, table: &str) -> i64 {
    ok(core.store().conn().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)))
}
