//! What the command line prints: plain French text, one record or one row per line.

use std::io::{self, Write};
use std::path::Path;

use uuid::Uuid;

use crate::app::demo::DemoAccount;
use crate::app::{
    CONFLICTS_PER_PAGE, CheckReport, ChecklistView, ClosedYear, ConflictPage, Core, CrossOfficePair, DossierView,
    Session, SyncStatus,
};
use crate::domain::Money;
use crate::domain::certificate::Certificate;
use crate::domain::funding::Programme;
use crate::domain::project::ProjectKind;
use crate::reference::Reference;
use crate::store::records::Row;
use crate::store::search::{ApplicantLine, Page, ProjectLine, Stats};
use crate::store::site::UserRow;

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn centimes(c: i64) -> String {
    Money::from_centimes(c).map_or_else(|| format!("{c} centimes"), |m| m.to_string())
}

/// `daftar provinces`: code first, then names, then the region's code for a province.
pub fn provinces(out: &mut dyn Write, reference: &Reference) -> io::Result<()> {
    for r in &reference.regions {
        writeln!(out, "{}\trégion\t{}\t{}", r.code, r.name_fr, r.name_ar)?;
    }
    for p in &reference.provinces {
        let kind = if p.prefecture { "préfecture" } else { "province" };
        writeln!(out, "{}\t{kind}\t{}\t{}\t{}", p.code, p.name_fr, p.name_ar, p.region_code)?;
    }
    Ok(())
}

/// After `daftar init`.
pub fn installed(out: &mut dyn Write, core: &Core, session: &Session, db: &Path) -> anyhow::Result<()> {
    let site = core.site()?;
    writeln!(out, "Site {} installé : {} ({}).", site.code, site.name, site.level.label_fr())?;
    writeln!(out, "Base : {}", db.display())?;
    writeln!(out, "Administrateur : {} (détient les clés du site).", session.login)?;
    if let Some(secrets) = session.secrets() {
        writeln!(out, "Empreinte des clés du site : {}", secrets.public().fingerprint())?;
    }
    Ok(())
}

/// After `daftar demo` on a new file.
pub fn demo_accounts(out: &mut dyn Write, accounts: &[DemoAccount], db: &Path) -> io::Result<()> {
    writeln!(out, "Bureau de démonstration créé dans {}.", db.display())?;
    writeln!(out, "Comptes (identifiant / mot de passe / rôle) :")?;
    for a in accounts {
        writeln!(out, "  {:<8} {:<18} {}", a.login, a.password, a.role.label_fr())?;
    }
    Ok(())
}

/// `daftar check`.
pub fn check(out: &mut dyn Write, report: &CheckReport) -> io::Result<()> {
    if report.integrity.is_empty() {
        writeln!(out, "Intégrité SQLite : correcte.")?;
    } else {
        for line in &report.integrity {
            writeln!(out, "Intégrité SQLite : {line}")?;
        }
    }
    let chain = &report.chain;
    writeln!(
        out,
        "Journal d'audit : {} entrées vérifiées ({} au contenu effacé), {} lignes comparées.",
        chain.entries, chain.erased, chain.rows
    )?;
    if chain.problems.is_empty() {
        writeln!(out, "Chaîne d'audit : intacte.")?;
    }
    for p in chain.problems.iter().take(50) {
        writeln!(out, "Chaîne d'audit : {}", p.message)?;
    }
    if !report.text.is_empty() {
        writeln!(
            out,
            "Textes à corriger avant le prochain export : {} enregistrement(s) enregistrés avant les règles de saisie.",
            report.text.len()
        )?;
    }
    for p in &report.text {
        writeln!(out, "Texte à corriger : {}", crate::app::free_text::describe(p, &report.site))?;
        if let Some(command) = fix_command(p.table) {
            writeln!(out, "  En ligne de commande : {command}")?;
        }
    }
    Ok(())
}

/// The command that corrects a row of `table`, where there is one (the window's screen is named
/// by the core).
fn fix_command(table: crate::app::Table) -> Option<&'static str> {
    use crate::app::Table;
    Some(match table {
        Table::Applicants => "daftar applicant edit CIN",
        Table::Projects => "daftar project edit",
        Table::Dossiers => "daftar dossier edit NUMÉRO",
        Table::FundingLines | Table::Disbursements => "daftar funding",
        Table::Programmes => "daftar programme",
        Table::Visits => "daftar visit",
        Table::Checklists => "daftar checklist set",
        _ => return None,
    })
}

