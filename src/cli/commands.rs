//! Runs each command against the core.

use std::io::Write as _;

use anyhow::{Context as _, anyhow, bail};
use chrono::{Datelike as _, NaiveDate};
use uuid::Uuid;

use super::args::{
    ApplicantCommand, ApplicantFields, CertificateCommand, ChecklistCommand, Cli, Command, CsvKind, DocumentKind,
    DossierCommand, FundingCommand, IdentityCommand, ListFormat, ProgrammeCommand, ProjectCommand, ProjectFields,
    ReportCommand, ResyncCommand, RetentionCommand, SettingsCommand, TodoFormat, UserCommand, VisitCommand,
};
use super::{default_db_path, password_from, print};
use crate::app::ImportOutcome;
use crate::app::csv_import::CsvTarget;
use crate::app::{
    AppError, CardRef, CertificateSubject, Core, Document, DossierEdit, InstallSetup, Move, Session, SlipTo, demo,
    save_new,
};
use crate::documents::bilan_files::BilanFormat;
use crate::domain::Money;
use crate::domain::applicant::ApplicantDraft;
use crate::domain::certificate::Verdict;
use crate::domain::dates::parse_date_fr;
use crate::domain::dossier::ChecklistItem;
use crate::domain::dossier::Status;
use crate::domain::funding::{Envelope, FundingSource, Grant, Programme};
use crate::domain::indicators::Breakdown;
use crate::domain::project::{Member, ProjectDraft, ProjectKind};
use crate::domain::review::Verdict as ReviewVerdict;
use crate::domain::role::Role;
use crate::domain::visit::Visit;
use crate::reference::Reference;
use crate::store::records::Table;
use crate::store::sync::Relation;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let db = cli.db.clone().unwrap_or_else(default_db_path);
    if let Some(folder) = db.parent() {
        crate::diagnostics::install_panic_hook(folder);
    }
    let Some(command) = cli.command else {
        return crate::ui::run(&db);
    };
    match command {
        Command::CrashReportTest => panic!("arrêt volontaire (daftar crash-report-test)"),
        Command::Provinces => {
            print::provinces(&mut std::io::stdout().lock(), Reference::shipped())?;
            Ok(())
        }
        Command::Init(args) => {
            let password = password_from("DAFTAR_PASSWORD", "Mot de passe du nouvel administrateur : ")?;
            if db.exists() && Core::open(&db, false).and_then(|core| core.site()).is_ok() {
                bail!("La base {} est déjà installée : « daftar init » ne s'utilise qu'une fois.", db.display());
            }
            let mut core = Core::open(&db, true)?;
            let setup = InstallSetup {
                code: args.office,
                name: args.name,
                level: args.level,
                province: args.province.unwrap_or_default(),
                region: args.region.unwrap_or_default(),
                admin_login: args.admin,
                admin_name: args.admin_name.unwrap_or_default(),
                admin_password: password,
            };
            let session = core.init(&setup)?;
            print::installed(&mut std::io::stdout().lock(), &core, &session, &db)?;
            Ok(())
        }
        Command::Demo(args) => {
            let fresh = !db.exists() || Core::open(&db, false).and_then(|core| core.site()).is_err();
            let mut core = Core::open(&db, true)?;
            let session = if fresh {
                let (session, accounts) = demo::create_demo_site(&mut core)?;
                print::demo_accounts(&mut std::io::stdout().lock(), &accounts, &db)?;
                session
            } else {
                login(&mut core, cli.user.as_deref())?
            };
            let summary = demo::populate(&mut core, &session, args.applicants, args.seed)?;
            println!("{summary}");
            Ok(())
        }
        Command::Restore { file } => {
            let user = cli.user.as_deref().ok_or_else(|| {
                anyhow!("Indiquez le compte qui détient les clés avec --user IDENTIFIANT (mot de passe dans DAFTAR_PASSWORD).")
            })?;
            let password = password_from("DAFTAR_PASSWORD", &format!("Mot de passe de {user} : "))?;
            let report = crate::app::restore(&db, &file, user, &password)?;
            println!("Sauvegarde de {} du {} restaurée dans {}.", report.site, report.made_at, db.display());
            if let Some(kept) = &report.replaced {
                println!("L'ancienne base est gardée : {}", kept.display());
            }
            if report.has_parent {
                println!(
                    "Ce site dépend d'une délégation : faites « daftar resync request » pour retrouver ce qui a suivi la sauvegarde."
                );
            }
            Ok(())
        }
        Command::VerifyCertificate { payload } => {
            let core = Core::open(&db, false)?;
            let payload = if payload == "-" { std::io::read_to_string(std::io::stdin())? } else { payload };
            let verdict = core.verify_certificate(&payload)?;
            println!("{verdict}");
            // Anything but an authentic certificate is a failure for scripts.
            if !matches!(verdict, Verdict::Authentic { .. }) {
                bail!("attestation non valable");
            }
            Ok(())
        }
        command => {
            let mut core = Core::open(&db, false)?;
            let session = login(&mut core, cli.user.as_deref())?;
            run_as_user(&mut core, &session, command)
        }
    }
}

fn login(core: &mut Core, user: Option<&str>) -> anyhow::Result<Session> {
    let user = user.ok_or_else(|| {
        anyhow!("Indiquez le compte qui agit avec --user IDENTIFIANT (mot de passe dans DAFTAR_PASSWORD).")
    })?;
    let password = password_from("DAFTAR_PASSWORD", &format!("Mot de passe de {user} : "))?;
    Ok(core.login(user, &password)?)
}

