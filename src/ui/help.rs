//! « Aide » (F1, or the bar's button): the guide's part for the screen in use, beside it, from
//! the guide's own pages (`docs/guide/`) built into the program — nothing to install, nothing
//! fetched. The pages shown here name no command: they are written for the window.

use eframe::egui::{self, RichText, Ui};

use super::Screen;

/// A page of the guide: its title in the list, its text (a small Markdown).
pub struct Page {
    /// The title offered in the list of pages.
    pub title: &'static str,
    /// Its text.
    pub text: &'static str,
}

/// The guide's pages shown in the window (the installation page, for whoever installs the
/// program, stays in `docs/guide/`).
pub const PAGES: [Page; 4] = [
    Page { title: "La journée de l'agent", text: include_str!("../../docs/guide/agent.md") },
    Page { title: "Le chef de bureau", text: include_str!("../../docs/guide/chef-de-bureau.md") },
    Page { title: "La délégation", text: include_str!("../../docs/guide/delegation.md") },
    Page { title: "L'administrateur", text: include_str!("../../docs/guide/administrateur.md") },
];

/// What is in front of the user, for the help to open on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The first start's set-up form.
    Installing,
    /// The log-in form.
    LoggingIn,
    /// A screen of the window.
    Screen(Screen),
    /// The form that imports a spreadsheet (from « Bénéficiaires »).
    ImportingSpreadsheet,
}

/// Where the help opens: the page and the part of it (its `##` heading) for what is in front of
/// the user.
pub fn part_for(place: Place) -> (usize, &'static str) {
    match place {
        Place::Installing => (3, "Première installation"),
        Place::LoggingIn => (0, "La connexion"),
        Place::ImportingSpreadsheet => (0, "Importer un tableur"),
        Place::Screen(Screen::Dashboard) => (0, "Le tableau de bord"),
        Place::Screen(Screen::Applicants) => (0, "Enregistrer un bénéficiaire"),
        Place::Screen(Screen::Projects) => (0, "Les projets"),
        Place::Screen(Screen::Dossiers) => (0, "Les dossiers"),
        Place::Screen(Screen::Certificates) => (1, "Les attestations"),
        Place::Screen(Screen::Sync) => (1, "La clé USB de la semaine"),
        Place::Screen(Screen::Reports) => (1, "Les rapports"),
        Place::Screen(Screen::Commission) => (2, "La session de la commission"),
        Place::Screen(Screen::Programmes) => (2, "Programmes et enveloppes"),
        Place::Screen(Screen::Settings) => (3, "Comptes et réglages"),
    }
}

/// The help panel's state: open or not, and the page chosen by hand (none: the screen's).
#[derive(Debug, Default)]
pub struct HelpState {
    /// Shown beside the screen.
    pub open: bool,
    /// A page chosen in the list, instead of the screen's part.
    pub chosen: Option<usize>,
}

impl HelpState {
    /// F1 or the button: shows the help, or hides it; it opens on the screen's part.
    pub fn toggle(&mut self) {
        self.open = !self.open;
        self.chosen = None;
    }
}

/// The parts of a page: its `##` headings, each with its text.
fn parts(text: &str) -> Vec<(&str, &str)> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("\n## ") {
        rest = &rest[at + 4..];
        let (heading, body) = rest.split_once('\n').unwrap_or((rest, ""));
        let end = body.find("\n## ").unwrap_or(body.len());
        parts.push((heading.trim(), &body[..end]));
    }
    parts
}

