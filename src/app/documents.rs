//! The documents of a dossier as PDF: what the core reads for them (the rendering is in
//! [`crate::documents::dossier`]), and how a document reaches the disk: always a new file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{AppError, Core, Session};
use crate::documents::bilan_files::{self, BilanFormat};
use crate::documents::dossier::{self, DecisionFacts, DocumentLine, DossierFacts};
use crate::documents::lists::{CommissionLine, TransmittalSlip, commission_list, transmittal_slip};
use crate::documents::statement::Section;
use crate::domain::applicant::{Applicant, CardHolder};
use crate::domain::dates::format_date_fr;
use crate::domain::indicators::{Bilan, Breakdown};
use crate::domain::project::Project;
use crate::domain::role::Action;
use crate::domain::visit::Visit;
use crate::store::records::{find, get_live};

impl Core {
    /// Everything the documents say about the dossier numbered `number`.
    fn dossier_facts(&self, session: &Session, number: &str) -> Result<(DossierFacts, super::DossierView), AppError> {
        let row = self.dossier_by_number(session, number)?;
        let view = self.dossier_view(session, row.meta.id)?;
        let d = &view.dossier.value;
        let conn = self.store.conn();
        let applicant = get_live::<Applicant>(conn, d.applicant_id)?.value;
        let holder = match applicant.card_holder_id {
            Some(id) => Some(get_live::<CardHolder>(conn, id)?.value),
            None => None,
        };
        let project = get_live::<Project>(conn, d.project_id)?.value;
        let visits = find::<Visit>(conn, "project_id = ?1", &d.project_id.to_string())?;
        let mut details = Vec::new();
        if !project.sector.is_empty() || !project.commune.is_empty() {
            details.push(format!("Secteur : {} — commune : {}", project.sector, project.commune));
        }
        if let Some(ice) = &project.ice {
            details.push(format!("ICE {}", ice.as_str()));
        }
        if let Some(rc) = &project.rc {
            details.push(rc.to_string());
        }
        if let Some(odco) = &project.odco_number {
            details.push(format!("ODCO n° {odco}"));
        }
        if let Some(receipt) = &project.association_receipt {
            details.push(format!("Récépissé de l'association n° {receipt}"));
        }
        let facts = DossierFacts {
            number: d.number.to_string(),
            deposited_on: d.deposited_on,
            status: (d.status.label_fr().to_owned(), d.status.label_ar().to_owned()),
            applicant: (
                format!("{} {}", applicant.first_name, applicant.last_name).trim().to_owned(),
                format!("{} {}", applicant.first_name_ar, applicant.last_name_ar).trim().to_owned(),
                applicant.cin.to_string(),
            ),
            entitlement: match &holder {
                Some(h) => {
                    format!("{} — carte n° {} ({})", applicant.relationship.label_fr(), h.card_number, h.name_latin)
                }
                None => applicant.relationship.label_fr().to_owned(),
            },
            contact: [
                applicant.address.as_str(),
                applicant.commune.as_str(),
                applicant.phone.as_ref().map_or("", |p| p.as_str()),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" — "),
            project: project.name.clone(),
            project_kind: (project.kind.label_fr().to_owned(), project.kind.label_ar().to_owned()),
            project_details: details,
            jobs: (project.jobs_planned.total, project.jobs_planned.family),
            requested: d.requested,
            documents: view
                .checklist
                .iter()
                .map(|(item, on)| DocumentLine {
                    label_fr: item.label_fr.clone(),
                    label_ar: item.label_ar.clone(),
                    required: item.required,
                    received_on: *on,
                })
                .collect(),
            history: d
                .history
                .iter()
                .map(|t| {
                    let reason = t.reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default();
                    format!(
                        "{} : de « {} » à « {} » ({}){reason}",
                        format_date_fr(t.on),
                        t.from.label_fr(),
                        t.to.label_fr(),
                        t.by
                    )
                })
                .collect(),
            funding: view
                .funding
                .iter()
                .flat_map(|(line, paid)| {
                    let head =
                        format!("{} : {} engagés ({})", line.value.source, line.value.committed, line.value.year);
                    std::iter::once(head).chain(paid.iter().map(|p| {
                        format!(
                            "    tranche {} du {} : {}",
                            p.value.tranche,
                            format_date_fr(p.value.paid_on),
                            p.value.amount
                        )
                    }))
                })
                .collect(),
            visits: visits
                .iter()
                .map(|v| {
                    let v = &v.value;
                    format!(
                        "{} : {} emplois constatés dont {} famille{}",
                        format_date_fr(v.visited_on),
                        v.jobs_verified.total,
                        v.jobs_verified.family,
                        if v.active { "" } else { " — projet inactif" }
                    )
                })
                .collect(),
        };
        Ok((facts, view))
    }

