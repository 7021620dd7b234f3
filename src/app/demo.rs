//! Realistic synthetic data: `daftar demo`.
//!
//! On a new file it sets up a standalone demo office with one account per role existing at an
//! office; on a set-up site it adds data owned by that site only. Names are Moroccan, in both
//! scripts, with near-duplicates (spelling variants, same birth date) as real registers have;
//! CINs are drawn per site so that two offices' demo data do not collide. Every row goes
//! through the store's real write path (outbox, audit chain, search index).

use std::fmt;

use chrono::{Datelike as _, Duration, NaiveDate};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::{AppError, Core, IdMaker, InstallSetup, Session};
use crate::clock::SeededEntropy;
use crate::domain::Money;
use crate::domain::applicant::{AmoCover, AmoRegime, Applicant, CardHolder, ConsentPurpose, Relationship, Sex};
use crate::domain::codes::{Cin, DossierNumber, Ice, Phone, Rc};
use crate::domain::dossier::{Dossier, ReceivedDocument, Status, Transition};
use crate::domain::funding::{Decision, Disbursement, Envelope, FundingLine, FundingSource, Grant, Programme};
use crate::domain::project::{Jobs, Member, Project, ProjectKind};
use crate::domain::role::{Action, Role};
use crate::domain::visit::Visit;
use crate::store::records::{Writer, find};
use crate::store::reference::checklist;
use crate::store::site::next_counter;

/// A demo account, printed for newcomers.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Login.
    pub login: &'static str,
    /// Password.
    pub password: &'static str,
    /// Role.
    pub role: Role,
}

/// The demo office's accounts (also in the README).
pub const DEMO_ACCOUNTS: [DemoAccount; 3] = [
    DemoAccount { login: "admin", password: "admin-demo-2026", role: Role::Administrator },
    DemoAccount { login: "chef", password: "chef-demo-2026", role: Role::HeadOfOffice },
    DemoAccount { login: "agent", password: "agent-demo-2026", role: Role::Clerk },
];

/// Sets up the standalone demo office `BL-DEMO` and its accounts; returns the administrator's
/// session and the accounts.
pub fn create_demo_site(core: &mut Core) -> Result<(Session, Vec<DemoAccount>), AppError> {
    let admin = &DEMO_ACCOUNTS[0];
    let session = core.init(&InstallSetup {
        code: "BL-DEMO".into(),
        name: "Bureau local de démonstration (Tiznit)".into(),
        level: "bureau".into(),
        province: "581".into(),
        region: String::new(),
        admin_login: admin.login.into(),
        admin_name: "Administrateur de démonstration".into(),
        admin_password: admin.password.into(),
    })?;
    for account in &DEMO_ACCOUNTS[1..] {
        core.add_user(
            &session,
            account.login,
            &format!("Compte de démonstration ({})", account.role.label_fr()),
            account.role,
            account.password,
        )?;
    }
    Ok((session, DEMO_ACCOUNTS.to_vec()))
}

/// What [`populate`] created.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    /// Card holders.
    pub card_holders: u64,
    /// Applicants.
    pub applicants: u64,
    /// Of which near-duplicates of another (saved with a reason).
    pub near_duplicates: u64,
    /// Projects.
    pub projects: u64,
    /// Dossiers.
    pub dossiers: u64,
    /// Funding lines.
    pub funding_lines: u64,
    /// Disbursements.
    pub disbursements: u64,
    /// Visits.
    pub visits: u64,
    /// Certificates issued.
    pub certificates: u64,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Données de démonstration ajoutées : {} titulaires de carte, {} bénéficiaires (dont {} quasi-doublons), {} projets, {} dossiers, {} lignes de financement, {} décaissements, {} visites, {} attestations.",
            self.card_holders,
            self.applicants,
            self.near_duplicates,
            self.projects,
            self.dossiers,
            self.funding_lines,
            self.disbursements,
            self.visits,
            self.certificates
        )
    }
}

