//! Set-up of the installation, accounts, login, and the keys each signing account holds.

use super::{AppError, Core, Session};
use crate::domain::FieldErrors;
use crate::domain::codes::SiteCode;
use crate::domain::role::{Action, Role};
use crate::domain::site::{Level, PlaceKind, Site};
use crate::identity::{self, IdentityError, SiteSecrets};
use crate::reference::Reference;
use crate::store::audit::{self, Entry, timestamp};
use crate::store::site::{self as site_store, UserRow};
use crate::store::{StoreError, reference};

/// What `daftar init` and the first-start screen ask for.
#[derive(Clone, Default)]
pub struct InstallSetup {
    /// Site code, e.g. `BL-TIZNIT`.
    pub code: String,
    /// Site name.
    pub name: String,
    /// Level code (`bureau`, …).
    pub level: String,
    /// Province code (office, provincial delegation).
    pub province: String,
    /// Region code (regional delegation).
    pub region: String,
    /// The first administrator's login.
    pub admin_login: String,
    /// Their full name.
    pub admin_name: String,
    /// Their password.
    pub admin_password: String,
}

impl std::fmt::Debug for InstallSetup {
    /// Everything but the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstallSetup")
            .field("code", &self.code)
            .field("name", &self.name)
            .field("level", &self.level)
            .field("province", &self.province)
            .field("region", &self.region)
            .field("admin_login", &self.admin_login)
            .finish_non_exhaustive()
    }
}

fn check_login(login: &str) -> Result<String, String> {
    let login = login.trim().to_lowercase();
    if !(2..=32).contains(&login.len())
        || !login.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err("L'identifiant compte 2 à 32 caractères parmi a–z, 0–9, « . », « - » et « _ ».".into());
    }
    Ok(login)
}

/// The account a typed login names, whatever its case or spacing (`AGENT2`, ` agent2 `, `ag ent2`
/// are all `agent2`): the lockout counts failures per account. The audit keeps it in the erasable
/// content only, shortened, never in the chained fields (it may be a password typed in the wrong
/// field).
fn typed_login(login: &str) -> String {
    login.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).take(32).collect()
}

/// Wrong passwords allowed for one login within [`LOCKOUT_MINUTES`].
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a login waits after too many wrong passwords.
pub const LOCKOUT_MINUTES: i64 = 15;

impl Core {
    /// Sets up a new installation: its identity, the reference lists, its keys, and the first
    /// administrator (who holds the keys). Returns that administrator's session.
    pub fn init(&mut self, setup: &InstallSetup) -> Result<Session, AppError> {
        let mut errors = FieldErrors::new();
        let code = errors.check("code", SiteCode::parse(&setup.code));
        let level = errors.check("level", Level::parse(&setup.level));
        if setup.name.trim().is_empty() {
            errors.add("name", "Indiquez le nom du site, par exemple « Bureau local de Tiznit ».");
        }
        let login = errors.check("admin_login", check_login(&setup.admin_login));
        if let Err(e) = identity::check_new_password(&setup.admin_password) {
            errors.add("admin_password", e.to_string());
        }
        let conn = self.store.conn();
        let (mut province_code, mut region_code) = (None, None);
        if let Some(level) = level {
            match level.place_kind() {
                PlaceKind::Province => {
                    let code = setup.province.trim();
                    if code.is_empty() {
                        errors
                            .add("province", "Indiquez la province ou préfecture du site (son code à 3 chiffres, dans la liste des provinces).");
                    } else if let Some(region) = reference_region(code) {
                        province_code = Some(code.to_owned());
                        region_code = Some(region);
                    } else {
                        errors.add(
                            "province",
                            format!("« {code} » n'est pas un code de province connu : choisissez-la dans la liste des provinces."),
                        );
                    }
                }
                PlaceKind::Region => {
                    let code = setup.region.trim();
                    if Reference::shipped().region(code).is_some() {
                        region_code = Some(code.to_owned());
                    } else {
                        errors.add("region", format!("« {code} » n'est pas un code de région connu (01 à 12)."));
                    }
                }
                PlaceKind::None => {}
            }
        }
        if let Some(existing) = site_store::get(conn)? {
            return Err(StoreError::AlreadyInitialised(existing.code.to_string()).into());
        }
        let (Some(code), Some(level), Some(login)) = (code, level, login) else { return Err(errors.into()) };
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let site = Site { code, name: setup.name.trim().to_owned(), level, province_code, region_code, parent: None };
        let admin_name = if setup.admin_name.trim().is_empty() {
            "Administrateur".to_owned()
        } else {
            setup.admin_name.trim().to_owned()
        };
        let now = self.clock.now_utc();
        let stamp = timestamp(now);
        let secrets = SiteSecrets::generate(self.entropy.as_mut());
        let user_id = new_user_id(self);
        let password_hash = identity::hash_password(&setup.admin_password, self.kdf, self.entropy.as_mut())?;
        let wrapped = secrets.wrap(&login, &setup.admin_password, self.kdf, self.entropy.as_mut())?;
        let tx = self.store.transaction()?;
        site_store::create(&tx, &site, &stamp)?;
        reference::load(&tx, Reference::shipped(), now)?;
        let key_id = site_store::insert_keys(&tx, &secrets.public(), &stamp)?;
        let user = UserRow {
            id: user_id.clone(),
            login: login.clone(),
            full_name: admin_name.clone(),
            role: Role::Administrator,
            password_hash,
            disabled_at: None,
        };
        site_store::insert_user(&tx, &user, &stamp)?;
        site_store::put_wrap(&tx, &user_id, key_id, &wrapped)?;
        super::backup::remember_backup_key(&tx, &secrets)?;
        let content = serde_json::json!({ "site": site.code.as_str(), "level": site.level.code(), "name": site.name, "keys": secrets.public(), "admin": login }).to_string();
        audit::append(
            &tx,
            &Entry {
                at: now,
                actor: &login,
                action: "site.init",
                table: None,
                row_id: None,
                row_hash: None,
                content: &content,
            },
        )?;
        tx.commit()?;
        Ok(Session { user_id, login, full_name: admin_name, role: Role::Administrator, site, secrets: Some(secrets) })
    }