    /// The *récépissé de dépôt* of a dossier.
    pub fn receipt_pdf(&self, session: &Session, number: &str) -> Result<Vec<u8>, AppError> {
        session.require(Action::RegisterDossier)?;
        let (facts, _) = self.dossier_facts(session, number)?;
        Ok(dossier::receipt(&self.issuer(session)?, self.clock.today(), &facts, self.print_margins()?))
    }

    /// The *fiche dossier*.
    pub fn dossier_sheet_pdf(&self, session: &Session, number: &str) -> Result<Vec<u8>, AppError> {
        session.require(Action::ViewRegister)?;
        let (facts, _) = self.dossier_facts(session, number)?;
        Ok(dossier::sheet(&self.issuer(session)?, self.clock.today(), &facts, self.print_margins()?))
    }

    /// The *liste des dossiers présentés à la commission*: every transmitted dossier awaiting
    /// its decision, oldest deposit first (where the site decides).
    pub fn commission_list_pdf(&self, session: &Session) -> Result<Vec<u8>, AppError> {
        let mut agenda = self.agenda(session, &super::AgendaFilter::default())?;
        agenda.sort_by(|a, b| (a.deposited_on, &a.number).cmp(&(b.deposited_on, &b.number)));
        let lines: Vec<CommissionLine> = agenda
            .into_iter()
            .map(|d| CommissionLine {
                number: d.number,
                applicant: d.name,
                applicant_ar: d.name_ar,
                cin: d.cin,
                project: match d.adjourned {
                    Some((on, _)) => format!("{} — ajourné le {}", d.project, format_date_fr(on)),
                    None => d.project,
                },
                kind: d.kind.abbrev_fr().to_owned(),
                deposited_on: d.deposited_on.unwrap_or_default(),
                requested: d.requested,
            })
            .collect();
        Ok(commission_list(&self.issuer(session)?, self.clock.today(), &lines, self.print_margins()?))
    }

    /// The *bilan* of `from..=to`, broken down `by` office, province or region when asked
    /// (definitions in `docs/indicators.md`).
    pub fn bilan(
        &self,
        session: &Session,
        from: NaiveDate,
        to: NaiveDate,
        by: Option<Breakdown>,
    ) -> Result<Bilan, AppError> {
        session.require(Action::RunReports)?;
        if from > to {
            return Err(AppError::Rule(format!(
                "La période commence le {} après sa fin, le {} : inversez les dates.",
                format_date_fr(from),
                format_date_fr(to)
            )));
        }
        Ok(crate::store::report::bilan(self.store.conn(), from, to, by)?)
    }

    /// The dossiers behind the figure `key` of the bilan (in `group` when given).
    pub fn bilan_drill_down(
        &self,
        session: &Session,
        from: NaiveDate,
        to: NaiveDate,
        by: Option<Breakdown>,
        key: &str,
        group: Option<&str>,
    ) -> Result<Vec<super::DrillLine>, AppError> {
        session.require(Action::RunReports)?;
        Ok(crate::store::report::drill_down(self.store.conn(), from, to, by, key, group)?)
    }