/// Imports every file; the exit code says the worst that happened (2 refused, 3 set aside).
fn import(core: &mut Core, session: &Session, paths: &[std::path::PathBuf]) -> anyhow::Result<()> {
    let mut worst = 0u8;
    for line in core.import_paths(session, paths)? {
        match line.result {
            Ok(outcome @ ImportOutcome::SetAside { .. }) => {
                println!("{} : {outcome}", line.file);
                if worst != 2 {
                    worst = 3;
                }
            }
            Ok(outcome) => println!("{} : {outcome}", line.file),
            Err(e) => {
                eprintln!("{} : {e}", line.file);
                worst = 2;
            }
        }
    }
    if worst == 0 { Ok(()) } else { Err(super::Exit(worst).into()) }
}

fn refuse_existing(path: &std::path::Path) -> anyhow::Result<()> {
    if path.exists() {
        bail!("{} existe déjà : choisissez un autre nom de fichier.", path.display());
    }
    Ok(())
}

/// Writes a new file, refusing to replace one.
pub(super) fn write_new(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    save_new(path, bytes)
        .with_context(|| format!("Impossible d'écrire {} (un fichier de ce nom existe-t-il déjà ?)", path.display()))
}

fn certificate(core: &mut Core, session: &Session, cmd: CertificateCommand) -> anyhow::Result<()> {
    match cmd {
        CertificateCommand::Issue { dossier, cin, from_file, out } => {
            let mut subjects: Vec<CertificateSubject> = dossier
                .into_iter()
                .map(CertificateSubject::Dossier)
                .chain(cin.into_iter().map(CertificateSubject::Applicant))
                .collect();
            if let Some(list) = from_file {
                subjects.extend(subjects_in(&list)?);
            }
            if subjects.is_empty() {
                bail!("Indiquez --dossier NUMÉRO, --cin CIN ou --from-file LISTE.");
            }
            // Checked before the register records anything.
            refuse_existing(&out)?;
            let (rows, pdf) = core.issue_certificates(session, &subjects)?;
            write_new(&out, &pdf)?;
            match rows.as_slice() {
                [one] => println!("Attestation {} délivrée : {}", one.value.number, out.display()),
                many => println!(
                    "{} attestations délivrées ({} à {}) : {}",
                    many.len(),
                    many.first().map_or("", |r| r.value.number.as_str()),
                    many.last().map_or("", |r| r.value.number.as_str()),
                    out.display()
                ),
            }
        }
        CertificateCommand::Reprint { number, out } => {
            // Checked before the register records anything.
            refuse_existing(&out)?;
            let pdf = core.reprint_certificate(session, &number)?;
            write_new(&out, &pdf)?;
            println!("{}", out.display());
        }
        CertificateCommand::Revoke { number, reason } => {
            core.revoke_certificate(session, &number, &reason)?;
            println!("Attestation {} révoquée.", number.trim().to_uppercase());
        }
        CertificateCommand::Show { number } => {
            let row = core.certificate(session, &number)?;
            let mut out = std::io::stdout().lock();
            print::certificates(&mut out, std::slice::from_ref(&row))?;
            writeln!(out, "Empreinte : {}", row.value.content_hash)?;
            writeln!(out, "Code QR : {}", row.value.payload)?;
        }
        CertificateCommand::List => {
            print::certificates(&mut std::io::stdout().lock(), &core.certificates(session, usize::MAX)?)?;
        }
    }
    Ok(())
}

fn today(core: &Core) -> NaiveDate {
    core.clock().today()
}

fn date_or_today(core: &Core, raw: Option<&str>) -> anyhow::Result<NaiveDate> {
    raw.map_or(Ok(today(core)), |raw| parse_date_fr(raw).map_err(|e| anyhow!(e)))
}

fn parse_id(raw: &str, what: &str) -> anyhow::Result<Uuid> {
    Uuid::parse_str(raw.trim())
        .map_err(|_| anyhow!("« {} » n'est pas un identifiant de {what} (forme 0193…-…).", raw.trim()))
}

