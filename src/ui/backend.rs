//! The worker that owns the core: screens send [`Request`]s and read [`Reply`]s, so no query or
//! write ever runs in a frame. In the application it is a named thread that wakes the window
//! when a reply is ready; in tests it answers at once, on the caller's thread.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use eframe::egui;
use uuid::Uuid;

use super::reports::DrillDown;
use crate::app::retention::{RetentionDone, RetentionPlan};
use crate::app::{
    AppError, ApplicantDetail, ApplicantLine, BackgroundReader, BackupProgress, CardRef, CertificateSubject,
    CheckReport, ClosedYear, Core, CrossOfficePair, Document, DossierView, DuplicateCandidate, InstallSetup, Move,
    Page, Peer, ProgrammesView, ProjectDetail, ProjectLine, RestoreReport, Row, Session, SlipTo, Stats, SyncStatus,
    UserRow, WorklistPage, WorklistQuery, demo, save_in_folder,
};
use crate::documents::bilan_files::BilanFormat;
use crate::domain::Money;
use crate::domain::applicant::ApplicantDraft;
use crate::domain::certificate::{Certificate, Verdict};
use crate::domain::dossier::ChecklistItem;
use crate::domain::dossier::Status;
use crate::domain::funding::{Grant, Programme};
use crate::domain::indicators::{Bilan, Breakdown};
use crate::domain::print::PrintMargins;
use crate::domain::project::{ProjectDraft, ProjectKind};
use crate::domain::review::Verdict as ReviewVerdict;
use crate::domain::role::{Action, Role};
use crate::domain::site::Site;
use crate::domain::transfer::Transfer;

/// Projects per page of the project list.
pub const PROJECT_PAGE: u32 = 50;

/// What the logged-in user is, for display and for deciding which buttons to show.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// Login.
    pub login: String,
    /// Full name.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// The installation.
    pub site: Site,
    /// The day the session opened (the office's local date).
    pub today: chrono::NaiveDate,
    /// The commission's reasons: the shipped list and those the delegation added.
    pub reasons: Vec<crate::reference::Reason>,
}

impl SessionInfo {
    fn of(session: &Session, today: chrono::NaiveDate, reasons: Vec<crate::reference::Reason>) -> SessionInfo {
        SessionInfo {
            login: session.login.clone(),
            full_name: session.full_name.clone(),
            role: session.role,
            site: session.site.clone(),
            today,
            reasons,
        }
    }
}