/// The panel: the part for the screen in use (or the page chosen), the other parts of its page
/// folded under it.
pub fn help_ui(ui: &mut Ui, state: &mut HelpState, place: Place) {
    let (screen_page, screen_part) = part_for(place);
    let page = state.chosen.unwrap_or(screen_page);
    ui.horizontal(|ui| {
        ui.heading("Aide");
        if ui.button("Fermer l'aide").clicked() {
            state.open = false;
        }
    });
    let mut chosen = page;
    let label = ui.label("Page du guide");
    egui::ComboBox::from_id_salt("aide-page")
        .selected_text(PAGES.get(page).map_or("", |p| p.title))
        .show_ui(ui, |ui| {
            for (i, p) in PAGES.iter().enumerate() {
                ui.selectable_value(&mut chosen, i, p.title);
            }
        })
        .response
        .labelled_by(label.id);
    if chosen != page {
        state.chosen = Some(chosen);
    }
    ui.separator();
    let Some(page) = PAGES.get(chosen) else { return };
    let parts = parts(page.text);
    let first = if state.chosen.is_some() { None } else { Some(screen_part) };
    egui::ScrollArea::vertical().id_salt("aide-texte").show(ui, |ui| {
        if let Some((heading, body)) = parts.iter().find(|(h, _)| Some(*h) == first) {
            ui.label(RichText::new(*heading).strong().size(16.0));
            markdown(ui, body);
            ui.add_space(8.0);
            ui.label(RichText::new("Dans la même page :").weak());
        }
        for (heading, body) in parts.iter().filter(|(h, _)| Some(*h) != first) {
            egui::CollapsingHeader::new(*heading).id_salt(("aide", *heading)).show(ui, |ui| markdown(ui, body));
        }
    });
}

/// Draws the small Markdown of the guide: paragraphs, lists, emphasis and links as plain words;
/// the screenshots (of the window itself) are left out.
fn markdown(ui: &mut Ui, text: &str) {
    let mut paragraph = String::new();
    let flush = |ui: &mut Ui, paragraph: &mut String| {
        if !paragraph.is_empty() {
            ui.add(egui::Label::new(plain(paragraph)).wrap());
            ui.add_space(4.0);
            paragraph.clear();
        }
    };
    for line in text.lines() {
        let line = line.trim_end();
        let item = line.strip_prefix("- ").or_else(|| {
            let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            (digits > 0).then(|| line[digits..].strip_prefix(". ")).flatten()
        });
        if line.trim().is_empty() || line.starts_with("![") || line.starts_with('#') {
            flush(ui, &mut paragraph);
        } else if let Some(item) = item {
            flush(ui, &mut paragraph);
            paragraph.push_str("•  ");
            paragraph.push_str(item.trim());
        } else {
            if !paragraph.is_empty() {
                paragraph.push(' ');
            }
            paragraph.push_str(line.trim());
        }
    }
    flush(ui, &mut paragraph);
}

/// `text` without its Markdown marks: `**bold**` and `` `code` `` as their words, `[text](link)`
/// as its text.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.split_once("](").and_then(|(label, tail)| tail.split_once(')').map(|(_, tail)| (label, tail))) {
            Some((label, tail)) => {
                out.push_str(label);
                rest = tail;
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace("**", "").replace('`', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_opens_a_part_that_is_in_its_page() {
        let mut places: Vec<Place> = Screen::ALL.iter().map(|s| Place::Screen(*s)).collect();
        places.extend([Place::Installing, Place::LoggingIn, Place::ImportingSpreadsheet]);
        for place in places {
            let (page, part) = part_for(place);
            let text = PAGES.get(page).map_or("", |p| p.text);
            assert!(parts(text).iter().any(|(h, body)| *h == part && !body.trim().is_empty()), "{place:?}: « {part} »");
        }
    }

    #[test]
    fn the_pages_in_the_window_name_no_command() {
        let commands: Vec<String> =
            crate::cli::french::command().get_subcommands().map(|c| format!("daftar {}", c.get_name())).collect();
        assert!(commands.len() > 30);
        for page in &PAGES {
            let text = page.text.to_lowercase();
            for forbidden in commands.iter().map(String::as_str).chain(["```", "sudo ", "cargo ", " --", "`daftar"]) {
                assert!(!text.contains(forbidden), "« {forbidden} » in {}", page.title);
            }
        }
    }

    #[test]
    fn markdown_marks_are_left_out() {
        assert_eq!(plain("Voir **la liste** et [le guide](agent.md), `F1`."), "Voir la liste et le guide, F1.");
        assert_eq!(plain("un [crochet seul"), "un [crochet seul");
        assert_eq!(
            parts("# T\n\n## Un\nA\n\n## Deux\nB\n").iter().map(|(h, _)| *h).collect::<Vec<_>>(),
            ["Un", "Deux"]
        );
    }
}