    /// The bilan as a file of `format`.
    pub fn bilan_file(
        &self,
        session: &Session,
        from: NaiveDate,
        to: NaiveDate,
        by: Option<Breakdown>,
        format: BilanFormat,
    ) -> Result<Vec<u8>, AppError> {
        let figures = self.bilan(session, from, to, by)?;
        match format {
            BilanFormat::Pdf => Ok(crate::documents::bilan::bilan(
                &self.issuer(session)?,
                self.clock.today(),
                &figures,
                self.print_margins()?,
            )),
            BilanFormat::Csv => bilan_files::csv(&figures).map_err(AppError::Rule),
            BilanFormat::Xlsx => bilan_files::xlsx(&figures).map_err(AppError::Rule),
            BilanFormat::Json => Ok(bilan_files::json(&figures, session.site.code.as_str())),
        }
    }

    /// The annual report of `year`: as a PDF laid out as the assembly reads a year (the year's
    /// figures by office and by province), or its figures by office as CSV, XLSX or JSON.
    pub fn annual_report_file(&self, session: &Session, year: i32, format: BilanFormat) -> Result<Vec<u8>, AppError> {
        let day =
            |m, d| NaiveDate::from_ymd_opt(year, m, d).ok_or_else(|| AppError::Rule(format!("Année {year} invalide.")));
        let (from, to) = (day(1, 1)?, day(12, 31)?);
        if format != BilanFormat::Pdf {
            return self.bilan_file(session, from, to, Some(Breakdown::Office), format);
        }
        session.require(Action::RunReports)?;
        let (by_office, by_province) =
            crate::store::report::bilans_by_office_and_province(self.store.conn(), from, to)?;
        self.progress.report("Mise en page", 0, 0);
        Ok(crate::documents::annual::annual_report(
            &self.issuer(session)?,
            self.clock.today(),
            year,
            &by_office,
            &by_province,
            self.print_margins()?,
        ))
    }

    /// The *bordereau de transmission* of a bundle just written.
    pub fn transmittal_pdf(&self, session: &Session, report: &super::ExportReport) -> Result<Vec<u8>, AppError> {
        session.require(Action::Synchronize)?;
        let conn = self.store.conn();
        let dossiers = report
            .transmitted
            .iter()
            .map(|(number, applicant)| {
                let name = uuid::Uuid::parse_str(applicant)
                    .ok()
                    .and_then(|id| get_live::<Applicant>(conn, id).ok())
                    .map(|a| format!("{} (CIN {})", a.value.display_name(), a.value.cin))
                    .unwrap_or_default();
                (number.clone(), name)
            })
            .collect();
        let slip = TransmittalSlip {
            file: {
                let name = |p: &Path| p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
                match report.more.last() {
                    None => name(&report.path),
                    Some((last, _, _)) => {
                        format!("{} à {} ({} fichiers)", name(&report.path), name(last), report.more.len() + 1)
                    }
                }
            },
            sequence: report.sequence,
            recipient: report.recipient.clone(),
            written_at: report.written_at.clone(),
            range: report.range,
            hash: report.hash.clone(),
            by_table: report.by_table.clone(),
            dossiers,
        };
        Ok(transmittal_slip(&self.issuer(session)?, self.clock.today(), &slip, self.print_margins()?))
    }

    /// The *notification de décision*, once the commission has decided.
    pub fn decision_notice_pdf(&self, session: &Session, number: &str) -> Result<Vec<u8>, AppError> {
        session.require(Action::ViewRegister)?;
        let (facts, decided) = self.decided_facts(session, number)?.map_err(AppError::Rule)?;
        let issuer = self.issuer(session)?;
        Ok(dossier::decision_notice(
            &issuer,
            self.clock.today(),
            &facts,
            &decided,
            &session.full_name,
            self.print_margins()?,
        ))
    }