/// A request from a screen. (No `Debug`: logins and new accounts carry passwords.)
#[derive(Clone)]
pub enum Request {
    /// First start: set up the installation.
    Setup(InstallSetup),
    /// First start: a demo office instead.
    CreateDemo,
    /// Open a session.
    Login {
        /// Login.
        login: String,
        /// Password.
        password: String,
    },
    /// Restore a backup over the database (from the login screen), the account `login` opening
    /// the keys it carries.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// An account that held the keys when the backup was made.
        login: String,
        /// Its password.
        password: String,
    },
    /// Close the session.
    Logout,
    /// The dashboard's figures.
    Dashboard,
    /// Today's work for the person logged in.
    Today,
    /// A page of the register (search as you type).
    Search {
        /// What was typed.
        query: String,
        /// Only this office's applicants (at a delegation), when given.
        office: Option<String>,
        /// The page, from 0.
        page: u32,
        /// Rows per page.
        page_size: u32,
        /// Which query this page belongs to (stale replies are ignored).
        generation: u64,
    },
    /// One applicant in detail.
    Applicant(Uuid),
    /// Check a form before saving it: warnings and possible duplicates.
    CheckApplicant {
        /// The form.
        draft: ApplicantDraft,
        /// The applicant being edited, if any.
        editing: Option<Uuid>,
    },
    /// Save a form.
    SaveApplicant {
        /// The form.
        draft: ApplicantDraft,
        /// The card (new applicants).
        card: CardRef,
        /// Why it is saved despite possible duplicates.
        reason: Option<String>,
        /// The applicant being edited, if any.
        editing: Option<Uuid>,
    },
    /// A dossier by number.
    Dossier(String),
    /// A dossier by id (from a list).
    OpenDossierById(Uuid),
    /// A page of the dossiers' worklist.
    Worklist {
        /// Filters, order and page.
        query: WorklistQuery,
        /// Which query this page belongs to (stale replies are ignored).
        generation: u64,
    },
    /// Move a dossier.
    MoveDossier {
        /// The dossier.
        id: Uuid,
        /// To where.
        to: Status,
        /// The reason (rejections).
        reason: Option<String>,
        /// Grants (approvals).
        grants: Vec<Grant>,
    },
    /// Register a project carried by an applicant.
    SaveProject {
        /// The form.
        draft: ProjectDraft,
        /// The applicant who carries it.
        promoter: Uuid,
        /// The other members: CIN and role.
        members: Vec<(String, String)>,
        /// The project being edited, if any.
        editing: Option<Uuid>,
    },
    /// Open a dossier for a project, deposited today.
    OpenDossier(Uuid),
    /// Tick documents as received today.
    ReceiveDocuments {
        /// The dossier.
        id: Uuid,
        /// Checklist codes.
        codes: Vec<String>,
    },
    /// Untick a piece ticked by mistake, with the reason.
    UnreceiveDocument {
        /// The dossier.
        id: Uuid,
        /// The piece's checklist code.
        code: String,
        /// Why it is taken back.
        reason: String,
    },
    /// Record a disbursement on a funding line, paid today.
    Disburse {
        /// The dossier (shown again afterwards).
        dossier: Uuid,
        /// The funding line.
        line: Uuid,
        /// The amount.
        amount: Money,
    },
    /// At a delegation: the pairs of applicants of different offices who may be one person.
    CrossOfficeDuplicates,
    /// At a delegation: settle one such pair.
    ReviewDuplicate {
        /// One applicant.
        first: Uuid,
        /// The other.
        second: Uuid,
        /// The verdict.
        verdict: ReviewVerdict,
        /// What was checked.
        note: String,
    },
    /// At a delegation: transfer an applicant to another office.
    TransferApplicant {
        /// The applicant.
        id: Uuid,
        /// The office that will hold them.
        to: String,
        /// Why.
        reason: String,
    },
    /// Delete an applicant (a tombstone with a reason).
    DeleteApplicant {
        /// The applicant.
        id: Uuid,
        /// Why.
        reason: String,
    },
    /// Add an account.
    AddUser {
        /// Login.
        login: String,
        /// Full name.
        full_name: String,
        /// Role.
        role: Role,
        /// Password.
        password: String,
    },
    /// Change the logged-in user's own password.
    ChangeOwnPassword {
        /// The current password.
        old: String,
        /// The new one.
        new: String,
    },
    /// Disable an account (administrators).
    DisableUser(String),
    /// Record a follow-up visit of a dossier's project, today.
    AddVisit {
        /// The dossier shown (shown again afterwards).
        dossier: Uuid,
        /// The project visited.
        project: Uuid,
        /// Jobs seen.
        jobs_total: String,
        /// Of which for the family.
        jobs_family: String,
    },
    /// Change what was asked in a dossier still at the office.
    EditDossier {
        /// The dossier.
        id: Uuid,
        /// The amount asked for.
        requested: Option<Money>,
        /// The deposit date.
        deposited_on: Option<chrono::NaiveDate>,
        /// The programme it is presented under (blank: none).
        programme: Option<String>,
    },
    /// Add a funding line to an approved dossier (co-funding decided later).
    AddFunding {
        /// The dossier.
        id: Uuid,
        /// The grant.
        grant: Grant,
        /// The decision's reference.
        decision_ref: Option<String>,
    },
    /// Delete a dossier (a tombstone with a reason).
    DeleteDossier {
        /// The dossier.
        id: Uuid,
        /// Why.
        reason: String,
    },
    /// A page of the project list: those the search finds (all when it is blank).
    Projects {
        /// What is typed in the search.
        query: String,
        /// The page, from 0.
        page: u32,
    },
    /// One project in detail.
    Project(Uuid),
    /// Delete a project (a tombstone with a reason).
    DeleteProject {
        /// The project.
        id: Uuid,
        /// Why.
        reason: String,
    },
    /// The programmes.
    Programmes,
    /// Define or change a programme (and the envelopes it carries).
    SaveProgramme(Programme),
    /// Publish the checklist of a project kind.
    SaveChecklist {
        /// The kind.
        kind: ProjectKind,
        /// Its documents, in order.
        items: Vec<ChecklistItem>,
    },
    /// Reset another account's password (administrators).
    ResetPassword {
        /// The account.
        login: String,
        /// Its new password.
        new: String,
    },
    /// The CNDP declaration number.
    Cndp,
    /// Record (or, empty, clear) the CNDP declaration number.
    SaveCndp(String),
    /// The thresholds of today's work.
    TodayThresholds,
    /// Record the thresholds of today's work.
    SaveTodayThresholds(crate::app::Thresholds),
    /// The retention period (years).
    RetentionYears,
    /// Record the retention period.
    SaveRetentionYears(u32),
    /// What the retention rules would anonymise today.
    RetentionPlan,
    /// Anonymise what the plan shown says.
    ApplyRetention(Box<RetentionPlan>),
    /// The printer calibration.
    PrintMargins,
    /// Record the printer calibration.
    SavePrintMargins(PrintMargins),
    /// The accounts.
    Users,
    /// The full integrity check (SQLite and the audit chain), run once the window is up.
    Check,
    /// Where sync stands.
    SyncStatus,
    /// An encrypted backup into a folder (a stick, an external disk), on its own thread.
    Backup(PathBuf),
    /// The daily automatic backup, if one is due, on its own thread.
    AutoBackup,
    /// Write the bundle for the parent into a folder (the stick).
    ExportBundle(PathBuf),
    /// Read bundles and replies (files or folders).
    ImportBundles(Vec<PathBuf>),
    /// Ask the parent for a resync (after a restore or on a new PC), into a folder.
    RequestResync(PathBuf),
    /// Resolve a sync conflict.
    ResolveConflict {
        /// Its number.
        id: i64,
        /// Apply the incoming row (else set it aside).
        apply: bool,
        /// Why.
        note: String,
    },
    /// Write the reply for a supervised site into a folder.
    ExportReply {
        /// The site.
        office: String,
        /// The folder.
        dir: PathBuf,
    },
    /// Add a reason to the commission's list.
    AddReason(super::programmes::ReasonForm),
    /// The commission's sessions held here.
    CommissionSessions,
    /// Open a session of the commission.
    OpenCommissionSession(super::commission::NewSession),
    /// The agenda: the transmitted dossiers awaiting their decision.
    Agenda(crate::app::AgendaFilter),
    /// Record decisions in a session, all together (with the reason of an envelope overrun).
    RecordSession {
        /// The session's reference.
        reference: String,
        /// The decisions.
        verdicts: Vec<crate::app::Verdict>,
        /// Why an envelope may be overrun.
        overrun: Option<String>,
    },
    /// Close a session.
    CloseCommissionSession(String),
    /// The certificate register (newest first).
    Certificates,
    /// Issue a certificate and write its PDF in the documents folder.
    IssueCertificate(CertificateSubject),
    /// Issue the beneficiary certificates of the dossiers with these numbers, in one PDF (all or
    /// none).
    IssueCertificates(Vec<String>),
    /// Reprint a certificate (DUPLICATA) into the documents folder.
    ReprintCertificate(String),
    /// Revoke a certificate.
    RevokeCertificate {
        /// Its number.
        number: String,
        /// Why.
        reason: String,
    },
    /// Check a QR code's text.
    VerifyCertificate(String),
    /// The bilan of a period, broken down when asked.
    Bilan {
        /// First day.
        from: chrono::NaiveDate,
        /// Last day.
        to: chrono::NaiveDate,
        /// The breakdown.
        by: Option<Breakdown>,
    },
    /// The dossiers behind one figure of the bilan.
    DrillDown {
        /// First day.
        from: chrono::NaiveDate,
        /// Last day.
        to: chrono::NaiveDate,
        /// The breakdown.
        by: Option<Breakdown>,
        /// The figure's key.
        key: String,
        /// Its group, when broken down.
        group: Option<String>,
    },
    /// Close a year (its bilan frozen and signed), then show its figures.
    CloseYear {
        /// The year.
        year: i32,
        /// The breakdown shown afterwards.
        by: Option<Breakdown>,
    },
    /// Write the annual report of a year (PDF) in the documents folder.
    WriteAnnualReport(i32),
    /// Write the bilan of a period in the documents folder, as `format`.
    WriteBilan {
        /// First day.
        from: chrono::NaiveDate,
        /// Last day.
        to: chrono::NaiveDate,
        /// The breakdown.
        by: Option<Breakdown>,
        /// PDF, CSV, XLSX or JSON.
        format: BilanFormat,
    },
    /// Write a document in the documents folder (the window then opens it).
    Print(Document),
    /// This site's fingerprint and the sites enrolled here.
    Links,
    /// Write this site's identity file into a folder (a stick).
    ExportIdentity(PathBuf),
    /// Enroll a site from its identity file, its fingerprint typed from the paper form.
    Enroll {
        /// The identity file.
        file: PathBuf,
        /// The fingerprint as typed.
        fingerprint: String,
    },
    /// Revoke the key of a site enrolled here (or below).
    RevokeSite {
        /// Its code.
        code: String,
        /// Why.
        reason: String,
    },
    /// Replace this site's keys; the account's password is asked again.
    RotateKeys(String),
    /// Import a CSV file or an Excel workbook, all or nothing.
    ImportCsv {
        /// What its rows are.
        target: crate::app::csv_import::CsvTarget,
        /// The file.
        file: PathBuf,
        /// Of a workbook, the sheet (none: the first).
        sheet: Option<String>,
    },
}

