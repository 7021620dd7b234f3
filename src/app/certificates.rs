//! The certificate register: issuing (numbered per office and year, content hashed, summary
//! signed with the site's key), reprinting as DUPLICATA, revoking, and checking a QR payload.

use chrono::Datelike as _;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{AppError, Core, Session};
use crate::documents::certificate::{CertificateDocument, render, render_all};
use crate::documents::letterhead::Issuer;
use crate::domain::applicant::{Applicant, CardHolder, Relationship, Sex};
use crate::domain::certificate::{
    Certificate, CertificateFacts, CertificateKind, Reprint, Revocation, StatedGrant, Summary, Verdict,
    certificate_number,
};
use crate::domain::dossier::Status;
use crate::domain::funding::FundingLine;
use crate::domain::project::Project;
use crate::domain::role::Action;
use crate::domain::site::{Level, Site};
use crate::reference::Reference;
use crate::store::records::{Row, find, get_live};
use crate::store::site::{self as site_store, next_counter};

/// Whom a certificate is about: a dossier (beneficiary) or a person by CIN (entitlement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateSubject {
    /// The dossier number of an approved or funded dossier.
    Dossier(String),
    /// The CIN of an applicant related to a card holder.
    Applicant(String),
}

impl CertificateSubject {
    /// « le dossier N » or « la CIN C », for messages.
    pub fn describe(&self) -> String {
        match self {
            CertificateSubject::Dossier(number) => format!("le dossier {number}"),
            CertificateSubject::Applicant(cin) => format!("la CIN {cin}"),
        }
    }
}

/// The documents' letterhead for a site.
pub fn issuer_of(site: &Site) -> Issuer {
    let reference = Reference::shipped();
    let province = site.province_code.as_deref().and_then(|code| reference.province(code));
    let region = site.region_code.as_deref().and_then(|code| reference.regions.iter().find(|r| r.code == code));
    let (town_fr, town_ar) = match (province, region) {
        (Some(p), _) => (p.name_fr.clone(), p.name_ar.clone()),
        (None, Some(r)) => (r.name_fr.clone(), r.name_ar.clone()),
        (None, None) => ("Rabat".to_owned(), "الرباط".to_owned()),
    };
    let (function_fr, function_ar) = match site.level {
        Level::Bureau => ("Le chargé du bureau local", "المكلف بالمكتب المحلي"),
        Level::DelegationProvinciale => ("Le délégué provincial", "النائب الإقليمي"),
        Level::DelegationRegionale => ("Le délégué régional", "النائب الجهوي"),
        Level::Centrale => ("Pour le Haut-Commissaire", "عن المندوب السامي"),
    };
    Issuer {
        code: site.code.to_string(),
        name_fr: site.name.clone(),
        name_ar: format!("{} – {town_ar}", site.level.label_ar()),
        town_fr,
        town_ar,
        function_fr: function_fr.to_owned(),
        function_ar: function_ar.to_owned(),
        cndp: None,
    }
}

/// SHA-256 of the facts as stored (hex).
fn content_hash(facts: &CertificateFacts) -> Result<String, AppError> {
    let bytes = serde_json::to_vec(facts).map_err(|e| AppError::Rule(e.to_string()))?;
    Ok(hex::encode(Sha256::digest(bytes)))
}

