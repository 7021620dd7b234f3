//! Certificates (*attestations*): what one states, how it is numbered, and the signed summary its
//! QR code carries so that a bank or another administration can check it offline.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Money;
use super::text::{self, Fields, FreeText};

/// What a certificate attests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificateKind {
    /// *Attestation de bénéficiaire*: the support a person's project received.
    Beneficiary,
    /// *Attestation d'ayant droit*: a person's relationship to a resistance card holder.
    Entitlement,
}

impl CertificateKind {
    /// Both kinds.
    pub const ALL: [CertificateKind; 2] = [CertificateKind::Beneficiary, CertificateKind::Entitlement];

    /// Stable code (`beneficiaire`, `ayant-droit`), used in commands and QR codes.
    pub fn code(self) -> &'static str {
        match self {
            CertificateKind::Beneficiary => "beneficiaire",
            CertificateKind::Entitlement => "ayant-droit",
        }
    }

    /// Parses [`CertificateKind::code`].
    pub fn parse(raw: &str) -> Result<CertificateKind, String> {
        let wanted = raw.trim().to_lowercase();
        CertificateKind::ALL.into_iter().find(|k| k.code() == wanted).ok_or_else(|| {
            format!("« {} » : type d'attestation inconnu ; écrivez beneficiaire ou ayant-droit.", raw.trim())
        })
    }

    /// French title.
    pub fn title_fr(self) -> &'static str {
        match self {
            CertificateKind::Beneficiary => "Attestation de bénéficiaire",
            CertificateKind::Entitlement => "Attestation d'ayant droit",
        }
    }

    /// Arabic title (glossary).
    pub fn title_ar(self) -> &'static str {
        match self {
            CertificateKind::Beneficiary => "شهادة الاستفادة",
            CertificateKind::Entitlement => "شهادة ذوي الحقوق",
        }
    }
}

/// One grant as a certificate states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedGrant {
    /// The source in French (`Budget HCAR`, `INDH (CPDH-12)`…).
    pub source_fr: String,
    /// The source in Arabic.
    pub source_ar: String,
    /// The amount committed.
    pub amount: Money,
}

/// Everything a certificate states, frozen when it is issued: a reprint shows exactly this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateFacts {
    /// The kind.
    pub kind: CertificateKind,
    /// The site that issues it: code, French name, Arabic name.
    pub site_code: String,
    /// The site's French name.
    pub site_name: String,
    /// The site's Arabic name.
    pub site_name_ar: String,
    /// The person: Latin full name.
    pub name: String,
    /// The person: Arabic full name.
    pub name_ar: String,
    /// Their CIN.
    pub cin: String,
    /// Their birth date.
    pub birth_date: NaiveDate,
    /// True for a woman (agreement of the French and Arabic texts).
    pub female: bool,
    /// Their relationship to the card holder.
    pub relationship_fr: String,
    /// The same in Arabic.
    pub relationship_ar: String,
    /// The card holder's name (Latin).
    pub card_holder: String,
    /// The card holder's name (Arabic).
    pub card_holder_ar: String,
    /// The resistance card's number.
    pub card_number: String,
    /// The dossier (beneficiary certificates).
    pub dossier_number: Option<String>,
    /// The project's name.
    pub project: Option<String>,
    /// The project's kind, French.
    pub project_kind_fr: Option<String>,
    /// The project's kind, Arabic.
    pub project_kind_ar: Option<String>,
    /// The support granted, per source.
    pub grants: Vec<StatedGrant>,
    /// The budget year of the support.
    pub year: Option<i32>,
    /// Who signs: full name and title.
    pub signatory: String,
}

impl CertificateFacts {
    /// The total support stated.
    pub fn total(&self) -> Money {
        self.grants.iter().fold(Money::ZERO, |sum, g| sum.checked_add(g.amount).unwrap_or(sum))
    }
}

/// A reprint (*duplicata*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reprint {
    /// When.
    pub on: NaiveDate,
    /// By whom (login).
    pub by: String,
}