    /// A dossier's facts and its commission's decision, or why there is nothing to notify.
    fn decided_facts(
        &self,
        session: &Session,
        number: &str,
    ) -> Result<Result<(DossierFacts, DecisionFacts), String>, AppError> {
        let (facts, view) = self.dossier_facts(session, number)?;
        let Some(decision) = view.decision else {
            return Ok(Err(format!(
                "Le dossier {} n'a pas encore de décision de la commission : rien à notifier.",
                facts.number
            )));
        };
        let decision = &decision.value;
        let grants = decision.grants.iter().map(|g| (g.source.to_string(), g.source.label_ar(), g.amount)).collect();
        let reasons = self.reasons()?;
        let decided = DecisionFacts {
            approved: decision.approved,
            decided_on: decision.decided_on,
            commission_ref: decision.commission_ref.clone(),
            grants,
            reason: decision.reason.as_deref().map(|r| crate::reference::reason_in_both(r, &reasons)),
        };
        Ok(Ok((facts, decided)))
    }

    /// The minutes (*procès-verbal*) of the commission's session `reference`.
    pub fn minutes_pdf(&self, session: &Session, reference: &str) -> Result<Vec<u8>, AppError> {
        let minutes = self.minutes(session, reference)?;
        self.progress.report("Mise en page", 0, 0);
        Ok(crate::documents::minutes::minutes(
            &self.issuer(session)?,
            self.clock.today(),
            &minutes,
            &self.reasons()?,
            self.print_margins()?,
        ))
    }

    /// The receipts of the dossiers `numbers` in one PDF, in that order.
    pub fn receipts_pdf(&self, session: &Session, numbers: &[String]) -> Result<Vec<u8>, AppError> {
        session.require(Action::RegisterDossier)?;
        let facts = self.each_dossier(numbers, "Préparation des récépissés", |number| {
            Ok(Ok(self.dossier_facts(session, number)?.0))
        })?;
        self.progress.report("Mise en page", 0, 0);
        Ok(dossier::receipts(&self.issuer(session)?, self.clock.today(), &facts, self.print_margins()?))
    }

    /// The notifications of the decisions on the dossiers `numbers` in one PDF, in that order;
    /// refused whole, naming them, when some have no decision yet.
    pub fn decision_notices_pdf(&self, session: &Session, numbers: &[String]) -> Result<Vec<u8>, AppError> {
        session.require(Action::ViewRegister)?;
        let notices =
            self.each_dossier(numbers, "Préparation des notifications", |number| self.decided_facts(session, number))?;
        self.progress.report("Mise en page", 0, 0);
        let issuer = self.issuer(session)?;
        Ok(dossier::decision_notices(&issuer, self.clock.today(), &notices, &session.full_name, self.print_margins()?))
    }

    /// `read` for each of `numbers`, reporting the count under `stage`; every dossier that cannot
    /// be printed is named in one refusal (nothing is printed then).
    fn each_dossier<T>(
        &self,
        numbers: &[String],
        stage: &str,
        read: impl Fn(&str) -> Result<Result<T, String>, AppError>,
    ) -> Result<Vec<T>, AppError> {
        if numbers.is_empty() {
            return Err(AppError::Rule("Cochez d'abord les dossiers à imprimer.".into()));
        }
        let (mut done, mut refused) = (Vec::with_capacity(numbers.len()), Vec::new());
        for (i, number) in numbers.iter().enumerate() {
            self.progress.every(20, stage, i as u64, numbers.len() as u64);
            match read(number)? {
                Ok(value) => done.push(value),
                Err(why) => refused.push(why),
            }
        }
        if refused.is_empty() {
            Ok(done)
        } else {
            Err(AppError::Rule(format!(
                "Rien n'a été imprimé. {} Retirez ces dossiers de la sélection.",
                refused.join(" ")
            )))
        }
    }
}

