//! The installation's keys: wrapped for each signing account, never for a clerk; re-wrapped when
//! a password changes.

use daftar::app::AppError;
use daftar::domain::role::Role;

use crate::common::{ADMIN_PASSWORD, AGENT_PASSWORD, CHEF_PASSWORD, office, ok};

#[test]
fn signing_accounts_open_the_keys_and_clerks_do_not() {
    let o = office(None);
    let admin_keys = o.admin.secrets().map(|s| s.public());
    assert!(admin_keys.is_some());
    assert_eq!(o.chef.secrets().map(|s| s.public()), admin_keys);
    assert!(o.agent.secrets().is_none());
    assert!(ok(o.core.holds_keys("chef")) && !ok(o.core.holds_keys("agent")));
    let wraps: i64 = ok(o.core.store().conn().query_row("SELECT count(*) FROM key_wraps", [], |r| r.get(0)));
    assert_eq!(wraps, 2);
}

#[test]
fn a_wrong_password_opens_nothing() {
    let mut o = office(None);
    for (login, wrong) in
        [("admin", CHEF_PASSWORD), ("chef", "chef-secret-2"), ("agent", ADMIN_PASSWORD), ("personne", AGENT_PASSWORD)]
    {
        let err = o.core.login(login, wrong).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("incorrect"), "{login}: {err}");
    }
    let failures: i64 = ok(o.core.store().conn().query_row(
        "SELECT count(*) FROM audit_log WHERE action = 'user.login_failed'",
        [],
        |r| r.get(0),
    ));
    assert_eq!(failures, 4);
}

#[test]
fn changing_a_password_rewraps_the_keys() {
    let mut o = office(None);
    let before = o.chef.secrets().map(|s| s.public());
    ok(o.core.change_password(&o.chef, "chef", Some(CHEF_PASSWORD), "nouveau-secret-7"));
    assert!(o.core.login("chef", CHEF_PASSWORD).is_err());
    let chef = ok(o.core.login("chef", "nouveau-secret-7"));
    assert_eq!(chef.secrets().map(|s| s.public()), before);
    // Own change needs the old password.
    assert!(matches!(
        o.core.change_password(&chef, "chef", Some("faux"), "autre-secret-8"),
        Err(AppError::Identity(_))
    ));
    // An administrator resets another account.
    ok(o.core.change_password(&o.admin, "chef", None, "remis-a-zero-9"));
    let chef = ok(o.core.login("chef", "remis-a-zero-9"));
    assert_eq!(chef.secrets().map(|s| s.public()), before);
    // A clerk may not reset others.
    assert!(matches!(o.core.change_password(&o.agent, "chef", None, "pirate-secret-1"), Err(AppError::Refused(_))));
}

#[test]
fn a_disabled_account_cannot_log_in_and_loses_its_keys() {
    let mut o = office(None);
    ok(o.core.disable_user(&o.admin, "chef"));
    assert!(o.core.login("chef", CHEF_PASSWORD).is_err());
    assert!(!ok(o.core.holds_keys("chef")));
    assert!(o.core.disable_user(&o.admin, "admin").is_err());
}

#[test]
fn roles_must_exist_at_the_level() {
    let mut o = office(None);
    let err = o
        .core
        .add_user(&o.admin, "delegue", "", Role::DelegationOfficer, "motdepasse-9")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("n'existe pas"), "{err}");
    assert!(o.core.add_user(&o.admin, "faible", "", Role::Clerk, "1234").is_err());
    assert!(o.core.add_user(&o.admin, "chef", "", Role::Clerk, "motdepasse-9").is_err());
}

#[test]
fn a_disabled_account_is_not_given_the_keys_back() {
    let mut o = office(None);
    ok(o.core.disable_user(&o.admin, "chef"));
    let err = o
        .core
        .change_password(&o.admin, "chef", None, "nouveau-secret-2")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("désactivé"), "{err}");
    assert!(!ok(o.core.holds_keys("chef")));
}

#[test]
fn too_many_wrong_passwords_make_a_login_wait() {
    let clock = crate::common::clock();
    let mut o = crate::common::office_on(clock.clone(), None, 7);
    for _ in 0..daftar::app::MAX_FAILED_LOGINS {
        assert!(o.core.login("chef", "devine-1").is_err());
    }
    let err = o.core.login("chef", CHEF_PASSWORD).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("réessayez dans 15 minute(s)"), "{err}");
    assert!(o.core.login("agent", AGENT_PASSWORD).is_ok(), "other accounts are not held up");
    clock.advance(chrono::Duration::minutes(daftar::app::LOCKOUT_MINUTES));
    assert!(o.core.login("chef", CHEF_PASSWORD).is_ok());
    let blocked: i64 = ok(o.core.store().conn().query_row(
        "SELECT count(*) FROM audit_log WHERE action = 'user.login_blocked'",
        [],
        |r| r.get(0),
    ));
    assert_eq!(blocked, 1, "each refused try is audited");
}

#[test]
fn the_lockout_counts_per_account_whatever_the_case_or_spacing_typed() {
    let clock = crate::common::clock();
    let mut o = crate::common::office_on(clock, None, 7);
    for typed in ["agent", "AGENT", " Agent ", "ag ent", "agent"] {
        assert!(o.core.login(typed, "devine-1").is_err());
    }
    for typed in ["AGENT", "agent", "  aGeNt"] {
        let err = o.core.login(typed, AGENT_PASSWORD).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("réessayez dans"), "{typed:?}: {err}");
    }
    // Once the wait is over, the account opens however it is typed.
    let mut o = office(None);
    assert!(o.core.login(" CHEF ", CHEF_PASSWORD).is_ok());
}

#[test]
fn after_a_key_rotation_every_signing_account_receives_the_new_keys() {
    let mut o = office(None);
    let fingerprint = ok(o.core.rotate_keys(&o.admin, ADMIN_PASSWORD));
    // The head of office still holds only the old keys: its next login opens the new ones.
    let chef = ok(o.core.login("chef", CHEF_PASSWORD));
    assert_eq!(chef.secrets().map(|s| s.public().fingerprint()), Some(fingerprint.clone()));
    assert_eq!(ok(o.core.identity_file(&chef)).keys.fingerprint(), fingerprint);
    let received: i64 = ok(o.core.store().conn().query_row(
        "SELECT count(*) FROM audit_log WHERE action = 'user.keys_received'",
        [],
        |r| r.get(0),
    ));
    assert_eq!(received, 1, "once: the next login opens its own wrap");
    let again = ok(o.core.login("chef", CHEF_PASSWORD));
    assert_eq!(again.secrets().map(|s| s.public().fingerprint()), Some(fingerprint));
    assert!(ok(o.core.login("agent", AGENT_PASSWORD)).secrets().is_none(), "a clerk never holds them");
    assert!(o.core.login("chef", "chef-secret-2").is_err());
}