/// A revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// When.
    pub on: NaiveDate,
    /// By whom (login).
    pub by: String,
    /// Why.
    pub reason: String,
}

/// A certificate in the office's register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// Its number, `SITE-ATT-YEAR-NNNNN`.
    pub number: String,
    /// The year of its number.
    pub year: i32,
    /// The date of issue.
    pub issued_on: NaiveDate,
    /// Who issued it (login).
    pub issued_by: String,
    /// The applicant it is about.
    pub applicant_id: Uuid,
    /// The dossier it is about (beneficiary certificates).
    pub dossier_id: Option<Uuid>,
    /// What it states.
    pub facts: CertificateFacts,
    /// SHA-256 of the facts (hex), as printed in the footer.
    pub content_hash: String,
    /// The QR code's text, signed.
    pub payload: String,
    /// Reprints.
    #[serde(default)]
    pub reprints: Vec<Reprint>,
    /// The revocation, if any.
    pub revoked: Option<Revocation>,
    /// When the retention rules anonymised it (law 09-08): the facts that identify the person and
    /// the QR text are erased, the text's SHA-256 (hex) is kept so that the paper still verifies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_on: Option<NaiveDate>,
    /// SHA-256 (hex) of the erased QR text, once anonymised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_sha256: Option<String>,
}

impl Certificate {
    /// Erases what identifies the person (retention rules); keeps the number, dates, amounts
    /// and the QR text's hash.
    pub fn anonymise(&mut self, id: Uuid, on: NaiveDate) {
        use sha2::Digest as _;
        let code = super::applicant::anonymous_code(id);
        let facts = &mut self.facts;
        facts.name = super::applicant::ANONYMOUS_NAME.to_owned();
        facts.name_ar = super::applicant::ANONYMOUS_NAME_AR.to_owned();
        facts.cin.clone_from(&code);
        facts.birth_date =
            NaiveDate::from_ymd_opt(chrono::Datelike::year(&facts.birth_date), 1, 1).unwrap_or(facts.birth_date);
        facts.card_holder = super::applicant::ANONYMOUS_NAME.to_owned();
        facts.card_holder_ar = super::applicant::ANONYMOUS_NAME_AR.to_owned();
        facts.card_number = code;
        if self.payload_sha256.is_none() {
            self.payload_sha256 = Some(hex::encode(sha2::Sha256::digest(self.payload.trim().as_bytes())));
        }
        self.payload.clear();
        self.anonymised_on = Some(on);
    }

    /// Whether `payload` is this certificate's QR text (kept, or known by its hash once
    /// anonymised).
    pub fn has_payload(&self, payload: &str) -> bool {
        use sha2::Digest as _;
        let payload = payload.trim();
        match &self.payload_sha256 {
            Some(hash) if self.payload.is_empty() => hex::encode(sha2::Sha256::digest(payload.as_bytes())) == *hash,
            _ => self.payload == payload,
        }
    }

    /// Where it stands, in French: `valide`, `valide — 2 duplicata`, or its revocation.
    pub fn state_fr(&self) -> String {
        match &self.revoked {
            Some(r) => format!("RÉVOQUÉE le {} ({})", r.on.format("%d/%m/%Y"), r.reason),
            None if self.reprints.is_empty() => "valide".to_owned(),
            None => format!("valide — {} duplicata", self.reprints.len()),
        }
    }
}

/// The number of the `seq`-th certificate of `year` at `site_code`.
pub fn certificate_number(site_code: &str, year: i32, seq: i64) -> String {
    format!("{site_code}-ATT-{year}-{seq:05}")
}

/// What a QR code says in clear: enough to compare with the paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Certificate number.
    pub number: String,
    /// Kind.
    pub kind: CertificateKind,
    /// Issuing site's code.
    pub site_code: String,
    /// Date of issue.
    pub issued_on: NaiveDate,
    /// The person's CIN.
    pub cin: String,
    /// The person's Latin name.
    pub name: String,
    /// Total support (beneficiary certificates; zero otherwise).
    pub total: Money,
    /// SHA-256 of the full facts, hex (the first 16 characters).
    pub content_hash: String,
}