/// A document the window and the command line print by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    /// The *récépissé de dépôt* of the dossier with this number.
    Receipt(String),
    /// The *fiche dossier*.
    Sheet(String),
    /// The *notification de décision*.
    DecisionNotice(String),
    /// The list of the dossiers presented to the commission.
    CommissionList,
    /// The *relevé des données* of the person with this CIN (law 09-08).
    DataStatement(String),
    /// What the retention rules would anonymise today.
    RetentionReport,
    /// The receipts of the dossiers with these numbers, in one PDF.
    Receipts(Vec<String>),
    /// The notifications of the decisions on these dossiers, in one PDF.
    DecisionNotices(Vec<String>),
    /// The minutes of the commission's session with this reference.
    SessionMinutes(String),
    /// The notifications of every decision of the commission's session with this reference.
    SessionNotices(String),
}

impl Document {
    /// The file name it is saved under (without extension), on `today`.
    pub fn file_stem(&self, today: NaiveDate) -> String {
        match self {
            Document::Receipt(number) => format!("recepisse-{}", number.trim()),
            Document::Sheet(number) => format!("fiche-{}", number.trim()),
            Document::DecisionNotice(number) => format!("notification-{}", number.trim()),
            Document::CommissionList => format!("liste-commission-{}", today.format("%Y-%m-%d")),
            Document::DataStatement(cin) => format!("releve-{}", cin.trim()),
            Document::RetentionReport => format!("conservation-{}", today.format("%Y-%m-%d")),
            Document::Receipts(numbers) => {
                format!("recepisses-{}-{}-dossiers", today.format("%Y-%m-%d"), numbers.len())
            }
            Document::DecisionNotices(numbers) => {
                format!("notifications-{}-{}-dossiers", today.format("%Y-%m-%d"), numbers.len())
            }
            Document::SessionMinutes(reference) => format!("proces-verbal-{}", file_safe(reference)),
            Document::SessionNotices(reference) => format!("notifications-{}", file_safe(reference)),
        }
    }
}

impl Core {
    /// The PDF of `document` (printing a relevé is audited, hence `&mut`).
    pub fn document_pdf(&mut self, session: &Session, document: &Document) -> Result<Vec<u8>, AppError> {
        match document {
            Document::Receipt(number) => self.receipt_pdf(session, number),
            Document::Sheet(number) => self.dossier_sheet_pdf(session, number),
            Document::DecisionNotice(number) => self.decision_notice_pdf(session, number),
            Document::CommissionList => self.commission_list_pdf(session),
            Document::DataStatement(cin) => self.data_statement_pdf(session, cin),
            Document::RetentionReport => self.retention_report_pdf(session),
            Document::Receipts(numbers) => self.receipts_pdf(session, numbers),
            Document::DecisionNotices(numbers) => self.decision_notices_pdf(session, numbers),
            Document::SessionMinutes(reference) => self.minutes_pdf(session, reference),
            Document::SessionNotices(reference) => {
                let numbers = self.session_decided_numbers(session, reference)?;
                if numbers.is_empty() {
                    return Err(AppError::Rule(format!(
                        "La session « {} » n'a encore pris aucune décision : rien à notifier.",
                        reference.trim()
                    )));
                }
                self.decision_notices_pdf(session, &numbers)
            }
        }
    }

    /// Writes `document` as a new PDF in the folder `dir`; returns its path.
    pub fn write_document(&mut self, session: &Session, document: &Document, dir: &Path) -> Result<PathBuf, AppError> {
        let pdf = self.document_pdf(session, document)?;
        save_in_folder(dir, &document.file_stem(self.clock.today()), "pdf", &pdf)
    }
}

/// Copies `document` to `target`: a file, or a folder that exists (the copy keeps the
/// document's name there). An existing file is replaced only when `replace` (the system's save
/// dialog asked already); a typed name never overwrites. Returns where the copy went.
pub fn copy_document(document: &Path, target: &Path, replace: bool) -> Result<PathBuf, AppError> {
    let target = match (target.is_dir(), document.file_name()) {
        (true, Some(name)) => target.join(name),
        _ => target.to_path_buf(),
    };
    let failed = |e: std::io::Error| {
        AppError::Rule(format!("Copie impossible vers {} : {}.", target.display(), super::io_message(&e)))
    };
    if target.exists() && !replace {
        return Err(AppError::Rule(format!(
            "{} existe déjà : choisissez un autre nom (rien n'a été remplacé).",
            target.display()
        )));
    }
    std::fs::copy(document, &target).map_err(failed)?;
    Ok(target)
}