    /// After [`MAX_FAILED_LOGINS`] wrong passwords for a login within [`LOCKOUT_MINUTES`], that
    /// login waits until the last failure is that old (the right password included); each
    /// refused try is audited.
    fn refuse_while_locked_out(&mut self, login: &str) -> Result<(), AppError> {
        let now = self.clock.now_utc();
        let window = chrono::Duration::minutes(LOCKOUT_MINUTES);
        let typed = typed_login(login);
        let since = timestamp(now - window);
        let (failures, last) = audit::failed_logins_since(self.store.conn(), &typed, &since)?;
        let Some(last) = last.filter(|_| failures >= MAX_FAILED_LOGINS) else { return Ok(()) };
        let until = chrono::DateTime::parse_from_rfc3339(&last)
            .map(|t| t.with_timezone(&chrono::Utc) + window)
            .unwrap_or(now + window);
        let minutes = (until - now).num_minutes().max(1);
        self.audit_login_attempt(&typed, "user.login_blocked")?;
        Err(AppError::Rule(format!(
            "Trop de mots de passe erronés pour « {typed} » : réessayez dans {minutes} minute(s), ou demandez à l'administrateur de vérifier le compte."
        )))
    }

    /// Audits a failed or refused login attempt.
    fn audit_login_attempt(&self, typed: &str, action: &str) -> Result<(), AppError> {
        let content = serde_json::json!({ "login": typed }).to_string();
        super::audit_act(self.store.conn(), self.clock.now_utc(), "inconnu", action, &content)
    }

    /// Opens a session: checks the password and, for accounts that hold the keys, opens them.
    pub fn login(&mut self, login: &str, password: &str) -> Result<Session, AppError> {
        let site = self.site()?;
        self.refuse_while_locked_out(login)?;
        let user = site_store::user_by_login(self.store.conn(), &typed_login(login))?;
        let verified = match &user {
            Some(u) if u.disabled_at.is_none() => identity::verify_password(password, &u.password_hash),
            _ => Err(IdentityError::WrongPassword),
        };
        let (Some(user), Ok(())) = (user, verified) else {
            self.audit_login_attempt(&typed_login(login), "user.login_failed")?;
            return Err(AppError::Rule("Identifiant ou mot de passe incorrect (ou compte désactivé).".into()));
        };
        let secrets = if user.role.holds_keys() { self.open_keys(&user, password)? } else { None };
        if let Some(secrets) = &secrets {
            super::backup::remember_backup_key(self.store.conn(), secrets)?;
        }
        Ok(Session { user_id: user.id, login: user.login, full_name: user.full_name, role: user.role, site, secrets })
    }