/// A reply from the worker.
#[derive(Debug)]
pub enum Reply {
    /// A session was opened (setup, demo or login).
    Session(Result<SessionInfo, AppError>),
    /// The demo office was made; its accounts, to show.
    DemoCreated(Result<String, AppError>),
    /// Dashboard figures.
    Dashboard(Result<Stats, AppError>),
    /// Today's work.
    Today(Result<Vec<crate::app::TodoItem>, AppError>),
    /// A page of the register.
    Search {
        /// The query's generation.
        generation: u64,
        /// The page.
        page: u32,
        /// The rows.
        result: Result<Page<ApplicantLine>, AppError>,
    },
    /// One applicant.
    Applicant(Result<ApplicantDetail, AppError>),
    /// A form's check.
    Checked(Result<(Vec<String>, Vec<DuplicateCandidate>), AppError>),
    /// A form was saved.
    Saved(Result<Uuid, AppError>),
    /// A dossier.
    Dossier(Result<DossierView, AppError>),
    /// A page of the worklist.
    Worklist {
        /// The query's generation.
        generation: u64,
        /// The page.
        result: Result<WorklistPage, AppError>,
    },
    /// A dossier moved or changed (its new view).
    Moved(Result<DossierView, AppError>),
    /// A project was registered (the applicant is shown again).
    ProjectSaved(Result<Uuid, AppError>),
    /// A dossier was deleted.
    DossierDeleted(Result<(), AppError>),
    /// A visit was recorded (the dossier again).
    VisitAdded(Result<DossierView, AppError>),
    /// An applicant was deleted.
    Deleted(Result<(), AppError>),
    /// The pairs left to settle, after a verdict (`Some`: the verdict recorded) or not.
    CrossOfficeDuplicates(Result<(Option<ReviewVerdict>, Vec<CrossOfficePair>), AppError>),
    /// An applicant transferred, and what the screen shows of them now.
    Transferred(Result<(Transfer, ApplicantDetail), AppError>),
    /// An account was added or changed (the list again, and what to say).
    UserAdded(Result<Vec<UserRow>, AppError>),
    /// The user's own password was changed.
    PasswordChanged(Result<(), AppError>),
    /// Programmes.
    Programmes(Result<ProgrammesView, AppError>),
    /// A programme was saved (the programmes again).
    ProgrammeSaved(Result<ProgrammesView, AppError>),
    /// A checklist published, and the screen's view after it.
    ChecklistSaved(Result<ProgrammesView, AppError>),
    /// The printer calibration.
    PrintMargins(Result<PrintMargins, AppError>),
    /// The printer calibration was saved (as stored).
    PrintMarginsSaved(Result<PrintMargins, AppError>),
    /// Accounts.
    Users(Result<Vec<UserRow>, AppError>),
    /// A page of projects.
    Projects(Result<Page<ProjectLine>, AppError>),
    /// One project.
    Project(Result<ProjectDetail, AppError>),
    /// The integrity check's findings.
    Integrity {
        /// What the check found.
        report: Result<CheckReport, AppError>,
        /// The automatic backups, newest first (the way out when the check fails).
        backups: Vec<PathBuf>,
    },
    /// Where sync stands.
    SyncStatus(Result<SyncStatus, AppError>),
    /// Where the backup running on its own thread stands.
    BackupProgress(BackupProgress),
    /// A backup was written (or was not due).
    BackedUp(Result<Option<PathBuf>, AppError>),
    /// A backup was restored over the database (or refused, and nothing changed).
    Restored(Result<RestoreReport, AppError>),
    /// What a sync action did (a message per file or bundle), then the state.
    SyncDone(Vec<Result<String, AppError>>),
    /// A reason was added: the commission's list now.
    ReasonAdded(Result<Vec<crate::reference::Reason>, AppError>),
    /// The commission's sessions.
    CommissionSessions(Result<Vec<Row<crate::domain::commission::CommissionSession>>, AppError>),
    /// The agenda.
    Agenda(Result<Vec<crate::app::AgendaLine>, AppError>),
    /// A session was opened: its reference.
    SessionOpened(Result<String, AppError>),
    /// Decisions were recorded, or a session closed: what to say.
    SessionRecorded(Result<String, AppError>),
    /// The certificate register.
    Certificates(Result<Vec<Row<Certificate>>, AppError>),
    /// A document was written: where.
    DocumentWritten(Result<PathBuf, AppError>),
    /// A certificate was revoked (the register again).
    Revoked(Result<Vec<Row<Certificate>>, AppError>),
    /// What checking a certificate found.
    Verdict(Result<Verdict, AppError>),
    /// The CNDP declaration number, as recorded.
    Cndp(Result<Option<String>, AppError>),
    /// The CNDP declaration number was recorded (or cleared).
    CndpSaved(Result<Option<String>, AppError>),
    /// The thresholds of today's work, as recorded (`true`: just saved).
    TodayThresholds(Result<(crate::app::Thresholds, bool), AppError>),
    /// The retention period, as recorded.
    RetentionYears(Result<u32, AppError>),
    /// The retention period was recorded.
    RetentionYearsSaved(Result<u32, AppError>),
    /// What the retention rules would anonymise today.
    RetentionPlan(Result<Box<RetentionPlan>, AppError>),
    /// What anonymising did.
    RetentionApplied(Result<RetentionDone, AppError>),
    /// The figures of a bilan, and the closing of its year when the period is a closed year.
    Bilan(Result<(Bilan, Option<ClosedYear>), AppError>),
    /// The dossiers behind a figure.
    DrillDown(Result<DrillDown, AppError>),
    /// This site's fingerprint (when the account holds the keys) and the sites enrolled here.
    Links(Result<(Option<String>, Vec<Peer>), AppError>),
    /// What a link action did (identity written, site enrolled or revoked), then the links.
    LinkDone(Result<String, AppError>),
    /// The site's keys were replaced: the new fingerprint (the session must be opened again).
    KeysRotated(Result<String, AppError>),
    /// A CSV import ended: the lines imported, or why nothing was.
    CsvImported(Result<usize, AppError>),
    /// Where the long work under way stands.
    Progress(crate::app::Progress),
    /// The long work under way ended (after its own reply).
    WorkEnded,
}

/// How many certificates the register screen shows.
pub const CERTIFICATE_LIST: usize = 200;

/// The core and the open session, on the worker's side.
struct Worker {
    core: Core,
    session: Option<Session>,
    /// The folder of the database: printed documents go to its `documents/`, copies of the
    /// bundles sent to its `envois/`.
    data_dir: PathBuf,
    /// Where long checks send their reply from their own thread (`None`: answer inline).
    background: Option<(Sender<Reply>, egui::Context)>,
    /// Where a backup's thread sends its progress and its end (in tests too: a backup always
    /// runs beside the core), and the window to wake.
    spawned: (Sender<Reply>, Option<egui::Context>),
    /// Whether a backup runs (one at a time).
    backing_up: Arc<AtomicBool>,
}