/// `daftar stats`.
pub fn stats(out: &mut dyn Write, s: &Stats) -> io::Result<()> {
    writeln!(out, "Titulaires de carte : {}", s.card_holders)?;
    writeln!(out, "Bénéficiaires : {}", s.applicants)?;
    for (kind, n) in &s.projects_by_kind {
        writeln!(out, "Projets ({kind}) : {n}")?;
    }
    for (status, n) in &s.dossiers_by_status {
        writeln!(out, "Dossiers ({status}) : {n}")?;
    }
    writeln!(out, "Emplois prévus : {} dont {} pour la famille de la résistance", s.jobs_planned.0, s.jobs_planned.1)?;
    let label = |code: &str| {
        Reference::shipped()
            .funding_sources
            .iter()
            .find(|s| s.code == code)
            .map_or_else(|| code.to_owned(), |s| s.label_fr.clone())
    };
    for (source, c) in &s.committed_by_source {
        writeln!(out, "Engagé — {} : {}", label(source), centimes(*c))?;
    }
    for (source, c) in &s.disbursed_by_source {
        writeln!(out, "Décaissé — {} : {}", label(source), centimes(*c))?;
    }
    writeln!(out, "Visites de suivi : {}", s.visits)?;
    writeln!(out, "Programmes : {}", s.programmes)?;
    writeln!(out, "Modifications non encore livrées à la délégation : {}", s.outbox)?;
    writeln!(out, "Entrées du journal d'audit : {}", s.audit_entries)?;
    Ok(())
}

/// `daftar user list`.
pub fn users(out: &mut dyn Write, rows: &[UserRow]) -> io::Result<()> {
    for u in rows {
        let state = if u.disabled_at.is_some() { " (désactivé)" } else { "" };
        writeln!(out, "{}\t{}\t{}{state}", u.login, u.role.label_fr(), u.full_name)?;
    }
    Ok(())
}

fn applicant_line(a: &ApplicantLine) -> String {
    let birth = a.birth_date.map(date).unwrap_or_default();
    format!("{}\t{}\t{}\t{}\t{birth}\t{}", a.id, a.cin, a.name, a.name_ar, a.owner)
}

/// `daftar applicant search`.
pub fn search(out: &mut dyn Write, page: &Page<ApplicantLine>, number: u32) -> io::Result<()> {
    writeln!(out, "{} — page {number}", page.total)?;
    for row in &page.rows {
        writeln!(out, "{}", applicant_line(row))?;
    }
    Ok(())
}

/// `daftar project search`: the count, then a project a line (identifier, name, kind, commune,
/// office).
pub fn project_search(out: &mut dyn Write, page: &Page<ProjectLine>, number: u32) -> io::Result<()> {
    writeln!(out, "{} — page {number}", page.total)?;
    for row in &page.rows {
        writeln!(out, "{}  {} — {} — {} ({})", row.id, row.name, row.kind, row.commune, row.owner)?;
    }
    Ok(())
}

