//! The office's register: card holders, applicants, projects, follow-up visits, deletions.

use uuid::Uuid;

use super::{AppError, Core, Session};
use crate::domain::applicant::{Applicant, ApplicantDraft, CardHolder, Relationship, ValidApplicant};
use crate::domain::project::{Member, Project, ProjectDraft};
use crate::domain::role::Action;
use crate::domain::visit::Visit;
use crate::store::records::{self, Record, Row, Table, Writer, get_live};
use crate::store::reference::province_exists;

/// The card holder an applicant's eligibility comes from: found by card number, or created with
/// the names given (for the card holder in person, the applicant's own names).
#[derive(Debug, Clone, Default)]
pub struct CardRef {
    /// The card number.
    pub card_number: String,
    /// The holder's name in Latin script (needed when the card is new and the holder is not the
    /// applicant).
    pub holder_name: String,
    /// The holder's name in Arabic script.
    pub holder_name_ar: String,
}

/// Possible duplicates saved anyway, and why.
struct AcceptedDuplicates {
    duplicates: Vec<String>,
    reason: String,
}

/// Audits an override of possible duplicates (who, which rows, why), in the save's transaction.
fn audit_override(w: &Writer<'_>, applicant: Uuid, accepted: Option<&AcceptedDuplicates>) -> Result<(), AppError> {
    let Some(accepted) = accepted else { return Ok(()) };
    let content = serde_json::json!({ "applicant": applicant.to_string(), "duplicates": accepted.duplicates, "reason": accepted.reason })
        .to_string();
    w.audit(&crate::store::audit::Entry {
        at: w.now,
        actor: w.actor,
        action: "applicant.duplicate_override",
        table: Some("applicants"),
        row_id: None,
        row_hash: None,
        content: &content,
    })?;
    Ok(())
}

/// The result of saving an applicant.
#[derive(Debug, Clone)]
pub struct Saved {
    /// The row's id.
    pub id: Uuid,
    /// Warnings worth showing (unusual CIN, …).
    pub warnings: Vec<String>,
}

impl Core {
    fn validate_applicant(&self, draft: &ApplicantDraft) -> Result<ValidApplicant, AppError> {
        let conn = self.store.conn();
        let today = self.clock.today();
        Ok(draft.validate(today, &|code| province_exists(conn, code).unwrap_or(false))?)
    }

    /// Registers an applicant. Possible duplicates stop the save unless `override_reason` says
    /// why it is another person (the reason is audited).
    pub fn add_applicant(
        &mut self,
        session: &Session,
        draft: &ApplicantDraft,
        card: &CardRef,
        override_reason: Option<&str>,
    ) -> Result<Saved, AppError> {
        session.require(Action::RegisterApplicant)?;
        // Every problem at once: the person's and the card's.
        let card_problems = self.card_problems(draft, card)?;
        let valid = match self.validate_applicant(draft) {
            Ok(_) if !card_problems.is_empty() => return Err(AppError::Invalid(card_problems)),
            Err(AppError::Invalid(mut problems)) => {
                problems.extend(card_problems);
                return Err(AppError::Invalid(problems));
            }
            other => other?,
        };
        let mut applicant = valid.applicant;
        let accepted = self.accept_duplicates(session, &applicant, None, override_reason)?;
        let holder = self.resolve_card(&applicant, card)?;
        let id = self.write(session, |w, ids| {
            applicant.card_holder_id = Some(match holder {
                Ok(existing) => existing,
                Err(new_holder) => {
                    let id = ids.new_id();
                    w.insert(id, &new_holder)?;
                    id
                }
            });
            let id = ids.new_id();
            w.insert(id, &applicant)?;
            audit_override(w, id, accepted.as_ref())?;
            Ok(id)
        })?;
        Ok(Saved { id, warnings: valid.warnings })
    }