fn no_session() -> AppError {
    AppError::Rule("Session fermée : reconnectez-vous.".into())
}

/// A failure shown where messages go.
fn inline_error(error: AppError) -> Reply {
    Reply::Dashboard(Err(error))
}

impl Worker {
    fn handle(&mut self, request: Request) -> Option<Reply> {
        let today = self.core.clock().today();
        Some(match request {
            Request::Setup(setup) => Reply::Session(self.core.init(&setup).map(|s| self.open(s))),
            Request::CreateDemo => Reply::DemoCreated(self.create_demo()),
            Request::Login { login, password } => {
                Reply::Session(self.core.login(&login, &password).map(|s| self.open(s)))
            }
            Request::Logout => {
                self.session = None;
                return None;
            }
            Request::Restore { file, login, password } => {
                self.session = None;
                if self.backing_up.load(Ordering::SeqCst) {
                    return Some(Reply::Restored(Err(AppError::Rule(
                        "Une sauvegarde est en cours : attendez qu'elle finisse, puis restaurez.".into(),
                    ))));
                }
                Reply::Restored(self.core.restore_from(&file, &login, &password))
            }
            Request::Dashboard => {
                return self.in_background(
                    Action::ViewRegister,
                    |reader| Reply::Dashboard(reader.stats()),
                    |core, s| Reply::Dashboard(core.stats(s)),
                );
            }
            Request::Today => {
                // Read off the worker, from a worklist brought up to date here (the reader's
                // connection cannot write).
                let who = self.session.as_ref().map(|s| (s.role, s.site.clone()));
                let Some((role, site)) = who else { return Some(Reply::Today(Err(no_session()))) };
                if let Err(e) = self.core.refresh_worklist() {
                    return Some(Reply::Today(Err(e)));
                }
                return self.in_background(
                    Action::ViewRegister,
                    move |reader| Reply::Today(reader.today(role, &site, today)),
                    |core, s| Reply::Today(core.today(s)),
                );
            }
            Request::Search { query, office, page, page_size, generation } => Reply::Search {
                generation,
                page,
                result: self.with(|core, s| core.search_applicants_of(s, office.as_deref(), &query, page, page_size)),
            },
            Request::Applicant(id) => Reply::Applicant(self.with(|core, s| core.applicant_detail(s, id))),
            Request::CrossOfficeDuplicates => Reply::CrossOfficeDuplicates(
                self.with(|core, s| Ok((None, core.duplicates_across_offices(s)?))),
            ),
            Request::ReviewDuplicate { first, second, verdict, note } => {
                let Some(s) = self.session.as_ref() else {
                    return Some(Reply::CrossOfficeDuplicates(Err(no_session())));
                };
                let reviewed = self.core.review_duplicate(s, first, second, verdict, &note);
                Reply::CrossOfficeDuplicates(
                    reviewed.and_then(|_| Ok((Some(verdict), self.core.duplicates_across_offices(s)?))),
                )
            }
            Request::TransferApplicant { id, to, reason } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::Transferred(Err(no_session()))) };
                Reply::Transferred(
                    self.core
                        .transfer_applicant(s, id, &to, &reason)
                        .and_then(|t| Ok((t, self.core.applicant_detail(s, id)?))),
                )
            }
            Request::CheckApplicant { draft, editing } => {
                Reply::Checked(self.with(|core, s| core.check_applicant(s, &draft, editing)))
            }
            Request::SaveApplicant { draft, card, reason, editing } => {
                let session = self.session.as_ref();
                Reply::Saved(match (session, editing) {
                    (None, _) => Err(no_session()),
                    (Some(s), Some(id)) => {
                        self.core.edit_applicant(s, id, &draft, reason.as_deref()).map(|saved| saved.id)
                    }
                    (Some(s), None) => {
                        self.core.add_applicant(s, &draft, &card, reason.as_deref()).map(|saved| saved.id)
                    }
                })
            }
            Request::Dossier(number) => Reply::Dossier(self.with(|core, s| {
                let row = core.dossier_by_number(s, &number)?;
                core.dossier_view(s, row.meta.id)
            })),
            Request::OpenDossierById(id) => Reply::Dossier(self.with(|core, s| core.dossier_view(s, id))),
            Request::Worklist { query, generation } => {
                Reply::Worklist { generation, result: self.with(|core, s| core.worklist(s, &query)) }
            }
            Request::MoveDossier { id, to, reason, grants } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::Moved(Err(no_session()))) };
                let moved = self.core.move_dossier(
                    s,
                    id,
                    Move::to(to, today).because_opt(reason.as_deref()).granting(&grants, None),
                );
                Reply::Moved(moved.and_then(|()| self.core.dossier_view(s, id)))
            }
            Request::SaveProject { draft, promoter, members, editing } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::ProjectSaved(Err(no_session()))) };
                let members = members
                    .iter()
                    .map(|(cin, role)| {
                        let applicant_id = self.core.applicant_id_by_cin(s, cin)?;
                        Ok(crate::domain::project::Member { applicant_id, role: role.clone() })
                    })
                    .collect::<Result<Vec<_>, AppError>>();
                let saved = members.and_then(|members| match editing {
                    Some(id) => self.core.edit_project(s, id, &draft, promoter, members),
                    None => self.core.add_project(s, &draft, promoter, members).map(|_| ()),
                });
                Reply::ProjectSaved(saved.map(|()| promoter))
            }
            Request::OpenDossier(project) => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::Moved(Err(no_session()))) };
                let opened = self.core.open_dossier(s, project, today, None, &[]);
                Reply::Dossier(opened.and_then(|row| self.core.dossier_view(s, row.meta.id)))
            }
            Request::ReceiveDocuments { id, codes } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::Moved(Err(no_session()))) };
                let received = self.core.receive_documents(s, id, &codes, today);
                Reply::Moved(received.and_then(|()| self.core.dossier_view(s, id)))
            }
            Request::UnreceiveDocument { id, code, reason } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::Moved(Err(no_session()))) };
                let taken_back = self.core.unreceive_document(s, id, &code, &reason);
                Reply::Moved(taken_back.and_then(|()| self.core.dossier_view(s, id)))
            }
            Request::Disburse { dossier, line, amount } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::Moved(Err(no_session()))) };
                let paid = self.core.disburse(s, line, amount, today, "");
                Reply::Moved(paid.and_then(|_| self.core.dossier_view(s, dossier)))
            }
            Request::DeleteApplicant { id, reason } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::Deleted(Err(no_session()))) };
                Reply::Deleted(self.core.delete(s, crate::app::Table::Applicants, id, &reason))
            }
            Request::AddUser { login, full_name, role, password } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::UserAdded(Err(no_session()))) };
                let added = self.core.add_user(s, &login, &full_name, role, &password);
                Reply::UserAdded(added.and_then(|()| self.core.users(s)))
            }
            Request::ChangeOwnPassword { old, new } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::PasswordChanged(Err(no_session()))) };
                Reply::PasswordChanged(self.core.change_password(s, &s.login.clone(), Some(&old), &new))
            }
            Request::DisableUser(login) => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::UserAdded(Err(no_session()))) };
                let disabled = self.core.disable_user(s, &login);
                Reply::UserAdded(disabled.and_then(|()| self.core.users(s)))
            }
            Request::AddVisit { dossier, project, jobs_total, jobs_family } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::VisitAdded(Err(no_session()))) };
                let visit = crate::domain::visit::Visit::validate(
                    project,
                    &today.format("%d/%m/%Y").to_string(),
                    &jobs_total,
                    &jobs_family,
                    true,
                    "",
                    today,
                );
                let added = visit.map_err(AppError::from).and_then(|v| self.core.add_visit(s, &v));
                Reply::VisitAdded(added.and_then(|_| self.core.dossier_view(s, dossier)))
            }
            Request::EditDossier { id, requested, deposited_on, programme } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::Moved(Err(no_session()))) };
                let edit = crate::app::DossierEdit {
                    requested,
                    deposited_on,
                    programme,
                    received_on: today,
                    ..crate::app::DossierEdit::default()
                };
                let edited = self.core.edit_dossier(s, id, &edit);
                Reply::Moved(edited.and_then(|()| self.core.dossier_view(s, id)))
            }
            Request::DeleteDossier { id, reason } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::DossierDeleted(Err(no_session()))) };
                Reply::DossierDeleted(self.core.delete(s, crate::app::Table::Dossiers, id, &reason))
            }
            Request::Projects { query, page } => {
                Reply::Projects(self.with(|core, s| core.search_projects(s, &query, page, PROJECT_PAGE)))
            }
            Request::Project(id) => Reply::Project(self.with(|core, s| core.project_detail(s, id))),
            Request::DeleteProject { id, reason } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::Projects(Err(no_session()))) };
                let deleted = self.core.delete(s, crate::app::Table::Projects, id, &reason);
                Reply::Projects(deleted.and_then(|()| self.core.list_projects(s, 0, PROJECT_PAGE)))
            }
            Request::AddFunding { id, grant, decision_ref } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::Moved(Err(no_session()))) };
                let year = chrono::Datelike::year(&today);
                let added = self.core.add_funding(s, id, grant.source, grant.amount, year, decision_ref.as_deref());
                Reply::Moved(added.and_then(|_| self.core.dossier_view(s, id)))
            }
            Request::Programmes => Reply::Programmes(self.with(|core, s| core.programmes_view(s))),
            Request::SaveChecklist { kind, items } => Reply::ChecklistSaved(self.with_mut(|core, s| {
                core.save_checklist(s, kind, items)?;
                core.programmes_view(s)
            })),
            Request::SaveProgramme(programme) => Reply::ProgrammeSaved(self.with_mut(|core, s| {
                core.save_programme(s, &programme)?;
                core.programmes_view(s)
            })),
            Request::ResetPassword { login, new } => {
                let Some(s) = self.session.as_ref() else { return Some(Reply::PasswordChanged(Err(no_session()))) };
                Reply::PasswordChanged(self.core.change_password(s, &login, None, &new))
            }
            Request::PrintMargins => Reply::PrintMargins(self.core.print_margins()),
            Request::Cndp => Reply::Cndp(self.core.cndp_number()),
            Request::SaveCndp(typed) => Reply::CndpSaved(self.with_mut(|core, s| core.set_cndp_number(s, &typed))),
            Request::TodayThresholds => Reply::TodayThresholds(self.core.today_thresholds().map(|t| (t, false))),
            Request::SaveTodayThresholds(thresholds) => Reply::TodayThresholds(self.with_mut(|core, s| {
                core.set_today_thresholds(s, thresholds)?;
                Ok((core.today_thresholds()?, true))
            })),
            Request::RetentionYears => Reply::RetentionYears(self.core.retention_years()),
            Request::SaveRetentionYears(years) => Reply::RetentionYearsSaved(self.with_mut(|core, s| {
                core.set_retention_years(s, years)?;
                core.retention_years()
            })),
            Request::RetentionPlan => Reply::RetentionPlan(self.with(|core, s| core.retention_plan(s).map(Box::new))),
            Request::ApplyRetention(plan) => {
                Reply::RetentionApplied(self.with_mut(|core, s| core.apply_retention(s, &plan)))
            }
            Request::SavePrintMargins(margins) => Reply::PrintMarginsSaved(self.with_mut(|core, s| {
                core.set_print_margins(s, margins)?;
                core.print_margins()
            })),
            Request::Users => Reply::Users(self.with(|core, s| core.users(s))),
            Request::Check => {
                return self.in_background(
                    Action::CheckIntegrity,
                    |reader| Reply::Integrity { report: reader.check(), backups: reader.backups() },
                    |core, s| Reply::Integrity { report: core.check(s), backups: core.backups() },
                );
            }
            Request::SyncStatus => Reply::SyncStatus(self.with(|core, s| core.sync_status(s))),
            Request::Backup(dir) => return self.start_backup(Some(dir), false),
            Request::AutoBackup => return self.start_backup(None, false),
            Request::ExportBundle(dir) => {
                let documents = self.data_dir.join("documents");
                let exported = self.with_mut(|core, s| core.export_for_parent(s, &dir, SlipTo::Folder(&documents)));
                match exported {
                    Ok(Some(done)) => {
                        let r = &done.report;
                        let written = match r.more.last() {
                            None => format!(
                                "Paquet n° {} écrit et relu ({}) : {}. Vous pouvez retirer la clé.",
                                r.sequence,
                                records(r.rows),
                                r.path.display()
                            ),
                            Some((_, last, _)) => format!(
                                "Paquets n° {} à {last} écrits et relus ({}, {} fichiers dans {}) : la délégation les lit dans l'ordre. Vous pouvez retirer la clé.",
                                r.sequence,
                                records(r.rows),
                                r.more.len() + 1,
                                dir.display()
                            ),
                        };
                        // The slip travels with the stick: printed from the documents folder.
                        let slip = done.slip.map(|path| format!("Bordereau de transmission à imprimer : {}", path.display()));
                        // After each export, a backup stays at the office (the stick may be lost):
                        // it runs on its own thread, its progress shown in the window's bar.
                        let backup = if self.backing_up.load(Ordering::SeqCst) {
                            Ok("Une sauvegarde de la base est déjà en cours (son avancement est affiché à gauche, sous la liste des écrans).".into())
                        } else {
                            match self.start_backup(None, true) {
                                Some(Reply::BackedUp(Err(e))) => Err(e),
                                _ => Ok("Sauvegarde de la base lancée (son avancement est affiché à gauche, sous la liste des écrans).".into()),
                            }
                        };
                        Reply::SyncDone([Some(Ok(written)), slip.map(Ok), Some(backup)].into_iter().flatten().collect())
                    }
                    Ok(None) => Reply::SyncDone(vec![Ok(
                        "Rien à envoyer : la délégation a accusé réception de toutes les modifications.".into(),
                    )]),
                    Err(e) => Reply::SyncDone(vec![Err(e)]),
                }
            }
            Request::ExportReply { office, dir } => Reply::SyncDone(vec![self.with_mut(|core, s| {
                let r = core.export_reply(s, &office, &dir)?;
                let files = match r.more.len() {
                    0 => r.path.display().to_string(),
                    n => format!("{} fichiers dans {}, à lire dans l'ordre", n + 1, dir.display()),
                };
                Ok(format!("Réponse pour {office} écrite et relue : {files}. Vous pouvez retirer la clé."))
            })]),
            Request::ResolveConflict { id, apply, note } => Reply::SyncDone(vec![self.with_mut(|core, s| {
                core.resolve_conflict(s, id, apply, &note)?;
                Ok(format!("Conflit n° {id} {}.", if apply { "appliqué" } else { "écarté" }))
            })]),
            Request::RequestResync(dir) => Reply::SyncDone(vec![self.with_mut(|core, s| {
                let r = core.request_resync(s, &dir)?;
                Ok(format!(
                    "Demande de resynchronisation écrite : {}. Portez-la à la délégation ; sa réponse rétablira les données du site.",
                    r.path.display()
                ))
            })]),
            Request::ImportBundles(paths) => {
                Reply::SyncDone(match self.with_mut(|core, s| core.import_paths(s, &paths)) {
                    Ok(lines) => lines.into_iter().map(|l| l.result.map(|o| format!("{} : {o}", l.file))).collect(),
                    Err(e) => vec![Err(e)],
                })
            }
            Request::AddReason(form) => Reply::ReasonAdded(self.with_mut(|core, s| {
                core.add_reason(s, &form.code, &form.label_fr, &form.label_ar, &form.used_for)
            })),
            Request::CommissionSessions => {
                Reply::CommissionSessions(self.with(|core, s| core.commission_sessions(s)))
            }
            Request::OpenCommissionSession(form) => Reply::SessionOpened(self.with_mut(|core, s| {
                let row = core.open_commission_session(s, &form.reference, &form.held_on, &form.place, &form.members)?;
                Ok(row.value.reference)
            })),
            Request::Agenda(filter) => Reply::Agenda(self.with(|core, s| core.agenda(s, &filter))),
            Request::RecordSession { reference, verdicts, overrun } => {
                Reply::SessionRecorded(self.with_mut(|core, s| {
                    let tally = core.record_session(s, &reference, &verdicts, overrun.as_deref())?;
                    Ok(format!("Session {reference} : {}", tally.summary_fr()))
                }))
            }
            Request::CloseCommissionSession(reference) => Reply::SessionRecorded(self.with_mut(|core, s| {
                core.close_commission_session(s, &reference)?;
                Ok(format!("Session {reference} close : son procès-verbal est définitif."))
            })),
            Request::Certificates => Reply::Certificates(self.with(|core, s| core.certificates(s, CERTIFICATE_LIST))),
            Request::IssueCertificate(subject) => {
                let documents = self.data_dir.join("documents");
                Reply::DocumentWritten(self.with_mut(|core, s| {
                    let (row, pdf) = core.issue_certificate(s, &subject)?;
                    save_in_folder(&documents, &format!("attestation-{}", row.value.number), "pdf", &pdf)
                }))
            }
            Request::IssueCertificates(numbers) => {
                let documents = self.data_dir.join("documents");
                Reply::DocumentWritten(self.with_mut(|core, s| {
                    let subjects: Vec<CertificateSubject> =
                        numbers.iter().cloned().map(CertificateSubject::Dossier).collect();
                    let (rows, pdf) = core.issue_certificates(s, &subjects)?;
                    let stem = match rows.as_slice() {
                        [one] => format!("attestation-{}", one.value.number),
                        many => format!(
                            "attestations-{}-a-{}",
                            many.first().map_or("", |r| r.value.number.as_str()),
                            many.last().map_or("", |r| r.value.number.as_str())
                        ),
                    };
                    save_in_folder(&documents, &stem, "pdf", &pdf)
                }))
            }
            Request::ReprintCertificate(number) => {
                let documents = self.data_dir.join("documents");
                Reply::DocumentWritten(self.with_mut(|core, s| {
                    let pdf = core.reprint_certificate(s, &number)?;
                    save_in_folder(&documents, &format!("attestation-{}-duplicata", number.trim()), "pdf", &pdf)
                }))
            }
            Request::RevokeCertificate { number, reason } => Reply::Revoked(self.with_mut(|core, s| {
                core.revoke_certificate(s, &number, &reason)?;
                core.certificates(s, CERTIFICATE_LIST)
            })),
            Request::VerifyCertificate(payload) => Reply::Verdict(self.core.verify_certificate(&payload)),
            Request::Bilan { from, to, by } => Reply::Bilan(self.with(|core, s| {
                Ok((core.bilan(s, from, to, by)?, core.closing_of_period(s, from, to)?))
            })),
            Request::CloseYear { year, by } => Reply::Bilan(self.with_mut(|core, s| {
                let closed = core.close_year(s, year)?;
                Ok((core.bilan(s, closed.frozen.from, closed.frozen.to, by)?, Some(closed)))
            })),
            Request::DrillDown { from, to, by, key, group } => Reply::DrillDown(self.with(|core, s| {
                let lines = core.bilan_drill_down(s, from, to, by, &key, group.as_deref())?;
                Ok(DrillDown { key, group, lines })
            })),
            Request::WriteAnnualReport(year) => {
                let documents = self.data_dir.join("documents");
                Reply::DocumentWritten(self.with(|core, s| {
                    let pdf = core.annual_report_file(s, year, BilanFormat::Pdf)?;
                    save_in_folder(&documents, &format!("rapport-annuel-{year}"), "pdf", &pdf)
                }))
            }
            Request::WriteBilan { from, to, by, format } => {
                let documents = self.data_dir.join("documents");
                Reply::DocumentWritten(self.with(|core, s| {
                    let by_name = by.map(|b| format!("-par-{}", b.label_fr().to_lowercase())).unwrap_or_default();
                    let stem = format!("bilan-{from}-{to}{by_name}");
                    save_in_folder(&documents, &stem, format.extension(), &core.bilan_file(s, from, to, by, format)?)
                }))
            }
            Request::Links => Reply::Links(self.with(|core, s| {
                let fingerprint = s.secrets().map(|_| core.identity_file(s).map(|f| f.keys.fingerprint())).transpose()?;
                Ok((fingerprint, core.peers(s)?))
            })),
            Request::ExportIdentity(dir) => Reply::LinkDone(self.with(|core, s| {
                let (path, fingerprint) = core.export_identity(s, &dir)?;
                Ok(format!(
                    "Fichier d'identité écrit : {}. Portez-le à l'autre site avec le formulaire où l'empreinte {fingerprint} est recopiée.",
                    path.display()
                ))
            })),
            Request::Enroll { file, fingerprint } => Reply::LinkDone(self.with_mut(|core, s| {
                let peer = core.enroll_from_file(s, &file, &fingerprint)?;
                let what = match peer.relation {
                    crate::app::Relation::Parent => "délégation de rattachement : les paquets lui sont destinés",
                    _ => "site supervisé : ses paquets seront lus ici",
                };
                Ok(format!("{} ({}) enrôlé — {what}.", peer.code, peer.name))
            })),
            Request::RevokeSite { code, reason } => Reply::LinkDone(self.with_mut(|core, s| {
                core.revoke_site(s, &code, &reason)?;
                Ok(format!("Clé de {code} révoquée : ses paquets seront refusés ; la révocation part avec la prochaine réponse."))
            })),
            Request::RotateKeys(password) => Reply::KeysRotated(self.with_mut(|core, s| core.rotate_keys(s, &password))),
            Request::ImportCsv { target, file, sheet } => {
                Reply::CsvImported(self.with_mut(|core, s| core.import_csv_file(s, target, &file, sheet.as_deref())))
            }
            Request::Print(document) => {
                let documents = self.data_dir.join("documents");
                Reply::DocumentWritten(self.with_mut(|core, s| core.write_document(s, &document, &documents)))
            }
        })
    }

    /// Starts a backup on its own thread with its own connection: into `dir`, or the automatic one
    /// (when due, or with `force`; the ten newest kept). Its progress and its end come as
    /// replies; searches and edits go on meanwhile. `None` when it started (or one already runs).
    fn start_backup(&mut self, dir: Option<PathBuf>, force: bool) -> Option<Reply> {
        let Some(session) = self.session.as_ref() else { return Some(inline_error(no_session())) };
        let automatic = dir.is_none();
        let Some(dir) = dir.or_else(|| self.core.backup_due(force)) else { return Some(Reply::BackedUp(Ok(None))) };
        let prepared = self
            .core
            .backup_plan(session)
            .and_then(|plan| Ok((plan, self.core.background_reader(session, Action::ViewRegister)?)));
        let (plan, reader) = match prepared {
            Ok((plan, Some(reader))) => (plan, reader),
            // A database in memory (tests): there is no file to copy apart, so inline.
            Ok((_, None)) => return Some(Reply::BackedUp(self.core.backup(session, &dir).map(Some))),
            Err(e) => return Some(Reply::BackedUp(Err(e))),
        };
        if self.backing_up.swap(true, Ordering::SeqCst) {
            // One at a time: the daily one simply waits for tomorrow; one asked for is told.
            return (!automatic).then(|| {
                Reply::BackedUp(Err(AppError::Rule(
                    "Une sauvegarde est déjà en cours (son avancement est affiché à gauche, sous la liste des écrans) : attendez qu'elle finisse, puis recommencez.".into(),
                )))
            });
        }
        let now = self.core.clock().now_utc();
        let (replies, ctx) = self.spawned.clone();
        let running = self.backing_up.clone();
        let spawned = std::thread::Builder::new().name("daftar-sauvegarde".into()).spawn(move || {
            // Whatever happens (even a panic), the window hears the end and the next backup may
            // start.
            let mut end = BackupEnd { replies, ctx, running, result: None };
            // At most ten reports a second: the window redraws for each.
            let last = std::sync::Mutex::new(None::<std::time::Instant>);
            let progress = |p: BackupProgress| {
                let Ok(mut last) = last.lock() else { return };
                if last.is_none_or(|at| at.elapsed() >= std::time::Duration::from_millis(100)) {
                    *last = Some(std::time::Instant::now());
                    end.wake(Reply::BackupProgress(p));
                }
            };
            let result = reader.backup(&plan, &dir, now, &progress);
            if result.is_ok() && automatic {
                crate::app::prune_backups(&dir);
            }
            end.result = Some(result.map(Some));
        });
        match spawned {
            Ok(_) => None,
            Err(e) => {
                self.backing_up.store(false, Ordering::SeqCst);
                Some(Reply::BackedUp(Err(AppError::Rule(format!(
                    "La sauvegarde n'a pas pu démarrer ({}) : recommencez.",
                    crate::app::io_message(&e)
                )))))
            }
        }
    }

    /// Runs a long read on its own thread and connection (the figures and the full check read the
    /// whole file: seconds on a large register), so that searches go on meanwhile; inline in tests
    /// and for a database in memory.
    fn in_background(
        &self,
        action: Action,
        read: impl FnOnce(BackgroundReader) -> Reply + Send + 'static,
        inline: impl FnOnce(&Core, &Session) -> Reply,
    ) -> Option<Reply> {
        let Some(session) = self.session.as_ref() else { return Some(inline_error(no_session())) };
        let reader = match self.core.background_reader(session, action) {
            Ok(reader) => reader,
            Err(e) => return Some(inline_error(e)),
        };
        match (reader, &self.background) {
            (Some(reader), Some((replies, ctx))) => {
                let (replies, ctx) = (replies.clone(), ctx.clone());
                let spawned = std::thread::Builder::new().name("daftar-lecture".into()).spawn(move || {
                    if replies.send(read(reader)).is_ok() {
                        ctx.request_repaint();
                    }
                });
                spawned.err().map(|e| inline_error(AppError::Rule(format!("Lecture impossible à lancer : {e}"))))
            }
            _ => Some(inline(&self.core, session)),
        }
    }

    fn open(&mut self, session: Session) -> SessionInfo {
        let reasons = self.core.reasons().unwrap_or_else(|_| crate::reference::Reference::shipped().reasons.clone());
        let info = SessionInfo::of(&session, self.core.clock().today(), reasons);
        self.session = Some(session);
        info
    }

    fn with<T>(&self, read: impl FnOnce(&Core, &Session) -> Result<T, AppError>) -> Result<T, AppError> {
        let session = self.session.as_ref().ok_or_else(no_session)?;
        read(&self.core, session)
    }

    fn with_mut<T>(&mut self, write: impl FnOnce(&mut Core, &Session) -> Result<T, AppError>) -> Result<T, AppError> {
        let session = self.session.as_ref().ok_or_else(no_session)?;
        write(&mut self.core, session)
    }

    fn create_demo(&mut self) -> Result<String, AppError> {
        let (session, accounts) = demo::create_demo_site(&mut self.core)?;
        let summary = demo::populate(&mut self.core, &session, 300, 2026)?;
        let accounts: Vec<String> =
            accounts.iter().map(|a| format!("{} / {} ({})", a.login, a.password, a.role.label_fr())).collect();
        Ok(format!("{summary}\nComptes : {}", accounts.join(" ; ")))
    }
}