/// (Latin, Arabic, sex) given names, with spelling variants as registers have them.
const FIRST_NAMES: &[(&str, &str, Sex)] = &[
    ("Mohamed", "محمد", Sex::M),
    ("Mohammed", "محمد", Sex::M),
    ("Ahmed", "أحمد", Sex::M),
    ("Youssef", "يوسف", Sex::M),
    ("Hassan", "حسن", Sex::M),
    ("Lahcen", "لحسن", Sex::M),
    ("Brahim", "ابراهيم", Sex::M),
    ("Omar", "عمر", Sex::M),
    ("Abdellah", "عبد الله", Sex::M),
    ("Abderrahmane", "عبد الرحمن", Sex::M),
    ("Rachid", "رشيد", Sex::M),
    ("Said", "سعيد", Sex::M),
    ("Mustapha", "مصطفى", Sex::M),
    ("Khalid", "خالد", Sex::M),
    ("Hamid", "حميد", Sex::M),
    ("Abdelaziz", "عبد العزيز", Sex::M),
    ("Driss", "ادريس", Sex::M),
    ("Jamal", "جمال", Sex::M),
    ("Karim", "كريم", Sex::M),
    ("Yassine", "ياسين", Sex::M),
    ("Fatima", "فاطمة", Sex::F),
    ("Khadija", "خديجة", Sex::F),
    ("Aicha", "عائشة", Sex::F),
    ("Malika", "مليكة", Sex::F),
    ("Zineb", "زينب", Sex::F),
    ("Naima", "نعيمة", Sex::F),
    ("Hafsa", "حفصة", Sex::F),
    ("Meryem", "مريم", Sex::F),
    ("Samira", "سميرة", Sex::F),
    ("Latifa", "لطيفة", Sex::F),
    ("Saida", "سعيدة", Sex::F),
    ("Rkia", "رقية", Sex::F),
    ("Hanane", "حنان", Sex::F),
    ("Nadia", "نادية", Sex::F),
    ("Souad", "سعاد", Sex::F),
    ("Imane", "إيمان", Sex::F),
];

/// (Latin, Arabic) family names.
const LAST_NAMES: &[(&str, &str)] = &[
    ("El Alaoui", "العلوي"),
    ("Bennani", "بناني"),
    ("El Idrissi", "الإدريسي"),
    ("Tazi", "التازي"),
    ("Berrada", "برادة"),
    ("Benjelloun", "بنجلون"),
    ("El Amrani", "العمراني"),
    ("Ouali", "والي"),
    ("Amzil", "أمزيل"),
    ("Ait Lahcen", "آيت لحسن"),
    ("Boutaleb", "بوطالب"),
    ("El Fassi", "الفاسي"),
    ("Chraibi", "الشرايبي"),
    ("Lahlou", "لحلو"),
    ("Ouazzani", "الوزاني"),
    ("Bouzid", "بوزيد"),
    ("Ennaji", "الناجي"),
    ("Akhenouch", "أخنوش"),
    ("Id Brahim", "إد ابراهيم"),
    ("Oubaha", "أوباها"),
    ("Bakkali", "البقالي"),
    ("Zerouali", "الزروالي"),
    ("Haddaoui", "الحداوي"),
    ("Sbai", "السباعي"),
    ("Tahiri", "الطاهري"),
    ("Naciri", "الناصري"),
    ("Belghiti", "بلغيتي"),
    ("Kabbaj", "القباج"),
    ("Mansouri", "المنصوري"),
    ("Ouchen", "أوشن"),
];

/// Spelling variants a clerk may type for the same family name (near-duplicates).
const VARIANTS: &[(&str, &str)] = &[
    ("El Idrissi", "Lidrissi"),
    ("Bennani", "Benani"),
    ("El Alaoui", "Alaoui"),
    ("El Amrani", "Amrani"),
    ("Ouazzani", "Wazzani"),
    ("Mohamed", "Mhamed"),
    ("Mohammed", "Mohamad"),
    ("Youssef", "Youssouf"),
    ("Fatima", "Fatma"),
    ("Abdellah", "Abdallah"),
    ("Khadija", "Khadidja"),
    ("Hassan", "Hasan"),
    ("Aicha", "Aïcha"),
    ("Said", "Saïd"),
    ("Brahim", "Ibrahim"),
];