const PREFIX: &str = "DAFTAR-ATT1";

impl Summary {
    /// The summary of a certificate about to be issued.
    pub fn of(number: &str, issued_on: NaiveDate, facts: &CertificateFacts, content_hash: &str) -> Summary {
        Summary {
            number: number.to_owned(),
            kind: facts.kind,
            site_code: facts.site_code.clone(),
            issued_on,
            cin: facts.cin.clone(),
            name: facts.name.clone(),
            total: facts.total(),
            content_hash: content_hash.chars().take(16).collect(),
        }
    }

    /// The text that is signed: fields joined by `|` (which no field may hold).
    pub fn signed_text(&self) -> String {
        let clean = |s: &str| s.replace('|', "/");
        format!(
            "{PREFIX}|{}|{}|{}|{}|{}|{}|{}|{}",
            clean(&self.number),
            self.kind.code(),
            clean(&self.site_code),
            self.issued_on.format("%Y-%m-%d"),
            clean(&self.cin),
            clean(&self.name),
            self.total.centimes(),
            self.content_hash
        )
    }

    /// Reads a scanned or typed payload: the signed text, then `|` and the signature (base64url).
    /// Returns the summary and the signature's bytes.
    pub fn parse_payload(payload: &str) -> Result<(Summary, Vec<u8>), String> {
        use base64::Engine as _;
        let payload = payload.trim();
        let bad = || {
            "Ce texte n'est pas celui d'un code QR d'attestation Daftar : scannez-le de nouveau ou recopiez-le en entier."
                .to_owned()
        };
        if payload.len() > 2_000 {
            return Err(bad());
        }
        let (text, signature) = payload.rsplit_once('|').ok_or_else(bad)?;
        let fields: Vec<&str> = text.split('|').collect();
        let [prefix, number, kind, site, date, cin, name, total, hash] = fields[..] else { return Err(bad()) };
        if prefix != PREFIX {
            return Err(if prefix.starts_with("DAFTAR-ATT") {
                "Ce code QR vient d'une version plus récente de Daftar : vérifiez-le avec une version à jour.".into()
            } else {
                bad()
            });
        }
        let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(signature).map_err(|_| bad())?;
        let summary = Summary {
            number: number.to_owned(),
            kind: CertificateKind::parse(kind)?,
            site_code: site.to_owned(),
            issued_on: NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad())?,
            cin: cin.to_owned(),
            name: name.to_owned(),
            total: total.parse::<i64>().ok().and_then(Money::from_centimes).ok_or_else(bad)?,
            content_hash: hash.to_owned(),
        };
        if summary.signed_text() != text {
            return Err(bad());
        }
        Ok((summary, signature))
    }

    /// The payload: the signed text and its signature.
    pub fn payload(&self, signature: &[u8]) -> String {
        use base64::Engine as _;
        format!("{}|{}", self.signed_text(), base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature))
    }
}