/// The end of a backup's thread: its result to the window, then the next backup allowed — in
/// that order, so that the window never mistakes a new backup's progress for the old one's end.
struct BackupEnd {
    replies: Sender<Reply>,
    ctx: Option<egui::Context>,
    running: Arc<AtomicBool>,
    /// The backup's result, once it has one.
    result: Option<Result<Option<PathBuf>, AppError>>,
}

impl BackupEnd {
    fn wake(&self, reply: Reply) {
        let _ = self.replies.send(reply);
        if let Some(ctx) = &self.ctx {
            ctx.request_repaint();
        }
    }
}

impl Drop for BackupEnd {
    fn drop(&mut self) {
        let result = self.result.take().unwrap_or_else(|| {
            Err(AppError::Rule("La sauvegarde s'est interrompue : elle sera refaite au prochain démarrage.".into()))
        });
        self.wake(Reply::BackedUp(result));
        self.running.store(false, Ordering::SeqCst);
    }
}

/// The screens' handle on the worker.
pub struct Backend {
    mode: Mode,
    /// Where printed documents go.
    documents: PathBuf,
}

enum Mode {
    Thread {
        requests: Sender<Request>,
        replies: Receiver<Reply>,
    },
    Inline {
        worker: Box<Worker>,
        replies: VecDeque<Reply>,
        from_threads: Receiver<Reply>,
        /// Requests kept waiting while the test holds the worker (see [`Backend::hold`]).
        held: Option<VecDeque<Request>>,
    },
}