/// `daftar applicant show`.
pub fn applicant(out: &mut dyn Write, core: &Core, session: &Session, id: Uuid) -> anyhow::Result<()> {
    let row = core.applicant(session, id)?;
    let a = &row.value;
    writeln!(out, "Bénéficiaire {}", row.meta.id)?;
    if let Some(reason) = &row.meta.delete_reason {
        writeln!(out, "SUPPRIMÉ : {reason}")?;
    }
    writeln!(out, "CIN : {}", a.cin)?;
    writeln!(out, "Nom : {} {}", a.last_name, a.first_name)?;
    writeln!(out, "الاسم : {}", a.arabic_name())?;
    writeln!(out, "Sexe : {:?} ; né(e) le {}", a.sex, date(a.birth_date))?;
    writeln!(out, "Lien : {}", a.relationship.label_fr())?;
    if let Some(holder_id) = a.card_holder_id {
        let holder = core.card_holder(session, holder_id)?;
        writeln!(
            out,
            "Carte de résistant : {} ({} {})",
            holder.value.card_number, holder.value.name_latin, holder.value.name_arabic
        )?;
    }
    if let Some(phone) = &a.phone {
        writeln!(out, "Téléphone : {}", phone.as_str())?;
    }
    if !a.address.is_empty() || !a.commune.is_empty() {
        writeln!(out, "Adresse : {} {}", a.address, a.commune)?;
    }
    if let Some(code) = &a.province_code {
        let name = Reference::shipped().province(code).map_or("", |p| p.name_fr.as_str());
        writeln!(out, "Province : {code} {name}")?;
    }
    if let Some(amo) = &a.amo {
        writeln!(out, "AMO : {:?} n° {}", amo.regime, amo.number)?;
    }
    writeln!(out, "Bureau : {} ; version {} ; modifié le {}", row.meta.owner, row.meta.version, row.meta.updated_at)?;
    for project in core.projects_of(session, id)? {
        writeln!(out, "Projet : {} — {} ({})", project.meta.id, project.value.name, project.value.kind.label_fr())?;
        for d in core.dossiers_of_project(session, project.meta.id)? {
            writeln!(out, "  Dossier {} — {}", d.value.number, d.value.status.label_fr())?;
        }
    }
    for t in core.transfers_of(session, id)? {
        let t = &t.value;
        writeln!(out, "Transféré le {} de {} à {} : {}", date(t.on), t.from_office, t.to_office, t.reason)?;
    }
    for r in core.reviews_of(session, id)? {
        let r = &r.value;
        writeln!(
            out,
            "Doublon examiné le {} : {} d'un bénéficiaire de {} — {}",
            date(r.reviewed_on),
            r.verdict.label_fr(),
            r.other_office(id),
            r.note
        )?;
    }
    Ok(())
}

/// `daftar checklist show`: where the list comes from, then one document per line.
pub fn checklist(out: &mut dyn Write, kind: ProjectKind, view: &ChecklistView) -> io::Result<()> {
    match &view.published {
        Some(meta) => writeln!(
            out,
            "Pièces exigées — {} : publiée par {}, version {} du {}",
            kind.label_fr(),
            meta.owner,
            meta.version,
            meta.updated_at.get(..10).unwrap_or_default()
        )?,
        None => writeln!(out, "Pièces exigées — {} : liste livrée avec Daftar", kind.label_fr())?,
    }
    for item in &view.items {
        let required = if item.required { "obligatoire" } else { "facultative" };
        writeln!(out, "{};{};{};{required}", item.code, item.label_fr, item.label_ar)?;
    }
    Ok(())
}

/// `daftar duplicates`: one pair per paragraph, each applicant with its id for `review-duplicate`.
pub fn cross_office_pair(out: &mut dyn Write, pair: &CrossOfficePair) -> io::Result<()> {
    writeln!(out, "Paire ({}) :", pair.reason.label_fr())?;
    for row in [&pair.first, &pair.second] {
        let a = &row.value;
        writeln!(
            out,
            "  {} {} — CIN {} — né(e) le {} — bureau {}",
            row.meta.id,
            a.display_name(),
            a.cin,
            date(a.birth_date),
            row.meta.owner
        )?;
    }
    Ok(())
}

/// `daftar project show`.
pub fn project(out: &mut dyn Write, core: &Core, session: &Session, id: Uuid) -> anyhow::Result<()> {
    let row = core.project(session, id)?;
    let p = &row.value;
    writeln!(out, "Projet {} — {} ({})", row.meta.id, p.name, p.kind.label_fr())?;
    let promoter = core.applicant(session, p.promoter_id)?;
    writeln!(out, "Porteur : {} (CIN {})", promoter.value.display_name(), promoter.value.cin)?;
    for m in &p.members {
        let member = core.applicant(session, m.applicant_id)?;
        writeln!(out, "Membre : {} (CIN {}) — {}", member.value.display_name(), member.value.cin, m.role)?;
    }
    if let Some(ice) = &p.ice {
        writeln!(out, "ICE : {}", ice.as_str())?;
    }
    if let Some(rc) = &p.rc {
        writeln!(out, "{rc}")?;
    }
    if let Some(odco) = &p.odco_number {
        writeln!(out, "ODCO : {odco}")?;
    }
    if let Some(receipt) = &p.association_receipt {
        writeln!(out, "Récépissé : {receipt}")?;
    }
    writeln!(out, "Secteur : {} ; commune : {}", p.sector, p.commune)?;
    writeln!(
        out,
        "Emplois prévus : {} dont {} pour la famille de la résistance",
        p.jobs_planned.total, p.jobs_planned.family
    )?;
    for d in core.dossiers_of_project(session, id)? {
        writeln!(out, "Dossier {} — {}", d.value.number, d.value.status.label_fr())?;
    }
    for v in core.visits_of(session, id)? {
        writeln!(
            out,
            "Visite du {} : {} emplois constatés dont {} famille{}",
            date(v.value.visited_on),
            v.value.jobs_verified.total,
            v.value.jobs_verified.family,
            if v.value.active { "" } else { " — activité arrêtée" }
        )?;
    }
    Ok(())
}