/// An applicant given by id or by CIN.
fn applicant_id(core: &Core, who: &str) -> anyhow::Result<Uuid> {
    if let Ok(id) = Uuid::parse_str(who.trim()) {
        return Ok(id);
    }
    let cin = crate::domain::codes::Cin::parse(who).map_err(|e| anyhow!(e))?.cin;
    let found = crate::store::search::applicants_with_cin(core.store().conn(), cin.as_str())?;
    match found.as_slice() {
        [one] => Ok(one.meta.id),
        [] => bail!("Aucun bénéficiaire avec la CIN {cin}."),
        many => bail!(
            "{} bénéficiaires ont la CIN {cin} : indiquez l'identifiant ({}).",
            many.len(),
            many.iter().map(|r| r.meta.id.to_string()).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn set(target: &mut String, value: Option<String>) {
    if let Some(value) = value {
        *target = value;
    }
}

fn fill_applicant(draft: &mut ApplicantDraft, f: ApplicantFields) {
    set(&mut draft.cin, f.cin);
    set(&mut draft.last_name, f.last_name);
    set(&mut draft.first_name, f.first_name);
    set(&mut draft.last_name_ar, f.last_name_ar);
    set(&mut draft.first_name_ar, f.first_name_ar);
    set(&mut draft.sex, f.sex);
    set(&mut draft.birth_date, f.birth_date);
    set(&mut draft.relationship, f.relationship);
    set(&mut draft.phone, f.phone);
    set(&mut draft.address, f.address);
    set(&mut draft.commune, f.commune);
    set(&mut draft.province_code, f.province);
    set(&mut draft.amo_regime, f.amo_regime);
    set(&mut draft.amo_number, f.amo_number);
    set(&mut draft.amo_checked_on, f.amo_checked);
}

fn fill_project(draft: &mut ProjectDraft, f: &ProjectFields) {
    set(&mut draft.kind, f.kind.clone());
    set(&mut draft.name, f.name.clone());
    set(&mut draft.sector, f.sector.clone());
    set(&mut draft.commune, f.commune.clone());
    set(&mut draft.province_code, f.province.clone());
    set(&mut draft.created_on, f.created.clone());
    set(&mut draft.ice, f.ice.clone());
    set(&mut draft.rc_court, f.rc_court.clone());
    set(&mut draft.rc_number, f.rc_number.clone());
    set(&mut draft.odco_number, f.odco.clone());
    set(&mut draft.association_receipt, f.receipt.clone());
    set(&mut draft.jobs_total, f.jobs.clone());
    set(&mut draft.jobs_family, f.jobs_family.clone());
}

fn members(core: &Core, raw: &[String]) -> anyhow::Result<Vec<Member>> {
    raw.iter()
        .map(|m| {
            let (who, role) = m.split_once(':').unwrap_or((m, "membre"));
            Ok(Member { applicant_id: applicant_id(core, who)?, role: role.trim().to_owned() })
        })
        .collect()
}

fn money(raw: &str) -> anyhow::Result<Money> {
    Money::parse_fr(raw).map_err(|e| anyhow!(e))
}

fn run_as_user(core: &mut Core, session: &Session, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Check => {
            let report = core.check(session)?;
            print::check(&mut std::io::stdout().lock(), &report)?;
            if !report.is_sound() {
                bail!(
                    "la base présente des anomalies (voir ci-dessus) : ne la modifiez plus et restaurez la dernière sauvegarde saine."
                );
            }
            if !report.text.is_empty() {
                bail!(
                    "des textes sont à corriger (voir ci-dessus) : le prochain export les refusera tant qu'ils restent."
                );
            }
        }
        Command::Stats => print::stats(&mut std::io::stdout().lock(), &core.stats(session)?)?,
        Command::User(cmd) => user(core, session, cmd)?,
        Command::Applicant(cmd) => applicant(core, session, cmd)?,
        Command::Project(cmd) => project(core, session, cmd)?,
        Command::Dossier(cmd) => dossier(core, session, cmd)?,
        Command::Session(cmd) => super::session::run(core, session, cmd)?,
        Command::Funding(cmd) => funding(core, session, cmd)?,
        Command::Visit(VisitCommand::Add { project, on, jobs, jobs_family, inactive, observations }) => {
            let project_id = parse_id(&project, "projet")?;
            let visit = Visit::validate(project_id, &on, &jobs, &jobs_family, !inactive, &observations, today(core))?;
            let id = core.add_visit(session, &visit)?;
            println!("Visite enregistrée : {id}");
        }
        Command::Programme(cmd) => programme(core, session, cmd)?,
        Command::Checklist(cmd) => checklist(core, session, cmd)?,
        Command::Certificate(cmd) => certificate(core, session, cmd)?,
        Command::Backup { to } => println!("{}", core.backup(session, &to)?.display()),
        Command::Identity(IdentityCommand::Export { out }) => {
            let identity = core.identity_file(session)?;
            refuse_existing(&out)?;
            write_new(&out, &serde_json::to_vec_pretty(&identity)?)?;
            println!("{}", identity.keys.fingerprint());
        }
        Command::Identity(IdentityCommand::Rotate) => {
            let password = password_from("DAFTAR_PASSWORD", &format!("Mot de passe de {} : ", session.login))?;
            let fingerprint = core.rotate_keys(session, &password)?;
            println!("{fingerprint}");
            eprintln!(
                "Nouvelles clés du site. Le prochain paquet les annonce à la délégation. Les autres comptes qui détiennent les clés \
                 les recevront quand l'administrateur réinitialisera leur mot de passe."
            );
        }
        Command::Identity(IdentityCommand::ExportSecret { out }) => {
            refuse_existing(&out)?;
            let secret = core.age_secret(session)?;
            write_new(
                &out,
                format!("# Clé secrète de {} — ne pas diffuser\n{secret}\n", core.site()?.code).as_bytes(),
            )?;
            eprintln!(
                "ATTENTION : {} ouvre tous les paquets et sauvegardes adressés à ce site. Conservez-le hors ligne, sous clé.",
                out.display()
            );
            println!("{}", out.display());
        }
        Command::Enroll { file, fingerprint } => {
            let peer = core.enroll_from_file(session, &file, &fingerprint)?;
            let what = match peer.relation {
                Relation::Parent => "délégation de rattachement",
                _ => "site supervisé",
            };
            println!("{} ({}) enrôlé : {what}.", peer.code, peer.name);
        }
        Command::RevokeSite { code, reason } => {
            core.revoke_site(session, &code.trim().to_uppercase(), &reason)?;
            println!("Clé de {} révoquée.", code.trim().to_uppercase());
        }
        Command::Export { to, bordereau } => {
            if let Some(slip) = &bordereau {
                refuse_existing(slip)?;
            }
            let slip = bordereau.as_deref().map_or(SlipTo::None, SlipTo::File);
            match core.export_for_parent(session, &to, slip)? {
                Some(done) => {
                    for file in done.report.files() {
                        println!("{}", file.display());
                    }
                    // After each export, a backup stays at the office (the stick may be lost).
                    if let Err(e) = core.auto_backup(session, true) {
                        eprintln!("Attention : la sauvegarde automatique a échoué ({e}).");
                    }
                    if let Some(slip) = &done.slip {
                        eprintln!("Bordereau de transmission : {}", slip.display());
                    }
                }
                None => eprintln!("Rien à envoyer : la délégation a accusé réception de toutes les modifications."),
            }
        }
        Command::Reply { office, to } => {
            for file in core.export_reply(session, &office, &to)?.files() {
                println!("{}", file.display());
            }
        }
        Command::Import { files } => return import(core, session, &files),
        Command::Resync(ResyncCommand::Request { to }) => {
            for file in core.request_resync(session, &to)?.files() {
                println!("{}", file.display());
            }
            eprintln!("Portez ce paquet à la délégation : sa prochaine réponse rétablira les données du site.");
        }
        Command::ResolveConflict { id, appliquer, note } => {
            core.resolve_conflict(session, id, appliquer, &note)?;
            println!("Conflit n° {id} {}.", if appliquer { "appliqué" } else { "écarté" });
        }
        Command::Transfer { cin, to, reason } => {
            let id = core.applicant_id_by_cin(session, &cin)?;
            let transfer = core.transfer_applicant(session, id, &to, &reason)?;
            println!(
                "Bénéficiaire {} transféré de {} à {} ({} enregistrements).",
                cin.trim().to_uppercase(),
                transfer.from_office,
                transfer.to_office,
                transfer.rows.len()
            );
            eprintln!("Les deux bureaux l'apprendront dans leur prochaine réponse (daftar reply).");
        }
        Command::Duplicates => {
            let pairs = core.duplicates_across_offices(session)?;
            let mut out = std::io::stdout().lock();
            for pair in &pairs {
                print::cross_office_pair(&mut out, pair)?;
            }
            eprintln!(
                "{} paire(s) à examiner (daftar review-duplicate PREMIER SECOND --verdict … --note …).",
                pairs.len()
            );
        }
        Command::ReviewDuplicate { first, second, verdict, note } => {
            let verdict = match verdict.trim() {
                "meme-personne" => ReviewVerdict::SamePerson,
                "distinctes" => ReviewVerdict::Distinct,
                other => bail!("« {other} » n'est pas un verdict : meme-personne ou distinctes."),
            };
            core.review_duplicate(session, first, second, verdict, &note)?;
            println!("Examen enregistré : {}.", verdict.label_fr());
        }
        Command::SyncStatus { conflits: false, .. } => {
            print::sync_status(&mut std::io::stdout().lock(), &core.sync_status(session)?)?;
        }
        Command::SyncStatus { conflits: true, site, table, page } => {
            let filter = crate::app::ConflictFilter {
                site: site.map(|s| s.trim().to_uppercase()),
                table,
                page: page.saturating_sub(1),
            };
            print::conflicts(&mut std::io::stdout().lock(), &core.conflicts(session, &filter)?)?;
        }
        Command::Report(ReportCommand::Annuel { year, format, out }) => {
            let format = BilanFormat::parse(&format).map_err(|e| anyhow!(e))?;
            refuse_existing(&out)?;
            write_new(&out, &core.annual_report_file(session, year, format)?)?;
            println!("{}", out.display());
        }
        Command::Report(ReportCommand::Bilan { year, from, to, by, format, out }) => {
            let format = BilanFormat::parse(&format).map_err(|e| anyhow!(e))?;
            let by = by.as_deref().map(Breakdown::parse).transpose().map_err(|e| anyhow!(e))?;
            let (from, to) = match (year, from, to) {
                (Some(year), _, _) => {
                    let day =
                        |m, d| NaiveDate::from_ymd_opt(year, m, d).ok_or_else(|| anyhow!("Année {year} invalide."));
                    (day(1, 1)?, day(12, 31)?)
                }
                (None, Some(from), Some(to)) => {
                    (parse_date_fr(&from).map_err(|e| anyhow!(e))?, parse_date_fr(&to).map_err(|e| anyhow!(e))?)
                }
                _ => bail!("Indiquez --year ANNÉE, ou --from et --to."),
            };
            refuse_existing(&out)?;
            write_new(&out, &core.bilan_file(session, from, to, by, format)?)?;
            println!("{}", out.display());
            if let Some(closed) = core.closing_of_period(session, from, to)? {
                print::closed_year(&mut std::io::stderr().lock(), &closed)?;
            }
        }
        Command::Settings(SettingsCommand::Retention { years: Some(years) }) => {
            core.set_retention_years(session, years)?;
            println!("Durée de conservation : {years} an(s) après la clôture des dossiers.");
        }
        Command::Settings(SettingsCommand::Delais { sites_silencieux, visite, remise, reponse, sauvegarde }) => {
            let mut thresholds = core.today_thresholds()?;
            let typed = [sites_silencieux, visite, remise, reponse, sauvegarde];
            if typed.iter().any(Option::is_some) {
                for ((_, days), value) in thresholds.fields_mut().into_iter().zip(typed) {
                    if let Some(value) = value {
                        *days = value;
                    }
                }
                core.set_today_thresholds(session, thresholds)?;
            }
            for (label, days) in thresholds.fields_mut() {
                println!("{label} : {days}");
            }
        }
        Command::Settings(SettingsCommand::Retention { years: None }) => {
            println!("Durée de conservation : {} an(s) après la clôture des dossiers.", core.retention_years()?);
        }
        Command::Retention(RetentionCommand::Plan { pdf }) => {
            print::retention_plan(&mut std::io::stdout().lock(), &core.retention_plan(session)?)?;
            if let Some(path) = pdf {
                write_new(&path, &core.retention_report_pdf(session)?)?;
                println!("{}", path.display());
            }
        }
        Command::Retention(RetentionCommand::Apply { confirm }) => {
            let plan = core.retention_plan(session)?;
            print::retention_plan(&mut std::io::stdout().lock(), &plan)?;
            if !confirm {
                println!("Rien n'a été modifié : relancez avec --confirm pour anonymiser (irréversible).");
            } else if !plan.is_empty() {
                println!("{}", core.apply_retention(session, &plan)?.summary_fr());
            }
        }
        Command::Settings(SettingsCommand::Cndp { number }) => match core.set_cndp_number(session, &number)? {
            Some(number) => println!("Déclaration CNDP n° {number} : elle figurera au pied des documents."),
            None => println!("Numéro de déclaration CNDP effacé."),
        },
        Command::Report(ReportCommand::CloseYear { year }) => {
            let closed = core.close_year(session, year)?;
            println!("Année {year} clôturée : chiffres gelés et signés (SHA-256 {}).", closed.sha256);
        }
        Command::Report(ReportCommand::Ecarts { year }) => match core.closed_year(session, year)? {
            Some(closed) => {
                print::closed_year(&mut std::io::stdout().lock(), &closed)?;
                if !closed.authentic || !closed.differences.is_empty() {
                    return Err(super::Exit(3).into());
                }
            }
            None => bail!("L'année {year} n'est pas clôturée (daftar report close-year --year {year})."),
        },
        Command::Todo { format } => {
            let items = core.today(session)?;
            match format {
                TodoFormat::Json => println!("{}", serde_json::to_string_pretty(&items)?),
                TodoFormat::Texte if items.is_empty() => println!("Rien n'attend aujourd'hui."),
                TodoFormat::Texte => items.iter().for_each(|item| println!("{}", item.line())),
            }
        }
        Command::Document { kind, dossier, cin: _, out, session: Some(reference) } => {
            let document = match kind {
                DocumentKind::Notification if dossier.is_empty() => Document::SessionNotices(reference),
                _ => bail!(
                    "--session s'emploie avec « notification », sans --dossier : les notifications de la session."
                ),
            };
            write_new(&out, &core.document_pdf(session, &document)?)?;
            println!("{}", out.display());
        }
        Command::Document { kind, dossier, cin, out, session: None } => {
            let number = || match dossier.as_slice() {
                [one] => Ok(one.clone()),
                [] => Err(anyhow!("Indiquez le dossier : --dossier NUMÉRO.")),
                _ => Err(anyhow!("Ce document porte sur un seul dossier : un seul --dossier.")),
            };
            let document = match kind {
                DocumentKind::Recepisse if dossier.len() > 1 => Document::Receipts(dossier),
                DocumentKind::Notification if dossier.len() > 1 => Document::DecisionNotices(dossier),
                DocumentKind::Recepisse => Document::Receipt(number()?),
                DocumentKind::Fiche => Document::Sheet(number()?),
                DocumentKind::Notification => Document::DecisionNotice(number()?),
                DocumentKind::Commission => Document::CommissionList,
                DocumentKind::Releve => {
                    Document::DataStatement(cin.ok_or_else(|| anyhow!("Indiquez la personne : --cin CIN."))?)
                }
            };
            write_new(&out, &core.document_pdf(session, &document)?)?;
            println!("{}", out.display());
        }
        Command::ImportCsv { kind: CsvKind::Decisions, file, sheet, session: reference, overrun } => {
            let reference = reference.ok_or_else(|| {
                anyhow!("Indiquez la session : --session RÉFÉRENCE-DU-PV (daftar session list ; daftar session open pour en ouvrir une).")
            })?;
            super::session::record(core, session, &reference, &file, sheet.as_deref(), overrun.as_deref())?;
        }
        Command::ImportCsv { kind, file, sheet, session: _, overrun: _ } => {
            let target = match kind {
                CsvKind::Applicants => CsvTarget::Applicants,
                CsvKind::Projects => CsvTarget::Projects,
                CsvKind::Dossiers => CsvTarget::Dossiers,
                CsvKind::Funding => CsvTarget::Funding,
                CsvKind::History => CsvTarget::History,
                CsvKind::Decisions => unreachable!("recorded in their session above"),
            };
            let count = core.import_csv_file(session, target, &file, sheet.as_deref())?;
            println!("{count} ligne(s) importée(s) depuis {}.", file.display());
        }
        Command::Init(_)
        | Command::Demo(_)
        | Command::Provinces
        | Command::CrashReportTest
        | Command::VerifyCertificate { .. }
        | Command::Restore { .. } => {
            unreachable!("handled before login")
        }
    }
    Ok(())
}

fn user(core: &mut Core, session: &Session, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add { login, role, name } => {
            let role = Role::parse(&role).map_err(|e| anyhow!(e))?;
            // Refused before a password is asked for nothing.
            session.require(crate::domain::role::Action::ManageUsers).map_err(AppError::from)?;
            let password = password_from("DAFTAR_NEW_PASSWORD", &format!("Mot de passe du nouveau compte {login} : "))?;
            core.add_user(session, &login, name.as_deref().unwrap_or(""), role, &password)?;
            let keys = if core.holds_keys(&login)? { " ; il détient les clés du site" } else { "" };
            println!("Compte « {} » créé ({}){keys}.", login.trim().to_lowercase(), role.label_fr());
        }
        UserCommand::Passwd { login } => {
            let login = login.unwrap_or_else(|| session.login.clone());
            let new_password = password_from("DAFTAR_NEW_PASSWORD", "Nouveau mot de passe : ")?;
            let old = std::env::var("DAFTAR_PASSWORD").ok();
            core.change_password(session, &login, old.as_deref(), &new_password)?;
            println!("Mot de passe de « {login} » changé.");
        }
        UserCommand::Disable { login } => {
            core.disable_user(session, &login)?;
            println!("Compte « {login} » désactivé.");
        }
        UserCommand::List => print::users(&mut std::io::stdout().lock(), &core.users(session)?)?,
    }
    Ok(())
}

fn applicant(core: &mut Core, session: &Session, cmd: ApplicantCommand) -> anyhow::Result<()> {
    match cmd {
        ApplicantCommand::Add { fields, card, card_holder, card_holder_ar } => {
            let reason = fields.override_reason.clone();
            let mut draft = ApplicantDraft::default();
            fill_applicant(&mut draft, fields);
            let card = CardRef {
                card_number: card,
                holder_name: card_holder.unwrap_or_default(),
                holder_name_ar: card_holder_ar.unwrap_or_default(),
            };
            let saved = core.add_applicant(session, &draft, &card, reason.as_deref())?;
            for warning in &saved.warnings {
                eprintln!("Attention : {warning}");
            }
            println!("Bénéficiaire enregistré : {}", saved.id);
        }
        ApplicantCommand::Edit { who, fields } => {
            let id = applicant_id(core, &who)?;
            let current = core.applicant(session, id)?;
            let reason = fields.override_reason.clone();
            let mut draft = ApplicantDraft::from_applicant(&current.value);
            fill_applicant(&mut draft, fields);
            let saved = core.edit_applicant(session, id, &draft, reason.as_deref())?;
            for warning in &saved.warnings {
                eprintln!("Attention : {warning}");
            }
            println!("Bénéficiaire modifié : {id}");
        }
        ApplicantCommand::Delete { who, reason } => {
            let id = applicant_id(core, &who)?;
            core.delete(session, Table::Applicants, id, &reason)?;
            println!("Bénéficiaire supprimé : {id}");
        }
        ApplicantCommand::Show { who } => {
            let id = applicant_id(core, &who)?;
            print::applicant(&mut std::io::stdout().lock(), core, session, id)?;
        }
        ApplicantCommand::Search { query, office, page, page_size } => {
            let page_size = page_size.clamp(1, 500);
            let found =
                core.search_applicants_of(session, office.as_deref(), &query, page.saturating_sub(1), page_size)?;
            print::search(&mut std::io::stdout().lock(), &found, page)?;
        }
    }
    Ok(())
}

fn project(core: &mut Core, session: &Session, cmd: ProjectCommand) -> anyhow::Result<()> {
    match cmd {
        ProjectCommand::Add { fields } => {
            let promoter = fields
                .promoter
                .as_deref()
                .ok_or_else(|| anyhow!("Indiquez le porteur du projet avec --promoter (CIN ou identifiant)."))?;
            let promoter = applicant_id(core, promoter)?;
            let members = members(core, &fields.members)?;
            let mut draft = ProjectDraft::default();
            fill_project(&mut draft, &fields);
            let id = core.add_project(session, &draft, promoter, members)?;
            println!("Projet enregistré : {id}");
        }
        ProjectCommand::Edit { id, fields } => {
            let id = parse_id(&id, "projet")?;
            let current = core.project(session, id)?.value;
            let mut draft = ProjectDraft::from_project(&current);
            fill_project(&mut draft, &fields);
            let promoter = match &fields.promoter {
                Some(who) => applicant_id(core, who)?,
                None => current.promoter_id,
            };
            let members =
                if fields.members.is_empty() { current.members.clone() } else { members(core, &fields.members)? };
            core.edit_project(session, id, &draft, promoter, members)?;
            println!("Projet modifié : {id}");
        }
        ProjectCommand::Delete { id, reason } => {
            let id = parse_id(&id, "projet")?;
            core.delete(session, Table::Projects, id, &reason)?;
            println!("Projet supprimé : {id}");
        }
        ProjectCommand::Show { id } => {
            print::project(&mut std::io::stdout().lock(), core, session, parse_id(&id, "projet")?)?;
        }
        ProjectCommand::Search { query, page, page_size } => {
            let found = core.search_projects(session, &query, page.saturating_sub(1), page_size.clamp(1, 500))?;
            print::project_search(&mut std::io::stdout().lock(), &found, page)?;
        }
    }
    Ok(())
}

fn dossier(core: &mut Core, session: &Session, cmd: DossierCommand) -> anyhow::Result<()> {
    match cmd {
        DossierCommand::ReasonAdd { code, fr, ar, used_for } => {
            core.add_reason(session, &code, &fr, &ar, &used_for)?;
            println!("Motif « {} » ajouté à la liste de la commission.", code.trim().to_lowercase());
        }
        DossierCommand::Reasons => {
            for reason in &core.reasons()? {
                println!("{} ({}) — {} — {}", reason.code, reason.used_for, reason.label_fr, reason.label_ar);
            }
        }
        DossierCommand::List { status, year, office, kind, source, session: reference, format } => {
            let query = list_query(&status, year, office.as_deref(), kind.as_deref(), source.as_deref())?;
            // A session's dossiers: those it decided or put off.
            let only = match reference {
                Some(reference) => Some(
                    core.minutes(session, &reference)?
                        .lines
                        .into_iter()
                        .map(|l| l.number)
                        .collect::<std::collections::HashSet<_>>(),
                ),
                None => None,
            };
            list_dossiers(core, session, &query, only.as_ref(), format)?;
        }
        DossierCommand::Add { project, deposited, requested, documents } => {
            let project = parse_id(&project, "projet")?;
            let deposited = date_or_today(core, deposited.as_deref())?;
            let requested = requested.as_deref().map(money).transpose()?;
            let row = core.open_dossier(session, project, deposited, requested, &documents)?;
            println!("Dossier ouvert : {} ({})", row.value.number, row.meta.id);
        }
        DossierCommand::Edit { number, requested, deposited, documents, on, programme } => {
            let id = core.dossier_by_number(session, &number)?.meta.id;
            let requested = requested.as_deref().map(money).transpose()?;
            let deposited = deposited.as_deref().map(|d| parse_date_fr(d).map_err(|e| anyhow!(e))).transpose()?;
            let received_on = date_or_today(core, on.as_deref())?;
            core.edit_dossier(
                session,
                id,
                &DossierEdit { requested, deposited_on: deposited, documents, received_on, programme },
            )?;
            println!("Dossier {} modifié.", number.trim().to_uppercase());
        }
        DossierCommand::Move { number, to, on, reason, grants, commission_ref } => {
            let row = core.dossier_by_number(session, &number)?;
            let to = Status::parse(&to).map_err(|e| anyhow!(e))?;
            let on = date_or_today(core, on.as_deref())?;
            let grants = grants.iter().map(|g| parse_grant(g)).collect::<anyhow::Result<Vec<_>>>()?;
            core.move_dossier(
                session,
                row.meta.id,
                Move::to(to, on).because_opt(reason.as_deref()).granting(&grants, commission_ref.as_deref()),
            )?;
            println!("Dossier {} : {} → {}", row.value.number, row.value.status.label_fr(), to.label_fr());
        }
        DossierCommand::Show { number } => {
            let row = core.dossier_by_number(session, &number)?;
            print::dossier(&mut std::io::stdout().lock(), &core.dossier_view(session, row.meta.id)?)?;
        }
    }
    Ok(())
}

fn parse_grant(raw: &str) -> anyhow::Result<Grant> {
    let (source, amount) = raw
        .rsplit_once('=')
        .ok_or_else(|| anyhow!("« {raw} » : écrivez SOURCE=MONTANT, par exemple hcar=50000 ou indh:CPDH-12=20000."))?;
    Ok(Grant { source: FundingSource::parse(source).map_err(|e| anyhow!(e))?, amount: money(amount)? })
}

fn funding(core: &mut Core, session: &Session, cmd: FundingCommand) -> anyhow::Result<()> {
    match cmd {
        FundingCommand::Add { number, source, amount, year, decision_ref } => {
            let row = core.dossier_by_number(session, &number)?;
            let source = FundingSource::parse(&source).map_err(|e| anyhow!(e))?;
            let year = year.unwrap_or_else(|| today(core).year());
            let id = core.add_funding(session, row.meta.id, source, money(&amount)?, year, decision_ref.as_deref())?;
            println!("Ligne de financement ajoutée : {id}");
        }
        FundingCommand::Disburse { line, amount, on, reference } => {
            let line = parse_id(&line, "ligne de financement")?;
            let on = date_or_today(core, on.as_deref())?;
            let id = core.disburse(session, line, money(&amount)?, on, &reference)?;
            println!("Décaissement enregistré : {id}");
        }
    }
    Ok(())
}

fn checklist(core: &mut Core, session: &Session, cmd: ChecklistCommand) -> anyhow::Result<()> {
    match cmd {
        ChecklistCommand::Show { kind } => {
            let kind = ProjectKind::parse(&kind).map_err(|e| anyhow!(e))?;
            print::checklist(&mut std::io::stdout().lock(), kind, &core.checklist_of(session, kind)?)?;
        }
        ChecklistCommand::Set { kind, file } => {
            let kind = ProjectKind::parse(&kind).map_err(|e| anyhow!(e))?;
            let bytes = std::fs::read(&file).with_context(|| format!("Lecture de {} impossible", file.display()))?;
            let items =
                checklist_items(kind, &bytes).map_err(|e| anyhow!("{} : {e} Rien n'a été publié.", file.display()))?;
            let meta = core.save_checklist(session, kind, items)?;
            println!("Liste des pièces « {} » publiée (version {}).", kind.label_fr(), meta.version);
            eprintln!("Elle s'applique ici et parviendra aux bureaux dans leur prochaine réponse (daftar reply).");
        }
    }
    Ok(())
}

/// Reads `code;libelle_fr;libelle_ar;obligatoire` lines (header first, UTF-8, BOM tolerated).
fn checklist_items(kind: ProjectKind, bytes: &[u8]) -> Result<Vec<ChecklistItem>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "le fichier n'est pas en UTF-8.".to_owned())?;
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b';').from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("en-tête illisible ({e})."))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if header != ["code", "libelle_fr", "libelle_ar", "obligatoire"] {
        return Err("l'en-tête doit être code;libelle_fr;libelle_ar;obligatoire.".into());
    }
    let mut items = Vec::new();
    for (i, line) in reader.records().enumerate() {
        let line = line.map_err(|e| format!("ligne {} illisible ({e}).", i + 2))?;
        let required = match line.get(3).map(|v| v.trim().to_lowercase()).as_deref() {
            Some("oui") => true,
            Some("non") => false,
            _ => return Err(format!("ligne {} : obligatoire vaut oui ou non.", i + 2)),
        };
        let field = |n: usize| line.get(n).unwrap_or_default().trim().to_owned();
        items.push(ChecklistItem { code: field(0), kind, label_fr: field(1), label_ar: field(2), required });
    }
    Ok(items)
}