impl Backend {
    /// Starts the worker thread; each reply wakes `ctx`. `data_dir` is the database's folder.
    pub fn spawn(core: Core, ctx: egui::Context, data_dir: PathBuf) -> std::io::Result<Backend> {
        let documents = data_dir.join("documents");
        let (request_tx, request_rx) = channel::<Request>();
        let (reply_tx, reply_rx) = channel::<Reply>();
        let background = (reply_tx.clone(), ctx.clone());
        let spawned = (reply_tx.clone(), Some(ctx.clone()));
        let mut core = core;
        core.report_progress_to(progress_to(reply_tx.clone(), Some(ctx.clone())));
        std::thread::Builder::new().name("daftar-core".into()).spawn(move || {
            let mut worker = Worker {
                core,
                session: None,
                data_dir,
                background: Some(background),
                spawned,
                backing_up: Arc::default(),
            };
            while let Ok(first) = request_rx.recv() {
                // Keep only the newest search among those waiting: typing fast runs one query.
                let mut batch = vec![first];
                batch.extend(request_rx.try_iter());
                let newest_search = batch.iter().rposition(|r| matches!(r, Request::Search { page: 0, .. }));
                let newest_list = batch.iter().rposition(|r| matches!(r, Request::Worklist { .. }));
                for (i, request) in batch.into_iter().enumerate() {
                    let stale = match request {
                        Request::Search { page: 0, .. } => Some(i) != newest_search,
                        Request::Worklist { .. } => Some(i) != newest_list,
                        _ => false,
                    };
                    if stale {
                        continue;
                    }
                    let long = super::work::Work::started_by(&request).is_some();
                    let reply = worker.handle(request);
                    // Long work's end follows its reply, whatever that reply was.
                    for reply in reply.into_iter().chain(long.then_some(Reply::WorkEnded)) {
                        if reply_tx.send(reply).is_err() {
                            return;
                        }
                        ctx.request_repaint();
                    }
                }
            }
        })?;
        Ok(Backend { mode: Mode::Thread { requests: request_tx, replies: reply_rx }, documents })
    }