    fn open_keys(&mut self, user: &UserRow, password: &str) -> Result<Option<SiteSecrets>, AppError> {
        let conn = self.store.conn();
        let Some((key_id, public)) = site_store::current_keys(conn)? else { return Ok(None) };
        if let Some(wrapped) = site_store::get_wrap(conn, &user.id, key_id)? {
            let secrets = wrapped.unwrap(&user.login, password)?;
            if secrets.public() != public {
                return Err(IdentityError::Corrupt("clés ne correspondant pas au site").into());
            }
            return Ok(Some(secrets));
        }
        // The keys were rotated since this account last logged in: its old keys open the new
        // ones, sealed to them at each rotation, and its password wraps them for next time.
        let Some((held, wrapped)) = site_store::newest_wrap(conn, &user.id)? else { return Ok(None) };
        let mut secrets = wrapped.unwrap(&user.login, password)?;
        for later in site_store::keys_after(conn, held)? {
            let Some(sealed) = later.sealed else { return Ok(None) };
            secrets = secrets.open_sealed(&sealed)?;
            if secrets.public() != later.keys {
                return Err(IdentityError::Corrupt("clés transmises ne correspondant pas au site").into());
            }
        }
        if secrets.public() != public {
            return Ok(None);
        }
        let rewrapped = secrets.wrap(&user.login, password, self.kdf, self.entropy.as_mut())?;
        let now = self.clock.now_utc();
        let tx = self.store.transaction()?;
        site_store::put_wrap(&tx, &user.id, key_id, &rewrapped)?;
        let content = serde_json::json!({ "login": user.login, "fingerprint": public.fingerprint() }).to_string();
        super::audit_act(&tx, now, &user.login, "user.keys_received", &content)?;
        tx.commit()?;
        Ok(Some(secrets))
    }