impl Core {
    /// What a certificate about `applicant` states (without the support, which only
    /// beneficiary certificates carry).
    fn person_facts(
        &self,
        session: &Session,
        kind: CertificateKind,
        applicant: &Applicant,
    ) -> Result<CertificateFacts, AppError> {
        let holder_id = applicant.card_holder_id.ok_or_else(|| {
            AppError::Rule(format!(
                "{} n'est rattaché(e) à aucune carte d'ancien résistant : complétez la fiche avant l'attestation.",
                applicant.display_name()
            ))
        })?;
        let holder = get_live::<CardHolder>(self.store.conn(), holder_id)?.value;
        let issuer = self.issuer(session)?;
        Ok(CertificateFacts {
            kind,
            site_code: issuer.code,
            site_name: issuer.name_fr,
            site_name_ar: issuer.name_ar,
            name: format!("{} {}", applicant.first_name, applicant.last_name).trim().to_owned(),
            name_ar: format!("{} {}", applicant.first_name_ar, applicant.last_name_ar).trim().to_owned(),
            cin: applicant.cin.to_string(),
            birth_date: applicant.birth_date,
            female: applicant.sex == Sex::F,
            relationship_fr: applicant.relationship.label_fr().to_owned(),
            relationship_ar: applicant.relationship.label_ar().to_owned(),
            card_holder: holder.name_latin,
            card_holder_ar: holder.name_arabic,
            card_number: holder.card_number,
            dossier_number: None,
            project: None,
            project_kind_fr: None,
            project_kind_ar: None,
            grants: vec![],
            year: None,
            signatory: session.full_name.clone(),
        })
    }

    /// The facts of a certificate about `subject`, with the applicant and dossier ids.
    fn facts_for(
        &self,
        session: &Session,
        subject: &CertificateSubject,
    ) -> Result<(CertificateFacts, Uuid, Option<Uuid>), AppError> {
        match subject {
            CertificateSubject::Applicant(cin) => {
                let id = self.applicant_id_by_cin(session, cin)?;
                let applicant = get_live::<Applicant>(self.store.conn(), id)?.value;
                if applicant.relationship == Relationship::Himself {
                    return Err(AppError::Rule(format!(
                        "{} est le titulaire de la carte : une attestation d'ayant droit concerne sa veuve ou ses enfants.",
                        applicant.display_name()
                    )));
                }
                Ok((self.person_facts(session, CertificateKind::Entitlement, &applicant)?, id, None))
            }
            CertificateSubject::Dossier(number) => {
                let dossier = self.dossier_by_number(session, number)?;
                let d = &dossier.value;
                if !matches!(d.status, Status::Approuve | Status::Finance | Status::Cloture) {
                    return Err(AppError::Rule(format!(
                        "Le dossier {} est « {} » : l'attestation de bénéficiaire suit l'approbation du soutien.",
                        d.number, d.status
                    )));
                }
                let lines = find::<FundingLine>(self.store.conn(), "dossier_id = ?1", &dossier.meta.id.to_string())?;
                let applicant = get_live::<Applicant>(self.store.conn(), d.applicant_id)?.value;
                let project = get_live::<Project>(self.store.conn(), d.project_id)?.value;
                let mut facts = self.person_facts(session, CertificateKind::Beneficiary, &applicant)?;
                facts.dossier_number = Some(d.number.to_string());
                facts.project = Some(project.name);
                facts.project_kind_fr = Some(project.kind.label_fr().to_owned());
                facts.project_kind_ar = Some(project.kind.label_ar().to_owned());
                facts.year = Some(lines.first().map_or(d.year, |l| l.value.year));
                facts.grants = lines
                    .iter()
                    .map(|l| StatedGrant {
                        source_fr: l.value.source.to_string(),
                        source_ar: l.value.source.label_ar(),
                        amount: l.value.committed,
                    })
                    .collect();
                Ok((facts, d.applicant_id, Some(dossier.meta.id)))
            }
        }
    }

    /// Issues a certificate: numbered, hashed, its summary signed with the site's key, recorded
    /// in the register (audited, carried to the delegation). Returns it with its PDF.
    pub fn issue_certificate(
        &mut self,
        session: &Session,
        subject: &CertificateSubject,
    ) -> Result<(Row<Certificate>, Vec<u8>), AppError> {
        let (mut rows, pdf) = self.issue_certificates(session, std::slice::from_ref(subject))?;
        let row = rows.pop().ok_or_else(|| AppError::Rule("Aucune attestation délivrée.".into()))?;
        Ok((row, pdf))
    }

