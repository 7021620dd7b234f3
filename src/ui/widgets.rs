//! Small shared pieces of the screens: labelled fields with their error, RTL-aware labels.

use crate::domain::names::fold_latin;
use eframe::egui::{self, RichText, Ui};

use super::bidi;
use super::theme;

/// Width of the label column of forms.
const LABEL_WIDTH: f32 = 230.0;
/// The width of a field beside its label, where the screen has room for it.
const FIELD_WIDTH: f32 = 280.0;

/// The width of the field that follows a label on this line: [`FIELD_WIDTH`], or what is left
/// beside a narrow panel (the detail column at 1024 px) with room kept for the required mark,
/// so that no field runs off the window.
fn field_width(ui: &Ui) -> f32 {
    (ui.available_width() - 2.0 * ui.spacing().item_spacing.x - 8.0).clamp(120.0, FIELD_WIDTH)
}

/// The layout of a column of `ui.columns`, whose own layout justifies: a label wrapped there was
/// stretched word by word across the column.
pub fn unjustified() -> egui::Layout {
    egui::Layout::top_down(egui::Align::Min)
}

/// A form label in a fixed-width, left-aligned column.
fn label_cell(ui: &mut Ui, label: &str) -> egui::Response {
    ui.allocate_ui_with_layout(egui::vec2(LABEL_WIDTH, 20.0), egui::Layout::left_to_right(egui::Align::Center), |ui| {
        ui.set_min_width(LABEL_WIDTH);
        ui.label(label)
    })
    .inner
}

/// Indents a line under the field column.
fn under_field(ui: &mut Ui, add: impl FnOnce(&mut Ui)) {
    ui.horizontal(|ui| {
        ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
        // A column of the width left, so that a long message wraps instead of running off.
        ui.vertical(add);
    });
}

/// A label that shows Arabic in the right order.
pub fn text(ui: &mut Ui, value: &str) -> egui::Response {
    ui.label(bidi::visual(value))
}

/// What a form field tells before anything is typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Help {
    /// The expected format, shown greyed in the empty field (« jj/mm/aaaa »).
    pub hint: &'static str,
    /// Marked with a red star: the record is not saved without it.
    pub required: bool,
}

impl Help {
    /// A required field with the format expected.
    pub const fn required(hint: &'static str) -> Help {
        Help { hint, required: true }
    }

    /// An optional field with the format expected.
    pub const fn hint(hint: &'static str) -> Help {
        Help { hint, required: false }
    }
}

/// A labelled single-line field; the label names the field for screen readers and tests. Arabic
/// reads right to left as it is typed; `error` shows under the field in red.
pub fn field(ui: &mut Ui, label: &str, value: &mut String, error: Option<&str>) -> egui::Response {
    helped_field(ui, label, value, error, Help::default())
}

/// A [`field`] that shows its format and whether it is required.
pub fn helped_field(ui: &mut Ui, label: &str, value: &mut String, error: Option<&str>, help: Help) -> egui::Response {
    // Under its own id: a note or an error appearing here leaves the next fields' ids (and the
    // cursor in one of them) where they were.
    ui.push_id(label, |ui| helped_field_inner(ui, label, value, error, help)).inner
}

fn helped_field_inner(ui: &mut Ui, label: &str, value: &mut String, error: Option<&str>, help: Help) -> egui::Response {
    let response = ui
        .horizontal(|ui| {
            let name = label_cell(ui, label);
            let response = super::rtl_edit::singleline(ui, value, field_width(ui), help.hint).labelled_by(name.id);
            required_mark(ui, help.required);
            response
        })
        .inner;
    if let Some(error) = error {
        error_under(ui, error);
    }
    response
}

/// The red star of a required field (nothing for an optional one).
fn required_mark(ui: &mut Ui, required: bool) {
    if required {
        ui.label(RichText::new("*").color(theme::ERROR)).on_hover_text("obligatoire");
    }
}

/// The line that explains the stars, at the top of a form.
pub fn required_legend(ui: &mut Ui) {
    ui.label(RichText::new("Les champs marqués * sont obligatoires.").weak());
}

/// A line under a field, in the warning colour (a shape that is not yet right).
pub fn note_under(ui: &mut Ui, note: &str) {
    under_field(ui, |ui| {
        ui.add(egui::Label::new(RichText::new(note).color(theme::WARNING)).wrap());
    });
}

/// A field's error, under it, wrapped to the width left.
fn error_under(ui: &mut Ui, error: &str) {
    under_field(ui, |ui| {
        ui.add(egui::Label::new(RichText::new(error).color(theme::ERROR)).wrap());
    });
}

/// A labelled password field.
pub fn password(ui: &mut Ui, label: &str, value: &mut String) -> egui::Response {
    ui.horizontal(|ui| {
        let name = label_cell(ui, label);
        ui.add(egui::TextEdit::singleline(value).password(true).desired_width(field_width(ui))).labelled_by(name.id)
    })
    .inner
}