    /// Adds an account. Accounts of a signing role receive their own wrapped copy of the keys,
    /// which the acting administrator's session opens.
    pub fn add_user(
        &mut self,
        session: &Session,
        login: &str,
        full_name: &str,
        role: Role,
        password: &str,
    ) -> Result<(), AppError> {
        session.require(Action::ManageUsers)?;
        let mut errors = FieldErrors::new();
        let login = errors.check("login", check_login(login));
        if let Err(e) = identity::check_new_password(password) {
            errors.add("password", e.to_string());
        }
        if !role.exists_at(session.site.level) {
            errors.add(
                "role",
                format!(
                    "Le rôle « {} » n'existe pas dans un site de niveau « {} ».",
                    role.label_fr(),
                    session.site.level.label_fr()
                ),
            );
        }
        let Some(login) = login.filter(|_| errors.is_empty()) else { return Err(errors.into()) };
        if site_store::user_by_login(self.store.conn(), &login)?.is_some() {
            return Err(AppError::Rule(format!("Le compte « {login} » existe déjà.")));
        }
        let wrapped = if role.holds_keys() {
            let secrets = session.secrets().ok_or_else(|| {
                AppError::Rule(
                    "Votre session n'a pas ouvert les clés du site : reconnectez-vous avec un compte qui les détient."
                        .into(),
                )
            })?;
            Some(secrets.wrap(&login, password, self.kdf, self.entropy.as_mut())?)
        } else {
            None
        };
        let user = UserRow {
            id: new_user_id(self),
            login: login.clone(),
            full_name: if full_name.trim().is_empty() { login.clone() } else { full_name.trim().to_owned() },
            role,
            password_hash: identity::hash_password(password, self.kdf, self.entropy.as_mut())?,
            disabled_at: None,
        };
        let now = self.clock.now_utc();
        let stamp = timestamp(now);
        let tx = self.store.transaction()?;
        site_store::insert_user(&tx, &user, &stamp)?;
        if let Some(wrapped) = wrapped {
            let (key_id, _) = site_store::current_keys(&tx)?.ok_or(IdentityError::Corrupt("aucune clé de site"))?;
            site_store::put_wrap(&tx, &user.id, key_id, &wrapped)?;
        }
        let content =
            serde_json::json!({ "login": login, "role": role.code(), "full_name": user.full_name }).to_string();
        audit::append(
            &tx,
            &Entry {
                at: now,
                actor: &session.login,
                action: "user.add",
                table: None,
                row_id: Some(&user.id),
                row_hash: None,
                content: &content,
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Changes a password. A user changes their own (the old password is required); an
    /// administrator resets another account's. Accounts holding the keys get them re-wrapped.
    pub fn change_password(
        &mut self,
        session: &Session,
        login: &str,
        old_password: Option<&str>,
        new_password: &str,
    ) -> Result<(), AppError> {
        let user = site_store::user_by_login(self.store.conn(), login)?
            .ok_or_else(|| StoreError::NotFound(format!("Compte « {} »", login.trim())))?;
        if user.disabled_at.is_some() {
            return Err(AppError::Rule(format!(
                "Le compte « {} » est désactivé : son mot de passe ne se change plus.",
                user.login
            )));
        }
        let own = user.id == session.user_id;
        if own {
            identity::verify_password(old_password.unwrap_or_default(), &user.password_hash)?;
        } else {
            session.require(Action::ManageUsers)?;
        }
        identity::check_new_password(new_password)?;
        let wrapped = if user.role.holds_keys() {
            let secrets = session.secrets().ok_or_else(|| {
                AppError::Rule(
                    "Votre session n'a pas ouvert les clés du site : reconnectez-vous avec un compte qui les détient."
                        .into(),
                )
            })?;
            Some(secrets.wrap(&user.login, new_password, self.kdf, self.entropy.as_mut())?)
        } else {
            None
        };
        let hash = identity::hash_password(new_password, self.kdf, self.entropy.as_mut())?;
        let now = self.clock.now_utc();
        let stamp = timestamp(now);
        let tx = self.store.transaction()?;
        site_store::set_password_hash(&tx, &user.id, &hash, &stamp)?;
        if let Some(wrapped) = wrapped {
            let (key_id, _) = site_store::current_keys(&tx)?.ok_or(IdentityError::Corrupt("aucune clé de site"))?;
            site_store::put_wrap(&tx, &user.id, key_id, &wrapped)?;
        }
        let content = serde_json::json!({ "login": user.login }).to_string();
        audit::append(
            &tx,
            &Entry {
                at: now,
                actor: &session.login,
                action: "user.passwd",
                table: None,
                row_id: Some(&user.id),
                row_hash: None,
                content: &content,
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Disables an account (it keeps its history) and removes its copy of the keys.
    pub fn disable_user(&mut self, session: &Session, login: &str) -> Result<(), AppError> {
        session.require(Action::ManageUsers)?;
        let user = site_store::user_by_login(self.store.conn(), login)?
            .ok_or_else(|| StoreError::NotFound(format!("Compte « {} »", login.trim())))?;
        if user.id == session.user_id {
            return Err(AppError::Rule("Vous ne pouvez pas désactiver votre propre compte.".into()));
        }
        let active_admins = site_store::users(self.store.conn())?
            .iter()
            .filter(|u| u.role == Role::Administrator && u.disabled_at.is_none())
            .count();
        if user.role == Role::Administrator && active_admins <= 1 {
            return Err(AppError::Rule(
                "C'est le dernier administrateur actif : créez-en un autre avant de le désactiver.".into(),
            ));
        }
        let now = self.clock.now_utc();
        let tx = self.store.transaction()?;
        site_store::disable_user(&tx, &user.id, &timestamp(now))?;
        let content = serde_json::json!({ "login": user.login }).to_string();
        audit::append(
            &tx,
            &Entry {
                at: now,
                actor: &session.login,
                action: "user.disable",
                table: None,
                row_id: Some(&user.id),
                row_hash: None,
                content: &content,
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The accounts of this installation.
    pub fn users(&self, session: &Session) -> Result<Vec<UserRow>, AppError> {
        session.require(Action::ManageUsers)?;
        Ok(site_store::users(self.store.conn())?)
    }

    /// True when this account has its own copy of the installation's keys.
    pub fn holds_keys(&self, login: &str) -> Result<bool, AppError> {
        let conn = self.store.conn();
        let Some(user) = site_store::user_by_login(conn, login)? else { return Ok(false) };
        let Some((key_id, _)) = site_store::current_keys(conn)? else { return Ok(false) };
        Ok(site_store::get_wrap(conn, &user.id, key_id)?.is_some())
    }
}

fn new_user_id(core: &mut Core) -> String {
    let millis = u64::try_from(core.clock.now_utc().timestamp_millis()).unwrap_or(0);
    let mut ids = super::IdMaker { millis, entropy: core.entropy.as_mut() };
    ids.new_id().to_string()
}

fn reference_region(province: &str) -> Option<String> {
    Reference::shipped().province(province).map(|p| p.region_code.clone())
}