/// Makes the documents' folder `dir` exist (it is shown, and opened, before anything is printed).
pub fn make_folder(dir: &Path) -> Result<(), AppError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        AppError::Rule(format!("Le dossier {} ne peut être créé : {}.", dir.display(), super::io_message(&e)))
    })
}

/// Writes `bytes` to `path`, which must not exist yet (a printed document is never replaced by
/// mistake); the data is on the disk when this returns.
pub fn save_new(path: &Path, bytes: &[u8]) -> Result<(), std::io::Error> {
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    crate::crash_points::reached();
    file.sync_all()
}

/// Writes `bytes` as a new `stem.EXT` in `dir` (created if needed) — `stem-2.EXT`, `stem-3.EXT`…
/// when the name is taken. Returns its path.
pub fn save_in_folder(dir: &Path, stem: &str, extension: &str, bytes: &[u8]) -> Result<PathBuf, AppError> {
    let failed = |e: std::io::Error| {
        AppError::Rule(format!("Impossible d'écrire le document dans {} : {}.", dir.display(), super::io_message(&e)))
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    for n in 1..1000 {
        let path = dir.join(if n == 1 { format!("{stem}.{extension}") } else { format!("{stem}-{n}.{extension}") });
        match save_new(&path, bytes) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(failed(e)),
        }
    }
    Err(AppError::Rule(format!("Trop de documents nommés {stem} dans {} : faites du rangement.", dir.display())))
}