    /// A backend that answers on the caller's thread, for tests (a backup still runs on its own
    /// thread, as in the application).
    pub fn inline(mut core: Core, data_dir: PathBuf) -> Backend {
        let documents = data_dir.join("documents");
        let (spawned, from_threads) = channel::<Reply>();
        core.report_progress_to(progress_to(spawned.clone(), None));
        let worker = Worker {
            core,
            session: None,
            data_dir,
            background: None,
            spawned: (spawned, None),
            backing_up: Arc::default(),
        };
        let mode = Mode::Inline { worker: Box::new(worker), replies: VecDeque::new(), from_threads, held: None };
        Backend { mode, documents }
    }

    /// Tests: keeps the requests waiting, as a worker busy with long work would, until called
    /// again with `false` (then they are answered at the next poll). No effect on a worker thread.
    pub fn hold(&mut self, hold: bool) {
        if let Mode::Inline { held, .. } = &mut self.mode {
            match (hold, held.is_some()) {
                (true, false) => *held = Some(VecDeque::new()),
                (false, true) => {
                    let waiting = held.take().unwrap_or_default();
                    waiting.into_iter().for_each(|request| self.send(request));
                }
                _ => {}
            }
        }
    }

    /// Tests: how many requests wait while held.
    #[must_use]
    pub fn waiting(&self) -> usize {
        match &self.mode {
            Mode::Inline { held: Some(held), .. } => held.len(),
            _ => 0,
        }
    }