    /// Search before save: refuses possible duplicates of `applicant` unless `reason` says why it is
    /// another person (and the role may override). Returns the override to audit, if one was used.
    fn accept_duplicates(
        &self,
        session: &Session,
        applicant: &Applicant,
        except: Option<Uuid>,
        reason: Option<&str>,
    ) -> Result<Option<AcceptedDuplicates>, AppError> {
        let duplicates = self.possible_duplicates(
            session,
            applicant.cin.as_str(),
            applicant.birth_date,
            &super::duplicates::names(applicant),
            except,
        )?;
        if duplicates.is_empty() {
            return Ok(None);
        }
        let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) else {
            return Err(AppError::Duplicate(duplicates));
        };
        session.require(Action::OverrideDuplicate)?;
        Ok(Some(AcceptedDuplicates {
            duplicates: duplicates.iter().map(|d| d.row.meta.id.to_string()).collect(),
            reason: reason.to_owned(),
        }))
    }

    /// What is wrong with the card given for a new applicant of `draft`: a number is required;
    /// a card not known here needs its holder's name, unless the applicant is the holder.
    fn card_problems(&self, draft: &ApplicantDraft, card: &CardRef) -> Result<crate::domain::FieldErrors, AppError> {
        let number = card.card_number.trim();
        let known = !number.is_empty()
            && !records::find::<CardHolder>(self.store.conn(), "card_number = ?1", number)?.is_empty();
        let himself = Relationship::parse(&draft.relationship) == Ok(Relationship::Himself);
        let holder_given = !card.holder_name.trim().is_empty() || !card.holder_name_ar.trim().is_empty();
        Ok(CardHolder::problems(number, known || himself || holder_given))
    }

    /// Finds the card holder by number (`Ok(id)`), or prepares a new one (`Err(holder)`).
    fn resolve_card(&self, applicant: &Applicant, card: &CardRef) -> Result<Result<Uuid, CardHolder>, AppError> {
        let number = card.card_number.trim();
        if let Some(existing) =
            records::find::<CardHolder>(self.store.conn(), "card_number = ?1", number)?.into_iter().next()
        {
            return Ok(Ok(existing.meta.id));
        }
        let (latin, arabic) = if applicant.relationship == Relationship::Himself
            && card.holder_name.trim().is_empty()
            && card.holder_name_ar.trim().is_empty()
        {
            (format!("{} {}", applicant.first_name, applicant.last_name), applicant.arabic_name())
        } else {
            (card.holder_name.clone(), card.holder_name_ar.clone())
        };
        Ok(Err(CardHolder::validate(number, latin.trim(), arabic.trim())?))
    }

    /// Edits an applicant; a CIN or name change that collides with another applicant needs a
    /// reason like a creation.
    pub fn edit_applicant(
        &mut self,
        session: &Session,
        id: Uuid,
        draft: &ApplicantDraft,
        override_reason: Option<&str>,
    ) -> Result<Saved, AppError> {
        session.require(Action::RegisterApplicant)?;
        let current = get_live::<Applicant>(self.store.conn(), id)?;
        let valid = self.validate_applicant(draft)?;
        let mut applicant = valid.applicant;
        applicant.card_holder_id = current.value.card_holder_id;
        applicant.consents = current.value.consents.clone();
        let accepted = self.accept_duplicates(session, &applicant, Some(id), override_reason)?;
        self.write(session, |w, _| {
            w.update(id, &applicant, accepted.as_ref().map(|a| a.reason.as_str()))?;
            audit_override(w, id, accepted.as_ref())
        })?;
        Ok(Saved { id, warnings: valid.warnings })
    }

    /// One applicant.
    pub fn applicant(&self, session: &Session, id: Uuid) -> Result<Row<Applicant>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(records::get::<Applicant>(self.store.conn(), id)?
            .ok_or_else(|| crate::store::StoreError::NotFound(format!("Bénéficiaire {id}")))?)
    }

    /// One card holder (deleted ones too: an applicant keeps pointing at them).
    pub fn card_holder(&self, session: &Session, id: Uuid) -> Result<Row<CardHolder>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(records::get::<CardHolder>(self.store.conn(), id)?
            .ok_or_else(|| crate::store::StoreError::NotFound(format!("Titulaire de carte {id}")))?)
    }

    /// Searches the register (names in both scripts, CIN, phone); an empty query lists all.
    pub fn search_applicants(
        &self,
        session: &Session,
        typed: &str,
        page: u32,
        page_size: u32,
    ) -> Result<crate::store::search::Page<crate::store::search::ApplicantLine>, AppError> {
        self.search_applicants_of(session, None, typed, page, page_size)
    }

    /// The same, among the applicants of one office, or of every office a delegation supervises
    /// (directly or not) when `office` names a delegation: a province at a regional delegation.
    pub fn search_applicants_of(
        &self,
        session: &Session,
        office: Option<&str>,
        typed: &str,
        page: u32,
        page_size: u32,
    ) -> Result<crate::store::search::Page<crate::store::search::ApplicantLine>, AppError> {
        session.require(Action::ViewRegister)?;
        let conn = self.store.conn();
        let owners = match office.map(|o| o.trim().to_uppercase()).filter(|o| !o.is_empty()) {
            None => None,
            Some(code) => {
                if code != session.site.code.as_str() && crate::store::sync::peer(conn, &code)?.is_none() {
                    return Err(AppError::Rule(format!(
                        "Aucun bureau ni délégation de code « {code} » n'est connu ici : les sites connus sont listés à l'écran Synchronisation."
                    )));
                }
                Some(super::sync::subtree_of(conn, &code)?)
            }
        };
        Ok(crate::store::search::search_applicants(conn, typed, owners.as_deref(), page, page_size)?)
    }

    /// Registers a project carried by `promoter_id`, with its other members.
    pub fn add_project(
        &mut self,
        session: &Session,
        draft: &ProjectDraft,
        promoter_id: Uuid,
        members: Vec<Member>,
    ) -> Result<Uuid, AppError> {
        session.require(Action::RegisterProject)?;
        let project = self.validate_project(draft, promoter_id, members)?;
        self.write(session, |w, ids| {
            let id = ids.new_id();
            w.insert(id, &project)?;
            Ok(id)
        })
    }

    /// Edits a project.
    pub fn edit_project(
        &mut self,
        session: &Session,
        id: Uuid,
        draft: &ProjectDraft,
        promoter_id: Uuid,
        members: Vec<Member>,
    ) -> Result<(), AppError> {
        session.require(Action::RegisterProject)?;
        get_live::<Project>(self.store.conn(), id)?;
        let project = self.validate_project(draft, promoter_id, members)?;
        self.write(session, |w, _| Ok(w.update(id, &project, None).map(|_| ())?))
    }

    fn validate_project(
        &self,
        draft: &ProjectDraft,
        promoter_id: Uuid,
        members: Vec<Member>,
    ) -> Result<Project, AppError> {
        let conn = self.store.conn();
        for applicant_id in std::iter::once(promoter_id).chain(members.iter().map(|m| m.applicant_id)) {
            get_live::<Applicant>(conn, applicant_id)?;
        }
        Ok(draft
            .validate(promoter_id, members, self.clock.today(), &|code| province_exists(conn, code).unwrap_or(false))?)
    }

    /// One project.
    pub fn project(&self, session: &Session, id: Uuid) -> Result<Row<Project>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(records::get::<Project>(self.store.conn(), id)?
            .ok_or_else(|| crate::store::StoreError::NotFound(format!("Projet {id}")))?)
    }

    /// The applicant with this CIN (exactly one must match).
    pub fn applicant_id_by_cin(&self, session: &Session, raw: &str) -> Result<Uuid, AppError> {
        session.require(Action::ViewRegister)?;
        let cin = crate::domain::codes::Cin::parse(raw).map_err(AppError::Rule)?.cin;
        match crate::store::search::applicants_with_cin(self.store.conn(), cin.as_str())?.as_slice() {
            [one] => Ok(one.meta.id),
            [] => Err(AppError::Rule(format!("Aucun bénéficiaire avec la CIN {cin} : enregistrez-le d'abord."))),
            many => Err(AppError::Rule(format!(
                "{} bénéficiaires ont la CIN {cin} : résolvez d'abord ce doublon.",
                many.len()
            ))),
        }
    }

    /// One page of the project list, alphabetical.
    pub fn list_projects(
        &self,
        session: &Session,
        page: u32,
        page_size: u32,
    ) -> Result<crate::store::search::Page<crate::store::search::ProjectLine>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(crate::store::search::list_projects(self.store.conn(), page, page_size)?)
    }

    /// Searches the projects by name, commune, or their promoter's name or CIN; an empty query
    /// lists them all, alphabetical.
    pub fn search_projects(
        &self,
        session: &Session,
        typed: &str,
        page: u32,
        page_size: u32,
    ) -> Result<crate::store::search::Page<crate::store::search::ProjectLine>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(crate::store::search::search_projects(self.store.conn(), typed, page, page_size)?)
    }

    /// The projects an applicant carries.
    pub fn projects_of(&self, session: &Session, applicant_id: Uuid) -> Result<Vec<Row<Project>>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(records::find::<Project>(self.store.conn(), "promoter_id = ?1", &applicant_id.to_string())?)
    }

    /// Records a follow-up visit.
    pub fn add_visit(&mut self, session: &Session, visit: &Visit) -> Result<Uuid, AppError> {
        session.require(Action::RecordVisit)?;
        get_live::<Project>(self.store.conn(), visit.project_id)?;
        self.write(session, |w, ids| {
            let id = ids.new_id();
            w.insert(id, visit)?;
            Ok(id)
        })
    }

    /// The visits of a project, oldest first.
    pub fn visits_of(&self, session: &Session, project_id: Uuid) -> Result<Vec<Row<Visit>>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(records::find::<Visit>(self.store.conn(), "project_id = ?1", &project_id.to_string())?)
    }

    /// Deletes a record of `table` (a tombstone with a reason, which travels to the delegation).
    pub fn delete(&mut self, session: &Session, table: Table, id: Uuid, reason: &str) -> Result<(), AppError> {
        session.require(Action::DeleteRecord)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::Rule("Une suppression doit être motivée : indiquez le motif.".into()));
        }
        fn tomb<T: Record>(w: &Writer<'_>, id: Uuid, reason: &str) -> Result<(), AppError> {
            w.tombstone::<T>(id, reason)?;
            Ok(())
        }
        self.write(session, |w, _| match table {
            Table::CardHolders => tomb::<CardHolder>(w, id, reason),
            Table::Applicants => tomb::<Applicant>(w, id, reason),
            Table::Projects => tomb::<Project>(w, id, reason),
            Table::Dossiers => tomb::<crate::domain::dossier::Dossier>(w, id, reason),
            Table::Decisions => tomb::<crate::domain::funding::Decision>(w, id, reason),
            Table::FundingLines => tomb::<crate::domain::funding::FundingLine>(w, id, reason),
            Table::Disbursements => tomb::<crate::domain::funding::Disbursement>(w, id, reason),
            Table::Programmes => tomb::<crate::domain::funding::Programme>(w, id, reason),
            Table::Visits => tomb::<Visit>(w, id, reason),
            Table::Certificates => {
                Err(AppError::Rule("Une attestation délivrée ne se supprime pas : révoquez-la, avec le motif.".into()))
            }
            Table::Transfers => Err(AppError::Rule(
                "Un transfert ne se supprime pas : s'il était une erreur, transférez le bénéficiaire vers son bureau."
                    .into(),
            )),
            Table::DuplicateReviews => tomb::<crate::domain::review::DuplicateReview>(w, id, reason),
            Table::Checklists => tomb::<crate::domain::dossier::Checklist>(w, id, reason),
            Table::CommissionReasons => Err(AppError::Rule(
                "Un motif de la commission ne se supprime pas : des décisions l'ont peut-être déjà cité.".into(),
            )),
            Table::CommissionSessions | Table::Adjournments => Err(AppError::Rule(
                "Une session de la commission et ses ajournements ne se suppriment pas : ils font partie de son procès-verbal."
                    .into(),
            )),
        })
    }
}