    /// Issues a certificate for each of `subjects` in one transaction — all or none: every
    /// problem is listed and nothing is numbered when one of them cannot be issued — and prints
    /// them in one PDF (each on its own pages, the fonts embedded once).
    pub fn issue_certificates(
        &mut self,
        session: &Session,
        subjects: &[CertificateSubject],
    ) -> Result<(Vec<Row<Certificate>>, Vec<u8>), AppError> {
        session.require(Action::IssueCertificate)?;
        let secrets = session.secrets().ok_or_else(|| {
            AppError::Rule("Votre session n'a pas ouvert les clés du site : une attestation signée demande un compte qui les détient.".into())
        })?;
        if subjects.is_empty() {
            return Err(AppError::Rule("Indiquez au moins un dossier ou une CIN.".into()));
        }
        let mut prepared = Vec::with_capacity(subjects.len());
        let mut problems = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for subject in subjects {
            match self.prepare(session, subject) {
                Ok(facts) if !seen.insert((facts.1, facts.2, facts.0.kind == CertificateKind::Beneficiary)) => {
                    problems.push(format!("{} est demandé deux fois", subject.describe()));
                }
                Ok(facts) => prepared.push(facts),
                Err(e) if subjects.len() > 1 => {
                    problems.push(format!("{} : {}", subject.describe(), e.to_string().trim_end_matches('.')));
                }
                Err(e) => problems.push(e.to_string().trim_end_matches('.').to_owned()),
            }
        }
        if !problems.is_empty() {
            let many = subjects.len() > 1;
            return Err(AppError::Rule(if many {
                format!("Aucune attestation n'a été délivrée ; à corriger d'abord :\n– {}.", problems.join(" ;\n– "))
            } else {
                format!("{}.", problems.join(" ; "))
            }));
        }
        let issued_on = self.clock.today();
        let login = session.login.clone();
        let ids = self.write(session, |w, ids| {
            let year = issued_on.year();
            let mut out = Vec::with_capacity(prepared.len());
            for (facts, applicant_id, dossier_id) in prepared {
                let hash = content_hash(&facts)?;
                let number =
                    certificate_number(&facts.site_code, year, next_counter(w.conn, &format!("certificate:{year}"))?);
                let summary = Summary::of(&number, issued_on, &facts, &hash);
                let payload = summary.payload(&secrets.sign(summary.signed_text().as_bytes()));
                let certificate = Certificate {
                    number,
                    year,
                    issued_on,
                    issued_by: login.clone(),
                    applicant_id,
                    dossier_id,
                    facts,
                    content_hash: hash,
                    payload,
                    reprints: vec![],
                    revoked: None,
                    anonymised_on: None,
                    payload_sha256: None,
                };
                let id = ids.new_id();
                w.insert(id, &certificate)?;
                out.push(id);
            }
            Ok(out)
        })?;
        let rows =
            ids.into_iter().map(|id| get_live::<Certificate>(self.store.conn(), id)).collect::<Result<Vec<_>, _>>()?;
        let certificates: Vec<&Certificate> = rows.iter().map(|r| &r.value).collect();
        let pdf = self.certificates_pdf(session, &certificates, false)?;
        Ok((rows, pdf))
    }