/// A labelled choice among `options` (value, French label).
pub fn choice(ui: &mut Ui, label: &str, value: &mut String, options: &[(String, String)], error: Option<&str>) {
    marked_choice(ui, label, value, options, error, false);
}

/// A [`choice`] marked required (or not).
pub fn marked_choice(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    options: &[(String, String)],
    error: Option<&str>,
    required: bool,
) {
    ui.push_id(label, |ui| marked_choice_inner(ui, label, value, options, error, required));
}

fn marked_choice_inner(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    options: &[(String, String)],
    error: Option<&str>,
    required: bool,
) {
    ui.horizontal(|ui| {
        let name = label_cell(ui, label);
        let shown = options.iter().find(|(v, _)| v == value).map_or("—", |(_, l)| l.as_str()).to_owned();
        egui::ComboBox::from_id_salt(label)
            .selected_text(shown)
            .width(field_width(ui))
            .show_ui(ui, |ui| {
                for (v, l) in options {
                    ui.selectable_value(value, v.clone(), l);
                }
            })
            .response
            .labelled_by(name.id);
        required_mark(ui, required);
    });
    if let Some(error) = error {
        error_under(ui, error);
    }
}

/// A labelled choice among many `options` (value, French label) that narrows as one types: the
/// list opens with its search field focused; letters keep the options whose label holds them
/// (accents and case aside); Enter takes the first one left.
pub fn searchable_choice(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    options: &[(String, String)],
    error: Option<&str>,
) {
    // Under its own id, as the other fields: its error appearing leaves the next fields' ids.
    ui.push_id(label, |ui| searchable_choice_inner(ui, label, value, options, error));
}

fn searchable_choice_inner(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    options: &[(String, String)],
    error: Option<&str>,
) {
    ui.horizontal(|ui| {
        let name = label_cell(ui, label);
        let shown = options.iter().find(|(v, _)| v == value).map_or("—", |(_, l)| l.as_str()).to_owned();
        let filter_id = ui.make_persistent_id((label, "recherche"));
        let mut filter: String = ui.data_mut(|d| d.get_temp(filter_id)).unwrap_or_default();
        let combo = egui::ComboBox::from_id_salt(label)
            .selected_text(shown)
            .width(field_width(ui))
            .height(320.0)
            .show_ui(ui, |ui| {
                let search = ui
                    .horizontal(|ui| {
                        let find = ui.label(format!("Chercher ({})", label.to_lowercase()));
                        ui.add(egui::TextEdit::singleline(&mut filter).hint_text("nom ou code").desired_width(140.0))
                            .labelled_by(find.id)
                    })
                    .inner;
                let wanted = fold_latin(filter.trim());
                let mut left = options.iter().filter(|(_, l)| fold_latin(l).contains(&wanted)).peekable();
                if search.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    if let Some((v, _)) = left.peek() {
                        value.clone_from(v);
                    }
                    ui.close();
                } else {
                    search.request_focus();
                }
                if left.peek().is_none() {
                    ui.label(RichText::new("Aucun choix ne contient ce texte.").weak());
                }
                for (v, l) in left {
                    if ui.selectable_value(value, v.clone(), l).clicked() {
                        ui.close();
                    }
                }
            });
        combo.response.labelled_by(name.id);
        // A list closed starts its next search afresh.
        let open = combo.inner.is_some();
        ui.data_mut(|d| d.insert_temp(filter_id, if open { filter } else { String::new() }));
    });
    if let Some(error) = error {
        error_under(ui, error);
    }
}

/// `text` with its thousands kept together: egui wraps a line at the narrow no-break space that
/// French puts between thousands (only U+00A0 holds), which broke « 25 803 500,00 DH » in two.
pub fn whole_numbers(text: &str) -> String {
    text.replace('\u{202f}', "\u{a0}")
}

/// A message line: an error, a warning or a confirmation.
pub fn message(ui: &mut Ui, message: &Message) {
    let color = match message.kind {
        MessageKind::Error => theme::ERROR,
        MessageKind::Warning => theme::WARNING,
        MessageKind::Ok => theme::OK,
    };
    ui.label(RichText::new(whole_numbers(&message.text)).color(color));
}

/// What kind of message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// Something failed.
    Error,
    /// Worth a look.
    Warning,
    /// Done.
    Ok,
}

/// A message for the user.
#[derive(Debug, Clone)]
pub struct Message {
    /// Its kind.
    pub kind: MessageKind,
    /// Its text, in French.
    pub text: String,
}

impl Message {
    /// An error.
    pub fn error(text: impl Into<String>) -> Message {
        Message { kind: MessageKind::Error, text: text.into() }
    }
    /// A confirmation.
    pub fn ok(text: impl Into<String>) -> Message {
        Message { kind: MessageKind::Ok, text: text.into() }
    }
    /// A warning.
    pub fn warning(text: impl Into<String>) -> Message {
        Message { kind: MessageKind::Warning, text: text.into() }
    }
}