fn programme(core: &mut Core, session: &Session, cmd: ProgrammeCommand) -> anyhow::Result<()> {
    match cmd {
        ProgrammeCommand::Add { code, name, name_ar, source, year, envelope, target } => {
            let mut programme = Programme::validate(&code, &name, &name_ar, &source)?;
            match (year, envelope) {
                (Some(year), Some(amount)) => {
                    programme.set_envelope(Envelope { year, amount: money(&amount)?, target_projects: target });
                }
                (None, None) => {}
                _ => bail!("Une enveloppe s'indique avec --year et --envelope ensemble."),
            }
            core.save_programme(session, &programme)?;
            println!("Programme {} enregistré.", programme.code);
        }
        ProgrammeCommand::List => print::programmes(&mut std::io::stdout().lock(), &core.programmes(session)?)?,
    }
    Ok(())
}

/// The subjects listed in `path`: a dossier number (`…-2026-00042`) or a CIN per line, blank
/// lines and `# …` comments aside.
fn subjects_in(path: &std::path::Path) -> Result<Vec<CertificateSubject>, AppError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        AppError::Rule(format!("La liste {} ne se lit pas : {}.", path.display(), crate::app::io_message(&e)))
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            // A dossier number has its office, year and sequence between dashes; a CIN has none.
            if line.matches('-').count() >= 2 {
                CertificateSubject::Dossier(line.to_owned())
            } else {
                CertificateSubject::Applicant(line.to_owned())
            }
        })
        .collect())
}