/// `daftar dossier show`.
pub fn dossier(out: &mut dyn Write, view: &DossierView) -> io::Result<()> {
    let d = &view.dossier.value;
    writeln!(out, "Dossier {} ({}) — {}", d.number, view.dossier.meta.id, d.status.label_fr())?;
    writeln!(out, "Type : {} ; déposé le {}", d.kind.label_fr(), date(d.deposited_on))?;
    if let Some(requested) = d.requested {
        writeln!(out, "Montant demandé : {requested}")?;
    }
    writeln!(out, "Pièces :")?;
    for (item, received) in &view.checklist {
        let mark = match received {
            Some(on) => format!("reçue le {}", date(*on)),
            None if item.required => "MANQUANTE".to_owned(),
            None => "facultative, non reçue".to_owned(),
        };
        writeln!(out, "  [{}] {} — {mark}", item.code, item.label_fr)?;
    }
    writeln!(out, "Historique :")?;
    for t in &d.history {
        let reason = t.reason.as_deref().map(|r| format!(" — motif : {r}")).unwrap_or_default();
        writeln!(out, "  {} : {} → {} par {}{reason}", date(t.on), t.from.label_fr(), t.to.label_fr(), t.by)?;
    }
    if let Some(decision) = &view.decision {
        let verdict = if decision.value.approved { "approuvé" } else { "rejeté" };
        writeln!(out, "Décision du {} ({}) : {verdict}", date(decision.value.decided_on), decision.meta.owner)?;
    }
    for (line, paid) in &view.funding {
        writeln!(
            out,
            "Financement {} : {} — {} engagés ({})",
            line.meta.id, line.value.source, line.value.committed, line.value.year
        )?;
        for p in paid {
            writeln!(
                out,
                "  Tranche {} du {} : {} {}",
                p.value.tranche,
                date(p.value.paid_on),
                p.value.amount,
                p.value.reference
            )?;
        }
    }
    if !view.funding.is_empty() {
        writeln!(out, "Total engagé : {} ; décaissé : {}", view.committed(), view.disbursed())?;
    }
    Ok(())
}

/// `daftar programme list`.
pub fn programmes(out: &mut dyn Write, rows: &[Row<Programme>]) -> io::Result<()> {
    for row in rows {
        let p = &row.value;
        writeln!(out, "{}\t{}\t{}\t{}", p.code, p.name, p.source_kind, row.meta.owner)?;
        for e in &p.envelopes {
            let target = e.target_projects.map(|t| format!(" pour {t} projets")).unwrap_or_default();
            writeln!(out, "  {} : {}{target}", e.year, e.amount)?;
        }
    }
    Ok(())
}

/// The certificate register: number, kind, person, CIN, date, state.
pub fn certificates(out: &mut dyn Write, rows: &[Row<Certificate>]) -> io::Result<()> {
    for row in rows {
        let c = &row.value;
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            c.number,
            c.facts.kind.code(),
            c.facts.name,
            c.facts.cin,
            c.issued_on.format("%d/%m/%Y"),
            c.state_fr()
        )?;
    }
    Ok(())
}

/// A closed year: when, by whom, whether its signature holds, and what changed since.
pub fn closed_year(out: &mut dyn Write, c: &ClosedYear) -> io::Result<()> {
    let day = c.closed_at.get(..10).unwrap_or(&c.closed_at);
    writeln!(out, "Année {} clôturée le {day} par {} (SHA-256 {}).", c.year, c.closed_by, c.sha256)?;
    if !c.authentic {
        writeln!(out, "ATTENTION : les chiffres gelés ne sont plus ceux que le site a signés (base modifiée).")?;
    }
    if c.differences.is_empty() {
        return writeln!(out, "Aucun écart : les chiffres d'aujourd'hui sont les chiffres gelés.");
    }
    writeln!(out, "{} écart(s) depuis la clôture :", c.differences.len())?;
    for d in &c.differences {
        writeln!(out, "  {}", d.describe_fr(&d.key))?;
    }
    Ok(())
}