impl Core {
    /// The *relevé des données* of the applicant with this CIN (law 09-08): identity, card, health
    /// cover, consents, projects, dossiers and their money, certificates, and every audited change
    /// to the record. Printing it is itself audited.
    pub fn data_statement_pdf(&mut self, session: &Session, cin: &str) -> Result<Vec<u8>, AppError> {
        session.require(Action::ViewRegister)?;
        let id = self.applicant_id_by_cin(session, cin)?;
        let a = self.applicant(session, id)?.value;
        let line = |fr: &str, ar: &str, value: String| (fr.to_owned(), ar.to_owned(), value);
        let section = |fr: &str, ar: &str, lines: Vec<(String, String, String)>| Section {
            title_fr: fr.to_owned(),
            title_ar: ar.to_owned(),
            lines,
        };
        let mut sections = vec![section(
            "Identité",
            "الهوية",
            vec![
                line("Nom", "الاسم", format!("{} {}", a.first_name, a.last_name)),
                line(
                    "Nom (arabe)",
                    "الاسم بالعربية",
                    format!("{} {}", a.first_name_ar, a.last_name_ar).trim().to_owned(),
                ),
                line("CIN", "البطاقة الوطنية", a.cin.to_string()),
                line(
                    "Sexe",
                    "الجنس",
                    if a.sex == crate::domain::applicant::Sex::F {
                        "Féminin — أنثى"
                    } else {
                        "Masculin — ذكر"
                    }
                    .to_owned(),
                ),
                line("Né(e) le", "تاريخ الازدياد", format_date_fr(a.birth_date)),
                line("Qualité", "الصفة", format!("{} — {}", a.relationship.label_fr(), a.relationship.label_ar())),
                line("Téléphone", "الهاتف", a.phone.as_ref().map_or("—".to_owned(), |p| p.as_str().to_owned())),
                line("Adresse", "العنوان", [a.address.as_str(), a.commune.as_str()].join(" ").trim().to_owned()),
                line(
                    "Province",
                    "الإقليم",
                    a.province_code.as_deref().map_or("—".into(), |code| {
                        let name = crate::reference::Reference::shipped().province(code).map(|p| p.name_fr.as_str());
                        format!("{code} {}", name.unwrap_or_default()).trim().to_owned()
                    }),
                ),
            ],
        )];
        let card = match a.card_holder_id {
            Some(holder) => {
                let h = self.card_holder(session, holder)?.value;
                vec![
                    line("Carte n°", "رقم البطاقة", h.card_number),
                    line("Titulaire", "صاحب البطاقة", format!("{} — {}", h.name_latin, h.name_arabic)),
                ]
            }
            None => vec![],
        };
        sections.push(section("Carte d'ancien résistant", "بطاقة المقاوم", card));
        let amo = a.amo.as_ref().map_or_else(Vec::new, |c| {
            let checked = c.checked_on.map_or(String::new(), |d| format!(", vérifiée le {}", format_date_fr(d)));
            vec![line("AMO", "التغطية الصحية", format!("{} n° {}{checked}", c.regime.label_fr(), c.number))]
        });
        sections.push(section("Couverture médicale (donnée de santé)", "التغطية الصحية", amo));
        let consents = a.consents.iter().map(|p| line("Consent à", "يوافق على", p.label_fr().to_owned())).collect();
        sections.push(section("Consentements", "الموافقات", consents));
        let projects = self
            .projects_of(session, id)?
            .into_iter()
            .map(|p| {
                line(
                    "Projet",
                    "المشروع",
                    format!("{} — {} — {}", p.value.name, p.value.kind.label_fr(), p.value.kind.label_ar()),
                )
            })
            .collect();
        sections.push(section("Projets", "المشاريع", projects));
        let mut dossiers = Vec::new();
        for d in self.dossiers_of_applicant(session, id)? {
            let view = self.dossier_view(session, d.meta.id)?;
            let money = if view.funding.is_empty() {
                String::new()
            } else {
                format!(" — engagé {}, décaissé {}", view.committed(), view.disbursed())
            };
            dossiers.push(line(
                &d.value.number.to_string(),
                d.value.status.label_ar(),
                format!("{}, déposé le {}{money}", d.value.status.label_fr(), format_date_fr(d.value.deposited_on)),
            ));
        }
        sections.push(section("Dossiers", "الملفات", dossiers));
        let certificates =
            find::<crate::domain::certificate::Certificate>(self.store.conn(), "applicant_id = ?1", &id.to_string())?
                .into_iter()
                .map(|c| {
                    line(
                        &c.value.number,
                        c.value.facts.kind.title_ar(),
                        format!(
                            "{} le {} — {}",
                            c.value.facts.kind.title_fr(),
                            format_date_fr(c.value.issued_on),
                            c.value.state_fr()
                        ),
                    )
                })
                .collect();
        sections.push(section("Attestations", "الشهادات", certificates));
        let history = crate::store::audit::history_of(self.store.conn(), &id.to_string())?
            .into_iter()
            .map(|(at, actor, action)| {
                let (what, what_ar) = match action.rsplit('.').next() {
                    Some("create") => ("enregistrement", "تسجيل"),
                    Some("update") => ("rectification", "تصحيح"),
                    Some("delete") => ("suppression", "حذف"),
                    Some("receive") => ("reçu d'un autre site", "توصل به من موقع آخر"),
                    _ => (action.as_str(), ""),
                };
                let day = at.get(..10).and_then(|d| d.parse::<NaiveDate>().ok()).map_or(at.clone(), format_date_fr);
                line(&day, what_ar, format!("{what} (par {actor})"))
            })
            .collect();
        sections.push(section("Historique des modifications", "سجل التعديلات", history));
        let person = format!("{} {} (CIN {})", a.first_name, a.last_name, a.cin);
        let pdf = crate::documents::statement::data_statement(
            &self.issuer(session)?,
            self.clock.today(),
            &person,
            &sections,
            self.print_margins()?,
        );
        let content = serde_json::json!({ "applicant": id }).to_string();
        super::audit_act(self.store.conn(), self.clock.now_utc(), &session.login, "person.statement", &content)?;
        Ok(pdf)
    }
}

/// A reference typed by a person, as a file name may hold it: letters, digits and `-`.
fn file_safe(reference: &str) -> String {
    reference.trim().chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect()
}