/// What checking a certificate found, said plainly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Signed by a known site and not revoked.
    Authentic {
        /// What it says.
        summary: Summary,
        /// Whether this installation's register holds it (another office's certificates are not
        /// in it until sync brings them).
        in_register: bool,
    },
    /// Authentic but revoked.
    Revoked {
        /// What it says.
        summary: Summary,
        /// The revocation.
        revocation: Revocation,
    },
    /// The text does not match its signature, or the register holds different facts.
    Altered {
        /// Why.
        why: String,
    },
    /// Signed by a site whose key has been revoked (lost or stolen): it cannot be trusted.
    IssuerRevoked {
        /// The site.
        site_code: String,
        /// When and why its key was revoked.
        revocation: (String, String),
    },
    /// No site this installation knows signed it.
    UnknownIssuer {
        /// The site it claims.
        site_code: String,
    },
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Authentic { summary: s, in_register } => {
                write!(
                    f,
                    "AUTHENTIQUE : attestation {} délivrée le {} par {} à {} (CIN {})",
                    s.number,
                    s.issued_on.format("%d/%m/%Y"),
                    s.site_code,
                    s.name,
                    s.cin
                )?;
                if s.kind == CertificateKind::Beneficiary {
                    write!(f, ", soutien total {}", s.total)?;
                }
                if !in_register {
                    write!(f, " (signature valide ; attestation absente du registre de cette installation)")?;
                }
                Ok(())
            }
            Verdict::Revoked { summary, revocation } => write!(
                f,
                "RÉVOQUÉE : l'attestation {} a été révoquée le {} ({}). Elle ne vaut plus.",
                summary.number,
                revocation.on.format("%d/%m/%Y"),
                revocation.reason
            ),
            Verdict::Altered { why } => write!(f, "ALTÉRÉE : {why} Ne l'acceptez pas."),
            Verdict::IssuerRevoked { site_code, revocation: (at, reason) } => write!(
                f,
                "CLÉ DE L'ÉMETTEUR RÉVOQUÉE : la clé de {site_code} est révoquée depuis le {} ({reason}). \
                 Faites confirmer l'attestation par la délégation avant de l'accepter.",
                at.chars().take(10).collect::<String>()
            ),
            Verdict::UnknownIssuer { site_code } => write!(
                f,
                "ÉMETTEUR INCONNU : aucune clé connue de cette installation pour le site « {site_code} ». \
                 Faites vérifier l'attestation par la délégation ou par le bureau émetteur."
            ),
        }
    }
}

impl FreeText for Certificate {
    fn free_text(&self) -> Fields<'_> {
        let f = &self.facts;
        let mut fields: Fields<'_> = vec![
            ("Numéro", &self.number, text::REFERENCE),
            ("Délivrée par", &self.issued_by, text::REFERENCE),
            ("Nom du site", &f.site_name, text::LINE),
            ("Nom du site (arabe)", &f.site_name_ar, text::LINE),
            ("Nom", &f.name, text::LINE),
            ("Nom (arabe)", &f.name_ar, text::LINE),
            ("Titulaire de la carte", &f.card_holder, text::LINE),
            ("Titulaire de la carte (arabe)", &f.card_holder_ar, text::LINE),
            ("Signataire", &f.signatory, text::LINE),
            ("Texte du code QR", &self.payload, text::LONG),
        ];
        fields.extend(f.project.as_deref().map(|p| ("Projet", p, text::LINE)));
        // The grants' source labels are written by the program (their Arabic isolates the
        // references it quotes): only what people typed is checked.
        fields.extend(self.reprints.iter().map(|r| ("Auteur d'un duplicata", r.by.as_str(), text::REFERENCE)));
        if let Some(r) = &self.revoked {
            fields.push(("Révoquée par", &r.by, text::REFERENCE));
            fields.push(("Motif de la révocation", &r.reason, text::NOTE));
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> Summary {
        Summary {
            number: certificate_number("BL-TIZNIT", 2026, 7),
            kind: CertificateKind::Beneficiary,
            site_code: "BL-TIZNIT".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default(),
            cin: "JB123456".into(),
            name: "El Alaoui | Youssef".into(),
            total: Money::from_centimes(6_000_000).unwrap_or_default(),
            content_hash: "0123456789abcdef".into(),
        }
    }

    #[test]
    fn a_payload_reads_back_and_refuses_what_is_not_one() {
        let s = summary();
        assert_eq!(s.number, "BL-TIZNIT-ATT-2026-00007");
        let payload = s.payload(&[7; 64]);
        assert!(payload.len() <= 251, "fits a version-11 QR code at level M: {}", payload.len());
        let (read, signature) = Summary::parse_payload(&payload).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.name, "El Alaoui / Youssef", "a | in a field cannot shift the others");
        assert_eq!(read.total, s.total);
        assert_eq!(signature, vec![7; 64]);
        for bad in ["", "bonjour", &payload[..payload.len() / 2], &payload.replace("ATT1", "ATT9")] {
            assert!(Summary::parse_payload(bad).is_err(), "{bad}");
        }
        assert!(Summary::parse_payload(&payload.replace("ATT1", "ATT9")).unwrap_err().contains("plus récente"));
    }
}
