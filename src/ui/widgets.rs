//! Small shared pieces of the screens: labelled fields with their error, RTL-aware labels.

use crate::domain::names::fold_latin;
use eframe::egui::{self, RichText, Ui};

use super::bidi;
use super::theme;

/// Width of the label column of forms.
const LABEL_WIDTH: f32 = 230.0;

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

/// A labelled single-line field; the label names the field for screen readers and tests. Shows
/// `error` under the field in red, and for an Arabic field a preview in display order.
pub fn field(ui: &mut Ui, label: &str, value: &mut String, error: Option<&str>) -> egui::Response {
    let response = ui
        .horizontal(|ui| {
            let name = label_cell(ui, label);
            ui.add(egui::TextEdit::singleline(value).desired_width(280.0)).labelled_by(name.id)
        })
        .inner;
    if bidi::has_rtl(value) {
        under_field(ui, |ui| {
            ui.label(RichText::new(format!("Aperçu : {}", bidi::visual(value))).weak());
        });
    }
    if let Some(error) = error {
        error_under(ui, error);
    }
    response
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
        ui.add(egui::TextEdit::singleline(value).password(true).desired_width(280.0)).labelled_by(name.id)
    })
    .inner
}

/// A labelled choice among `options` (value, French label).
pub fn choice(ui: &mut Ui, label: &str, value: &mut String, options: &[(String, String)], error: Option<&str>) {
    ui.horizontal(|ui| {
        let name = label_cell(ui, label);
        let shown = options.iter().find(|(v, _)| v == value).map_or("—", |(_, l)| l.as_str()).to_owned();
        egui::ComboBox::from_id_salt(label)
            .selected_text(shown)
            .width(280.0)
            .show_ui(ui, |ui| {
                for (v, l) in options {
                    ui.selectable_value(value, v.clone(), l);
                }
            })
            .response
            .labelled_by(name.id);
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
    ui.horizontal(|ui| {
        let name = label_cell(ui, label);
        let shown = options.iter().find(|(v, _)| v == value).map_or("—", |(_, l)| l.as_str()).to_owned();
        let filter_id = ui.make_persistent_id((label, "recherche"));
        let mut filter: String = ui.data_mut(|d| d.get_temp(filter_id)).unwrap_or_default();
        let combo =
            egui::ComboBox::from_id_salt(label).selected_text(shown).width(280.0).height(320.0).show_ui(ui, |ui| {
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

/// A message line: an error, a warning or a confirmation.
pub fn message(ui: &mut Ui, message: &Message) {
    let color = match message.kind {
        MessageKind::Error => theme::ERROR,
        MessageKind::Warning => theme::WARNING,
        MessageKind::Ok => theme::OK,
    };
    ui.label(RichText::new(&message.text).color(color));
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