    /// The facts of a certificate about `subject`, checked: no valid certificate of its kind
    /// already, every name it prints known in both scripts.
    fn prepare(
        &self,
        session: &Session,
        subject: &CertificateSubject,
    ) -> Result<(CertificateFacts, Uuid, Option<Uuid>), AppError> {
        let (facts, applicant_id, dossier_id) = self.facts_for(session, subject)?;
        let existing = match dossier_id {
            Some(id) => find::<Certificate>(self.store.conn(), "dossier_id = ?1", &id.to_string())?,
            None => find::<Certificate>(self.store.conn(), "applicant_id = ?1", &applicant_id.to_string())?,
        };
        if let Some(valid) = existing.iter().find(|c| c.value.facts.kind == facts.kind && c.value.revoked.is_none()) {
            return Err(AppError::Rule(format!(
                "L'attestation {} est déjà délivrée et valide : réimprimez-la (duplicata) ou révoquez-la avant d'en délivrer une autre.",
                valid.value.number
            )));
        }
        let himself = facts.relationship_fr == Relationship::Himself.label_fr();
        let mut missing = Vec::new();
        if facts.name.trim().is_empty() {
            missing.push("son nom en lettres latines (fiche du bénéficiaire : Nom, Prénom)");
        }
        if facts.name_ar.trim().is_empty() {
            missing.push("son nom en arabe (fiche du bénéficiaire : الاسم العائلي, الاسم الشخصي)");
        }
        if !himself && facts.card_holder.trim().is_empty() {
            missing.push("le nom du résistant en lettres latines (carte de résistant de la fiche)");
        }
        if !himself && facts.card_holder_ar.trim().is_empty() {
            missing.push("le nom du résistant en arabe (carte de résistant de la fiche)");
        }
        if !missing.is_empty() {
            return Err(AppError::Rule(format!(
                "L'attestation de {} (CIN {}) s'imprime dans les deux langues : il manque {}. Complétez-les dans Bénéficiaires, puis recommencez.",
                if facts.name.trim().is_empty() { facts.name_ar.trim() } else { facts.name.trim() },
                facts.cin,
                missing.join(" et ")
            )));
        }
        Ok((facts, applicant_id, dossier_id))
    }

    /// The PDF of a certificate of the register, as issued (a reprint says DUPLICATA).
    pub fn certificate_pdf(
        &self,
        session: &Session,
        certificate: &Certificate,
        duplicate: bool,
    ) -> Result<Vec<u8>, AppError> {
        self.certificates_pdf(session, &[certificate], duplicate)
    }

    /// The PDF of certificates of the register, one after the other.
    fn certificates_pdf(
        &self,
        session: &Session,
        certificates: &[&Certificate],
        duplicate: bool,
    ) -> Result<Vec<u8>, AppError> {
        let site = self.issuer(session)?;
        let issuers: Vec<Issuer> = certificates
            .iter()
            .map(|c| Issuer {
                code: c.facts.site_code.clone(),
                name_fr: c.facts.site_name.clone(),
                name_ar: c.facts.site_name_ar.clone(),
                ..site.clone()
            })
            .collect();
        let docs: Vec<CertificateDocument<'_>> = certificates
            .iter()
            .zip(&issuers)
            .map(|(c, issuer)| CertificateDocument {
                number: &c.number,
                issued_on: c.issued_on,
                facts: &c.facts,
                issuer,
                payload: &c.payload,
                content_hash: &c.content_hash,
                duplicate,
            })
            .collect();
        match docs.as_slice() {
            [one] => render(one, self.print_margins()?),
            many => render_all(many, self.print_margins()?),
        }
        .map_err(AppError::Rule)
    }