const SECTORS: &[&str] = &[
    "Agriculture",
    "Élevage",
    "Artisanat",
    "Commerce",
    "Services",
    "Transport",
    "Couture",
    "Boulangerie",
    "Menuiserie",
    "Apiculture",
];
const COMMUNES: &[&str] =
    &["Tiznit", "Aglou", "Tafraout", "Anzi", "Mirleft", "Arbaa Sahel", "Reggada", "Sidi Bouabdelli"];
const COURTS: &[&str] = &["Agadir", "Tiznit", "Inezgane"];

/// Adds `applicants` applicants and everything that goes with them, owned by the session's
/// site. At an office with a parent, dossiers stop at *transmis* (decisions are the parent's).
pub fn populate(core: &mut Core, session: &Session, applicants: u32, seed: u64) -> Result<DemoSummary, AppError> {
    // The demo writes everything an office does: only an account that may do it all adds it.
    for action in [
        Action::RegisterApplicant,
        Action::RegisterProject,
        Action::RegisterDossier,
        Action::TransmitDossier,
        Action::RecordVisit,
    ] {
        session.require(action)?;
    }
    if session.site.decides() {
        for action in [Action::RecordDecision, Action::RecordDisbursement, Action::CloseDossier] {
            session.require(action)?;
        }
    }
    let mut rng = SeededEntropy::new(seed ^ site_seed(session.site.code.as_str()));
    let today = core.clock.today();
    let decides = session.site.decides();
    let checklists: Vec<(ProjectKind, Vec<String>)> = ProjectKind::ALL
        .into_iter()
        .map(|kind| {
            Ok((kind, checklist(core.store.conn(), kind)?.into_iter().filter(|i| i.required).map(|i| i.code).collect()))
        })
        .collect::<Result<_, AppError>>()?;
    let programme_code = ensure_demo_programme(core, session, today)?;
    let cin_prefix = cin_prefix(session.site.code.as_str());
    let first_cin = cin_counter_start(core)?;
    let mut summary = DemoSummary::default();
    let site = session.site.code.clone();
    let home = session.site.province_code.clone().unwrap_or_else(|| "581".to_owned());
    let reference = crate::reference::Reference::shipped();
    let region = reference.province(&home).map(|p| p.region_code.clone());
    let provinces: Vec<String> = std::iter::once(home.clone())
        .chain(
            reference
                .provinces
                .iter()
                .filter(|p| Some(&p.region_code) == region.as_ref() && p.code != home)
                .map(|p| p.code.clone()),
        )
        .collect();
    const CHUNK: u32 = 20_000;
    let mut made = 0;
    while made < applicants {
        let batch = CHUNK.min(applicants - made);
        let plan = Plan {
            today,
            decides,
            checklists: &checklists,
            programme: programme_code.as_deref(),
            cin_prefix: &cin_prefix,
            site: site.as_str(),
            login: &session.login,
            provinces: &provinces,
        };
        core.write(session, |w, ids| {
            let mut generator =
                Generator { w, ids, rng: &mut rng, plan: &plan, summary: &mut summary, family: None, previous: None };
            for i in 0..batch {
                generator.applicant(first_cin + u64::from(made + i))?;
            }
            crate::store::site::set_setting(
                w.conn,
                "demo.next_cin",
                &(first_cin + u64::from(made + batch)).to_string(),
            )?;
            Ok(())
        })?;
        made += batch;
    }
    summary.certificates = issue_demo_certificates(core, session)?;
    Ok(summary)
}