/// What the retention rules would anonymise.
pub fn retention_plan(out: &mut dyn Write, p: &crate::app::retention::RetentionPlan) -> io::Result<()> {
    writeln!(
        out,
        "Conservation : {} an(s) ; dossiers clos le {} ou avant (aujourd'hui {}).",
        p.years,
        p.cutoff.format("%d/%m/%Y"),
        p.today.format("%d/%m/%Y")
    )?;
    if p.is_empty() {
        return writeln!(out, "Rien à anonymiser.");
    }
    writeln!(out, "{} personne(s) à anonymiser :", p.people.len())?;
    for person in &p.people {
        let dossiers = if person.dossiers.is_empty() { "aucun dossier".to_owned() } else { person.dossiers.join(", ") };
        writeln!(
            out,
            "  {} (CIN {}) — rien d'ouvert depuis le {} — {dossiers}",
            person.name,
            person.cin,
            person.since.format("%d/%m/%Y")
        )?;
    }
    writeln!(out, "{}", p.others_fr())?;
    writeln!(
        out,
        "Les chiffres (bilans) ne changent pas. Les sauvegardes déjà faites gardent les données jusqu'à leur rotation."
    )
}

/// The sync state.
pub fn sync_status(out: &mut dyn Write, s: &SyncStatus) -> io::Result<()> {
    match &s.parent {
        Some(parent) => {
            writeln!(out, "Délégation : {parent}")?;
            writeln!(out, "Modifications non acquittées : {}", s.unacknowledged)?;
            if let Some((at, file)) = &s.last_sent {
                writeln!(out, "Dernier envoi : {at} ({file})")?;
            }
            if let Some(at) = &s.last_reply {
                writeln!(out, "Dernière réponse lue : {at}")?;
            }
        }
        None => writeln!(out, "Aucune délégation épinglée (site autonome).")?,
    }
    for (code, watermark, at) in &s.children {
        writeln!(
            out,
            "Site supervisé {code} : reçu jusqu'à la modification {watermark}{}",
            at.as_ref().map(|a| format!(", le {a}")).unwrap_or_default()
        )?;
    }
    for (sender, n) in &s.waiting {
        writeln!(out, "En attente : {n} paquet(s) de {sender} (un paquet précédent manque)")?;
    }
    for r in &s.revoked {
        let by = r.by.as_ref().map(|b| format!(" par {b}")).unwrap_or_default();
        writeln!(out, "Clé révoquée : {}{by} le {} ({})", r.site, r.at, r.reason)?;
    }
    let total: i64 = s.conflict_counts.iter().map(|c| c.count).sum();
    if total > 0 {
        writeln!(
            out,
            "Conflits ouverts : {total} (daftar sync-status --conflits [--site S] [--table T] pour les lister)"
        )?;
        for c in &s.conflict_counts {
            writeln!(out, "  {} — {} : {}", c.sender, c.table, c.count)?;
        }
    }
    Ok(())
}

/// One page of open conflicts, with the number `resolve-conflict` takes.
pub fn conflicts(out: &mut dyn Write, page: &ConflictPage) -> io::Result<()> {
    if page.total == 0 {
        return writeln!(out, "Aucun conflit ouvert.");
    }
    let pages = page.total.div_ceil(CONFLICTS_PER_PAGE);
    writeln!(out, "Conflits ouverts : {} — page {} sur {pages}", page.total, page.page + 1)?;
    for c in &page.items {
        writeln!(out, "Conflit n° {} ({}) : {} {} de {} — {}", c.id, c.sender, c.table, c.row_id, c.owner, c.reason)?;
    }
    if page.page + 1 < pages {
        writeln!(out, "Suite : daftar sync-status --conflits --page {}", page.page + 2)?;
    }
    Ok(())
}

/// One line of a `;`-separated file for a spreadsheet, CRLF-ended: cells quoted where they hold
/// a separator, a quote or a line break, and kept from being run as formulas.
pub fn csv_line(cells: &[String]) -> String {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| {
            let safe = crate::domain::text::spreadsheet_safe(c);
            if safe.contains([';', '"', '\n']) {
                format!("\"{}\"", safe.replace('"', "\"\""))
            } else {
                safe.into_owned()
            }
        })
        .collect();
    format!("{}\r\n", cells.join(";"))
}
