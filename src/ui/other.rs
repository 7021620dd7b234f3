//! The screens that later issues fill (certificates, synchronisation, reports), which already
//! say what the core offers.

use eframe::egui::Ui;

/// A screen that a later issue fills.
pub fn coming_ui(ui: &mut Ui, title: &str, what: &str) {
    ui.heading(title);
    ui.label(what);
}