/// A few attestations for the newest funded dossiers, when the account may sign them.
fn issue_demo_certificates(core: &mut Core, session: &Session) -> Result<u64, AppError> {
    if session.require(Action::IssueCertificate).is_err() || session.secrets().is_none() {
        return Ok(0);
    }
    let numbers: Vec<String> = {
        let mut stmt = core.store.conn().prepare(
            "SELECT number FROM dossiers WHERE deleted_at IS NULL AND status IN ('finance', 'cloture')
             ORDER BY rid DESC LIMIT 5",
        )?;
        stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
    };
    for number in &numbers {
        core.issue_certificate(session, &super::CertificateSubject::Dossier(number.clone()))?;
    }
    Ok(numbers.len() as u64)
}

struct Plan<'a> {
    today: NaiveDate,
    decides: bool,
    checklists: &'a [(ProjectKind, Vec<String>)],
    programme: Option<&'a str>,
    cin_prefix: &'a str,
    site: &'a str,
    login: &'a str,
    /// Where the site's beneficiaries and projects are: its province first, then the other
    /// provinces of its region (some live across the line).
    provinces: &'a [String],
}

fn site_seed(code: &str) -> u64 {
    let digest = Sha256::digest(code.as_bytes());
    u64::from_le_bytes([digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7]])
}

/// Two letters derived from the site code: each site draws its demo CINs in its own series.
fn cin_prefix(code: &str) -> String {
    let digest = Sha256::digest(code.as_bytes());
    let letter = |b: u8| char::from(b'A' + b % 26);
    format!("{}{}", letter(digest[0]), letter(digest[1]))
}

fn cin_counter_start(core: &Core) -> Result<u64, AppError> {
    Ok(crate::store::site::setting(core.store.conn(), "demo.next_cin")?.and_then(|v| v.parse().ok()).unwrap_or(1))
}

fn ensure_demo_programme(core: &mut Core, session: &Session, today: NaiveDate) -> Result<Option<String>, AppError> {
    if !session.site.defines_programmes() || session.require(Action::ManagePrograms).is_err() {
        return Ok(None);
    }
    let code = "AGENCE-SUD".to_owned();
    if find::<Programme>(core.store.conn(), "code = ?1", &code)?.is_empty() {
        let mut programme = Programme {
            code: code.clone(),
            name: "Convention Agence du Sud — PME des ayants droit".into(),
            name_ar: "اتفاقية وكالة الجنوب".into(),
            source_kind: "convention".into(),
            envelopes: vec![],
        };
        for year in (today.year() - 4)..=today.year() {
            programme.set_envelope(Envelope {
                year,
                amount: Money::from_centimes(120_000_000).unwrap_or_default(),
                target_projects: Some(64),
            });
        }
        core.save_programme(session, &programme)?;
    }
    Ok(Some(code))
}

fn pick<'a, T>(rng: &mut SeededEntropy, items: &'a [T]) -> &'a T {
    &items[usize::try_from(rng.below(items.len() as u64)).unwrap_or(0)]
}

fn chance(rng: &mut SeededEntropy, percent: u64) -> bool {
    rng.below(100) < percent
}

fn money(rng: &mut SeededEntropy, min_dh: u64, max_dh: u64) -> Money {
    let dh = min_dh + rng.below(max_dh - min_dh + 1);
    Money::from_centimes(i64::try_from(dh / 500 * 500 * 100).unwrap_or(0)).unwrap_or_default()
}

fn day_between(rng: &mut SeededEntropy, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + Duration::days(i64::try_from(rng.below(u64::try_from(span + 1).unwrap_or(1))).unwrap_or(0))
}

/// The generator's running state for one transaction of demo data.
struct Generator<'g, 'w, 'i> {
    w: &'g Writer<'w>,
    ids: &'g mut IdMaker<'i>,
    rng: &'g mut SeededEntropy,
    plan: &'g Plan<'g>,
    summary: &'g mut DemoSummary,
    /// The card holder of the family being made, and how many more applicants it gets.
    family: Option<(Uuid, u32)>,
    /// The last applicant made (near-duplicates copy it).
    previous: Option<Applicant>,
}