/// The filters of `daftar dossier list`, checked.
fn list_query(
    status: &[String],
    year: Option<i32>,
    office: Option<&str>,
    kind: Option<&str>,
    source: Option<&str>,
) -> anyhow::Result<crate::app::WorklistQuery> {
    let statuses =
        status.iter().map(|s| Status::parse(s.trim())).collect::<Result<Vec<_>, _>>().map_err(|e| anyhow!("{e}"))?;
    let kind = kind.map(ProjectKind::parse).transpose().map_err(|e| anyhow!("{e}"))?;
    let source = match source.map(str::trim) {
        Some(s @ ("hcar" | "indh" | "convention" | "autre")) => Some(s.to_owned()),
        Some(other) => bail!("Source « {other} » inconnue : hcar, indh, convention ou autre."),
        None => None,
    };
    Ok(crate::app::WorklistQuery {
        statuses,
        year,
        kind,
        source,
        office: office.map(|o| o.trim().to_uppercase()),
        ..crate::app::WorklistQuery::default()
    })
}

/// `daftar dossier list`: every dossier `query` keeps, written as it is read.
fn list_dossiers(
    core: &Core,
    session: &Session,
    query: &crate::app::WorklistQuery,
    only: Option<&std::collections::HashSet<String>>,
    format: ListFormat,
) -> anyhow::Result<()> {
    use std::io::Write as _;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut count = 0u64;
    let io = |e: std::io::Error| crate::store::StoreError::Corrupt { table: "sortie", message: e.to_string() };
    let amount_text = |a: Option<Money>| a.map(|m| m.to_string()).unwrap_or_default();
    let exact = |a: Option<Money>| {
        a.map(|m| {
            let c = m.centimes();
            format!("{}.{:02}", c / 100, c % 100)
        })
    };
    match format {
        ListFormat::Csv => {
            out.write_all("\u{feff}numero;bureau;statut;type;depot;montant;cin;nom;nom_arabe;projet\r\n".as_bytes())?;
        }
        ListFormat::Json => out.write_all(b"[")?,
        ListFormat::Texte => {}
    }
    core.each_dossier_line(session, query, &mut |line| {
        if only.is_some_and(|numbers| !numbers.contains(&line.number)) {
            return Ok(());
        }
        let deposited = line.deposited_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default();
        match format {
            ListFormat::Texte => writeln!(
                out,
                "{}  {}  {}  {}  {}  {} ({})  {}",
                line.number,
                line.status.label_fr(),
                line.kind.label_fr(),
                deposited,
                amount_text(line.amount),
                line.name,
                line.cin,
                line.project
            ),
            ListFormat::Csv => {
                let cells = [
                    line.number.clone(),
                    line.owner.clone(),
                    line.status.code().to_owned(),
                    line.kind.code().to_owned(),
                    deposited,
                    exact(line.amount).map(|a| a.replace('.', ",")).unwrap_or_default(),
                    line.cin.clone(),
                    line.name.clone(),
                    line.name_ar.clone(),
                    line.project.clone(),
                ];
                write!(out, "{}", print::csv_line(&cells))
            }
            ListFormat::Json => {
                let item = serde_json::json!({
                    "numero": line.number, "bureau": line.owner, "statut": line.status.code(), "type": line.kind.code(),
                    "depot": line.deposited_on.map(|d| d.to_string()), "montant": exact(line.amount),
                    "cin": line.cin, "nom": line.name, "nom_arabe": line.name_ar, "projet": line.project,
                });
                write!(out, "{}\n  {item}", if count == 0 { "" } else { "," })
            }
        }
        .map_err(io)?;
        count += 1;
        Ok(())
    })?;
    match format {
        ListFormat::Json => out.write_all(if count == 0 { b"]\n" } else { b"\n]\n" })?,
        ListFormat::Texte => writeln!(out, "{count} dossier(s).")?,
        ListFormat::Csv => {}
    }
    out.flush()?;
    Ok(())
}