    /// A certificate of the register by number.
    pub fn certificate(&self, session: &Session, number: &str) -> Result<Row<Certificate>, AppError> {
        session.require(Action::ViewRegister)?;
        let number = number.trim().to_uppercase();
        find::<Certificate>(self.store.conn(), "number = ?1", &number)?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Rule(format!("Aucune attestation n° « {number} » dans le registre.")))
    }

    /// Reprints a certificate: the same content, marked DUPLICATA; the reprint is recorded.
    pub fn reprint_certificate(&mut self, session: &Session, number: &str) -> Result<Vec<u8>, AppError> {
        session.require(Action::IssueCertificate)?;
        let mut row = self.certificate(session, number)?;
        if let Some(revoked) = &row.value.revoked {
            return Err(AppError::Rule(format!(
                "L'attestation {} est révoquée depuis le {} ({}) : elle ne se réimprime plus.",
                row.value.number,
                revoked.on.format("%d/%m/%Y"),
                revoked.reason
            )));
        }
        row.value.reprints.push(Reprint { on: self.clock.today(), by: session.login.clone() });
        self.write(session, |w, _| Ok(w.update(row.meta.id, &row.value, Some("duplicata")).map(|_| ())?))?;
        self.certificate_pdf(session, &row.value, true)
    }

    /// Revokes a certificate, with a reason; verification will say so.
    pub fn revoke_certificate(&mut self, session: &Session, number: &str, reason: &str) -> Result<(), AppError> {
        session.require(Action::IssueCertificate)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::Rule("Une révocation doit être motivée : indiquez le motif.".into()));
        }
        let mut row = self.certificate(session, number)?;
        if row.value.revoked.is_some() {
            return Err(AppError::Rule(format!("L'attestation {} est déjà révoquée.", row.value.number)));
        }
        row.value.revoked =
            Some(Revocation { on: self.clock.today(), by: session.login.clone(), reason: reason.to_owned() });
        self.write(session, |w, _| Ok(w.update(row.meta.id, &row.value, Some(reason)).map(|_| ())?))
    }

    /// The register, newest first (at most `limit`).
    pub fn certificates(&self, session: &Session, limit: usize) -> Result<Vec<Row<Certificate>>, AppError> {
        session.require(Action::ViewRegister)?;
        let mut rows = crate::store::records::all::<Certificate>(self.store.conn())?;
        rows.reverse();
        rows.truncate(limit);
        Ok(rows)
    }

    /// Checks a scanned or typed QR payload against the site identities this installation
    /// knows and its revocation register. Needs no session: anyone at the counter may check.
    pub fn verify_certificate(&self, payload: &str) -> Result<Verdict, AppError> {
        let (summary, signature) = Summary::parse_payload(payload).map_err(AppError::Rule)?;
        let site = self.site()?;
        // Our own key, or that of a site enrolled here (supervised sites, the parent, and the
        // sites their keyrings make known).
        // Every key it ever had: a certificate signed before a key rotation stays good.
        let conn = self.store.conn();
        let mut revoked = None;
        let keys: Vec<String> = if summary.site_code == site.code.as_str() {
            site_store::all_keys(conn)?.into_iter().map(|k| k.ed25519).collect()
        } else {
            let peer = crate::store::sync::peer(conn, &summary.site_code)?;
            revoked = peer.as_ref().and_then(|p| p.revoked.clone());
            let current = peer.map(|peer| peer.keys.ed25519);
            let retired = crate::store::sync::retired_keys(conn, &summary.site_code)?;
            current.into_iter().chain(retired).collect()
        };
        if keys.is_empty() {
            return Ok(Verdict::UnknownIssuer { site_code: summary.site_code });
        }
        let signed = summary.signed_text();
        let verifies = |ed25519: &String| {
            crate::identity::PublicKeys { ed25519: ed25519.clone(), age_recipient: String::new() }
                .verify(signed.as_bytes(), &signature)
        };
        if !keys.iter().any(verifies) {
            return Ok(Verdict::Altered {
                why: "le texte du code QR ne correspond pas à sa signature (modifié ou recopié avec une erreur)."
                    .into(),
            });
        }
        if let Some(revocation) = revoked {
            return Ok(Verdict::IssuerRevoked { site_code: summary.site_code, revocation });
        }
        let held = find::<Certificate>(self.store.conn(), "number = ?1", &summary.number)?.into_iter().next();
        if let Some(held) = &held
            && !held.value.has_payload(payload)
        {
            return Ok(Verdict::Altered {
                why: format!("le registre tient une autre attestation sous le n° {}.", summary.number),
            });
        }
        // Revoked in the register, or by the revocation register that came down the tree.
        let received = crate::store::sync::received_revocation(conn, &summary.site_code, &summary.number)?
            .map(|r| Revocation { on: r.on, by: format!("{} ({})", r.by, r.site), reason: r.reason });
        let in_register = held.is_some();
        Ok(match held.and_then(|h| h.value.revoked).or(received) {
            Some(revocation) => Verdict::Revoked { summary, revocation },
            None => Verdict::Authentic { summary, in_register },
        })
    }
}