impl Generator<'_, '_, '_> {
    /// A province for a beneficiary or a project: the site's own, or now and then a neighbour.
    fn province(&mut self) -> String {
        let provinces = self.plan.provinces;
        if provinces.len() > 1 && chance(self.rng, 12) {
            pick(self.rng, &provinces[1..]).clone()
        } else {
            provinces[0].clone()
        }
    }

    fn applicant(&mut self, index: u64) -> Result<(), AppError> {
        // Families: a card holder with one to four applicants (himself, widow, children).
        let holder_id = match &mut self.family {
            Some((id, left)) if *left > 0 => {
                *left -= 1;
                *id
            }
            _ => {
                let id = self.ids.new_id();
                let (first, first_ar, _) = *pick(self.rng, &FIRST_NAMES[..20]);
                let (last, last_ar) = *pick(self.rng, LAST_NAMES);
                let holder = CardHolder {
                    card_number: format!("{}-R{index:07}", self.plan.cin_prefix),
                    name_latin: format!("{first} {last}"),
                    name_arabic: format!("{first_ar} {last_ar}"),
                    deceased_on: chance(self.rng, 60).then(|| {
                        day_between(self.rng, NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default(), self.plan.today)
                    }),
                    anonymised_on: None,
                };
                self.w.insert(id, &holder)?;
                self.summary.card_holders += 1;
                self.family = Some((id, u32::try_from(self.rng.below(4)).unwrap_or(0)));
                id
            }
        };
        let near_duplicate = self.previous.as_ref().filter(|_| chance(self.rng, 1)).cloned();
        let applicant = match near_duplicate {
            Some(original) => {
                // The same person typed again with another spelling and another (mistyped) CIN.
                let mut copy = original;
                let variant =
                    |name: &str| VARIANTS.iter().find(|(usual, _)| *usual == name).map(|(_, v)| (*v).to_owned());
                match variant(&copy.last_name) {
                    Some(last) => copy.last_name = last,
                    None => {
                        copy.first_name = variant(&copy.first_name).unwrap_or_else(|| copy.first_name.to_uppercase())
                    }
                }
                copy.cin = Cin::parse(&format!("{}{:06}", self.plan.cin_prefix, index % 1_000_000))
                    .map(|p| p.cin)
                    .unwrap_or(copy.cin);
                self.summary.near_duplicates += 1;
                copy
            }
            None => {
                let (first, first_ar, sex) = *pick(self.rng, FIRST_NAMES);
                let (last, last_ar) = *pick(self.rng, LAST_NAMES);
                let relationship = match (sex, self.rng.below(10)) {
                    (Sex::M, 0) => Relationship::Himself,
                    (Sex::F, 0..=2) => Relationship::Widow,
                    (Sex::M, 1) => Relationship::Grandchild,
                    (Sex::M, _) => Relationship::Son,
                    (Sex::F, _) => Relationship::Daughter,
                };
                let born_from = match relationship {
                    Relationship::Himself | Relationship::Widow => NaiveDate::from_ymd_opt(1930, 1, 1),
                    _ => NaiveDate::from_ymd_opt(1955, 1, 1),
                }
                .unwrap_or_default();
                let born_to = match relationship {
                    Relationship::Himself | Relationship::Widow => NaiveDate::from_ymd_opt(1950, 12, 31),
                    _ => NaiveDate::from_ymd_opt(2000, 12, 31),
                }
                .unwrap_or_default();
                let letters = if index > 999_999 {
                    format!(
                        "{}{}",
                        self.plan.cin_prefix,
                        char::from(b'A' + u8::try_from(index / 1_000_000 % 26).unwrap_or(0))
                    )
                } else {
                    self.plan.cin_prefix.to_owned()
                };
                Applicant {
                    cin: Cin::parse(&format!("{letters}{:06}", index % 1_000_000)).map_err(AppError::Rule)?.cin,
                    last_name: last.to_owned(),
                    first_name: first.to_owned(),
                    last_name_ar: last_ar.to_owned(),
                    first_name_ar: first_ar.to_owned(),
                    sex,
                    birth_date: day_between(self.rng, born_from, born_to),
                    card_holder_id: Some(holder_id),
                    relationship,
                    phone: chance(self.rng, 80)
                        .then(|| Phone::parse(&format!("06{:08}", self.rng.below(100_000_000))).ok())
                        .flatten(),
                    address: format!(
                        "{} rue {}",
                        1 + self.rng.below(200),
                        pick(self.rng, &["Al Massira", "Hassan II", "Mohammed V", "Al Qods", "Anoual"])
                    ),
                    commune: (*pick(self.rng, COMMUNES)).to_owned(),
                    province_code: Some(self.province()),
                    amo: chance(self.rng, 70).then(|| AmoCover {
                        regime: *pick(self.rng, &[AmoRegime::Tadamon, AmoRegime::Cnss, AmoRegime::Cnops]),
                        number: format!("{:09}", self.rng.below(1_000_000_000)),
                        checked_on: Some(day_between(self.rng, self.plan.today - Duration::days(700), self.plan.today)),
                    }),
                    consents: vec![ConsentPurpose::DossierHandling, ConsentPurpose::Statistics],
                    anonymised_on: None,
                    link_note: None,
                }
            }
        };
        let applicant_id = self.ids.new_id();
        self.w.insert(applicant_id, &applicant)?;
        self.summary.applicants += 1;
        self.previous = Some(applicant.clone());
        if chance(self.rng, 35) {
            self.project(applicant_id)?;
        }
        Ok(())
    }

    fn project(&mut self, promoter_id: Uuid) -> Result<(), AppError> {
        let kind = match self.rng.below(100) {
            0..=49 => ProjectKind::ProjetIndividuel,
            50..=79 => ProjectKind::Pme,
            80..=91 => ProjectKind::Cooperative,
            _ => ProjectKind::Association,
        };
        let sector = *pick(self.rng, SECTORS);
        let created_on =
            day_between(self.rng, self.plan.today - Duration::days(365 * 5), self.plan.today - Duration::days(30));
        let total = u32::try_from(match kind {
            ProjectKind::ProjetIndividuel => 1 + self.rng.below(2),
            ProjectKind::Pme => 2 + self.rng.below(8),
            ProjectKind::Cooperative => 5 + self.rng.below(10),
            ProjectKind::Association => 2 + self.rng.below(5),
        })
        .unwrap_or(1);
        let family = u32::try_from(self.rng.below(u64::from(total) + 1)).unwrap_or(0);
        let project = Project {
            kind,
            name: format!("{} {} {}", kind.label_fr(), sector, pick(self.rng, COMMUNES)),
            promoter_id,
            sector: sector.to_owned(),
            commune: (*pick(self.rng, COMMUNES)).to_owned(),
            province_code: Some(self.province()),
            created_on: Some(created_on),
            ice: matches!(kind, ProjectKind::Pme | ProjectKind::Cooperative)
                .then(|| Ice::parse(&format!("{:015}", self.rng.below(1_000_000_000_000_000))).ok())
                .flatten(),
            rc: (kind == ProjectKind::Pme).then(|| Rc {
                court: (*pick(self.rng, COURTS)).to_owned(),
                number: (1000 + self.rng.below(90_000)).to_string(),
            }),
            odco_number: (kind == ProjectKind::Cooperative)
                .then(|| format!("{}/{}", 100 + self.rng.below(9000), created_on.year())),
            association_receipt: (kind == ProjectKind::Association)
                .then(|| format!("R-{}-{}", created_on.year(), 10 + self.rng.below(990))),
            members: Vec::<Member>::new(),
            jobs_planned: Jobs { total, family },
        };
        let project_id = self.ids.new_id();
        self.w.insert(project_id, &project)?;
        self.summary.projects += 1;
        self.dossier(project_id, &project)
    }

    fn dossier(&mut self, project_id: Uuid, project: &Project) -> Result<(), AppError> {
        let deposited_on =
            day_between(self.rng, self.plan.today - Duration::days(365 * 4), self.plan.today - Duration::days(10));
        let target = match self.rng.below(100) {
            0..=9 => Status::Depose,
            10..=24 => Status::EnInstruction,
            25..=34 => Status::Complet,
            35..=47 => Status::Transmis,
            48..=57 => Status::Approuve,
            58..=67 => Status::Rejete,
            68..=89 => Status::Finance,
            _ => Status::Cloture,
        };
        let target = if !self.plan.decides && target > Status::Transmis { Status::Transmis } else { target };
        let year = deposited_on.year();
        let sequence = next_counter(self.w.conn, &format!("dossier:{year}"))?;
        let required = self
            .plan
            .checklists
            .iter()
            .find(|(k, _)| *k == project.kind)
            .map(|(_, codes)| codes.as_slice())
            .unwrap_or(&[]);
        let complete = target >= Status::Complet;
        let documents = required
            .iter()
            .filter(|_| complete || chance(self.rng, 60))
            .map(|code| ReceivedDocument { code: code.clone(), received_on: deposited_on })
            .collect();
        let site = crate::domain::codes::SiteCode::parse(self.plan.site).map_err(AppError::Rule)?;
        let mut dossier = Dossier {
            number: DossierNumber::new(&site, year, u32::try_from(sequence).unwrap_or(u32::MAX)),
            year,
            project_id,
            applicant_id: project.promoter_id,
            kind: project.kind,
            deposited_on,
            requested: Some(money(self.rng, 20_000, 250_000)),
            status: Status::Depose,
            documents,
            history: vec![],
            anonymised_on: None,
            paper_reference: None,
            programme: None,
        };
        let path: &[Status] = match target {
            Status::Rejete => &[Status::EnInstruction, Status::Complet, Status::Transmis, Status::Rejete],
            _ => &[
                Status::EnInstruction,
                Status::Complet,
                Status::Transmis,
                Status::Approuve,
                Status::Finance,
                Status::Cloture,
            ],
        };
        let mut on = deposited_on;
        let mut grants = Vec::new();
        for &to in path.iter().take_while(|s| **s <= target || target == Status::Rejete) {
            on = (on + Duration::days(i64::try_from(5 + self.rng.below(40)).unwrap_or(5))).min(self.plan.today);
            let reason = (to == Status::Rejete).then(|| {
                (*pick(
                    self.rng,
                    &["Projet non éligible au programme", "Pièces non conformes", "Étude de faisabilité insuffisante"],
                ))
                .to_owned()
            });
            if to == Status::Approuve {
                grants.push(Grant { source: FundingSource::HcarBudget, amount: money(self.rng, 15_000, 80_000) });
                if chance(self.rng, 30) {
                    grants.push(Grant {
                        source: FundingSource::Indh {
                            committee_ref: format!("CPDH-TIZ-{}-{:02}", on.year(), 1 + self.rng.below(30)),
                        },
                        amount: money(self.rng, 10_000, 60_000),
                    });
                }
                if let Some(code) = self.plan.programme.filter(|_| chance(self.rng, 15)) {
                    grants.push(Grant {
                        source: FundingSource::Convention { programme_code: code.to_owned() },
                        amount: money(self.rng, 20_000, 100_000),
                    });
                }
                if chance(self.rng, 5) {
                    grants.push(Grant {
                        source: FundingSource::OtherSector { name: "Agriculture (Plan Maroc Vert)".into() },
                        amount: money(self.rng, 10_000, 40_000),
                    });
                }
            }
            if matches!(to, Status::Approuve | Status::Rejete) {
                let decision = Decision {
                    dossier_id: Uuid::nil(),
                    approved: to == Status::Approuve,
                    grants: grants.clone(),
                    reason: reason.clone(),
                    decided_on: on,
                    commission_ref: Some(format!("PV-{}-{:03}", on.year(), 1 + self.rng.below(200))),
                    anonymised_on: None,
                    session_id: None,
                    history: false,
                };
                dossier.history.push(Transition {
                    from: dossier.status,
                    to,
                    on,
                    by: self.plan.login.to_owned(),
                    reason,
                });
                dossier.status = to;
                self.decision(&mut dossier, decision, target)?;
                return Ok(());
            }
            dossier.history.push(Transition { from: dossier.status, to, on, by: self.plan.login.to_owned(), reason });
            dossier.status = to;
        }
        self.w.insert(self.ids.new_id(), &dossier)?;
        self.summary.dossiers += 1;
        Ok(())
    }

    /// Writes the dossier, its decision, funding lines, disbursements and a follow-up visit.
    fn decision(&mut self, dossier: &mut Dossier, mut decision: Decision, target: Status) -> Result<(), AppError> {
        let dossier_id = self.ids.new_id();
        decision.dossier_id = dossier_id;
        let decided_on = decision.decided_on;
        let mut lines = Vec::new();
        for grant in &decision.grants {
            let line = FundingLine {
                dossier_id,
                source: grant.source.clone(),
                committed: grant.amount,
                year: decided_on.year(),
                decision_ref: decision.commission_ref.clone(),
            };
            lines.push((self.ids.new_id(), line));
        }
        let mut paid_on = decided_on;
        let mut disbursements = Vec::new();
        if target >= Status::Finance && decision.approved {
            for (line_id, line) in &lines {
                let tranches: i64 = if chance(self.rng, 40) { 2 } else { 1 };
                let first_half = Money::from_centimes(line.committed.centimes() / 2).unwrap_or_default();
                for tranche in 1..=tranches {
                    paid_on = (paid_on + Duration::days(i64::try_from(10 + self.rng.below(60)).unwrap_or(10)))
                        .min(self.plan.today);
                    let amount = match (tranches, tranche) {
                        (2, 1) => first_half,
                        (2, _) => line.committed.checked_sub(first_half).unwrap_or_default(),
                        _ => line.committed,
                    };
                    disbursements.push(Disbursement {
                        funding_line_id: *line_id,
                        dossier_id,
                        tranche: u32::try_from(tranche).unwrap_or(1),
                        paid_on,
                        amount,
                        reference: format!("OV-{}-{:05}", paid_on.year(), self.rng.below(100_000)),
                    });
                }
            }
            dossier.history.push(Transition {
                from: Status::Approuve,
                to: Status::Finance,
                on: disbursements.first().map_or(paid_on, |d| d.paid_on),
                by: self.plan.login.to_owned(),
                reason: None,
            });
            dossier.status = Status::Finance;
            if target == Status::Cloture {
                dossier.history.push(Transition {
                    from: Status::Finance,
                    to: Status::Cloture,
                    on: paid_on,
                    by: self.plan.login.to_owned(),
                    reason: None,
                });
                dossier.status = Status::Cloture;
            }
        }
        self.w.insert(dossier_id, dossier)?;
        self.summary.dossiers += 1;
        self.w.insert(self.ids.new_id(), &decision)?;
        for (line_id, line) in &lines {
            self.w.insert(*line_id, line)?;
            self.summary.funding_lines += 1;
        }
        for d in &disbursements {
            self.w.insert(self.ids.new_id(), d)?;
            self.summary.disbursements += 1;
        }
        if dossier.status >= Status::Finance && chance(self.rng, 70) {
            let planned = self.rng.below(3);
            let visit = Visit {
                project_id: dossier.project_id,
                visited_on: (paid_on + Duration::days(90)).min(self.plan.today),
                jobs_verified: Jobs {
                    total: u32::try_from(1 + planned).unwrap_or(1),
                    family: u32::try_from(self.rng.below(planned + 2))
                        .unwrap_or(0)
                        .min(u32::try_from(1 + planned).unwrap_or(1)),
                },
                active: chance(self.rng, 90),
                observations: "Activité visitée ; emplois constatés sur place.".into(),
            };
            self.w.insert(self.ids.new_id(), &visit)?;
            self.summary.visits += 1;
        }
        Ok(())
    }
}