    /// The folder printed documents are written to.
    pub fn documents_dir(&self) -> &std::path::Path {
        &self.documents
    }

    /// Sends a request.
    pub fn send(&mut self, request: Request) {
        match &mut self.mode {
            Mode::Thread { requests, .. } => {
                // A closed channel means the worker ended; the next poll shows nothing new.
                let _ = requests.send(request);
            }
            Mode::Inline { held: Some(held), .. } => held.push_back(request),
            Mode::Inline { worker, replies, from_threads, held: None } => {
                let long = super::work::Work::started_by(&request).is_some();
                let reply = worker.handle(request);
                // What the work reported on the way comes before its end, as from a thread.
                replies.extend(from_threads.try_iter());
                replies.extend(reply);
                replies.extend(long.then_some(Reply::WorkEnded));
            }
        }
    }

    /// The replies that arrived since the last call.
    pub fn poll(&mut self) -> Vec<Reply> {
        match &mut self.mode {
            Mode::Thread { replies, .. } => replies.try_iter().collect(),
            Mode::Inline { replies, from_threads, .. } => {
                replies.extend(from_threads.try_iter());
                replies.drain(..).collect()
            }
        }
    }
}

/// A sink for the core's progress that sends it as a reply and wakes the window.
fn progress_to(replies: Sender<Reply>, ctx: Option<egui::Context>) -> crate::app::ProgressSink {
    Arc::new(move |progress| {
        if let (Ok(()), Some(ctx)) = (replies.send(Reply::Progress(progress)), &ctx) {
            ctx.request_repaint();
        }
    })
}

/// « 1 enregistrement », « 13 859 enregistrements ».
fn records(n: usize) -> String {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    let grouped = crate::domain::money::group_thousands_fr(n);
    if n <= 1 { format!("{grouped} enregistrement") } else { format!("{grouped} enregistrements") }
}
