//! On the Programmes screen: the required documents of each project kind — read where they
//! come from (shipped with Daftar, or published by a delegation and which version), and at a
//! delegation edit and publish them.

use eframe::egui::{self, RichText, Ui};

use super::backend::Request;
use crate::app::ChecklistView;
use crate::domain::dossier::ChecklistItem;
use crate::domain::project::ProjectKind;

/// The section's state.
#[derive(Debug, Default)]
pub struct ChecklistsState {
    /// The kind shown (`None`: PME).
    pub kind: Option<ProjectKind>,
    /// The list being edited, before it is published.
    pub draft: Option<Vec<ChecklistItem>>,
    /// The code of a document to add.
    pub new_code: String,
    /// Its French label.
    pub new_label_fr: String,
}

fn source(view: &ChecklistView) -> String {
    match &view.published {
        Some(meta) => format!(
            "Publiée par {} — version {} du {}",
            meta.owner,
            meta.version,
            meta.updated_at.get(..10).unwrap_or_default()
        ),
        None => "Liste livrée avec Daftar (aucune liste publiée)".into(),
    }
}

/// The section; `lists` holds each kind's list as this site applies it.
pub fn checklists_ui(
    ui: &mut Ui,
    state: &mut ChecklistsState,
    lists: &[(ProjectKind, ChecklistView)],
    may_publish: bool,
) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.label(RichText::new("Pièces exigées par type de projet").strong());
    let kind = state.kind.unwrap_or(ProjectKind::Pme);
    ui.horizontal(|ui| {
        let label = ui.label("Type de projet");
        egui::ComboBox::from_id_salt("pieces-type")
            .selected_text(kind.label_fr())
            .show_ui(ui, |ui| {
                for k in ProjectKind::ALL {
                    if ui.selectable_label(k == kind, k.label_fr()).clicked() {
                        state.kind = Some(k);
                        state.draft = None;
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
    let Some((_, view)) = lists.iter().find(|(k, _)| *k == kind) else { return requests };
    ui.label(RichText::new(source(view)).weak());
    let Some(draft) = &mut state.draft else {
        for item in &view.items {
            let required = if item.required { "obligatoire" } else { "facultative" };
            ui.label(format!("• {} ({required}) — {}", item.label_fr, super::bidi::visual(&item.label_ar)));
        }
        if may_publish && ui.button("Modifier la liste").clicked() {
            state.draft = Some(view.items.clone());
        }
        return requests;
    };
    let mut removed = None;
    egui::Grid::new("pieces-edition").num_columns(5).spacing([8.0, 4.0]).show(ui, |ui| {
        for (i, item) in draft.iter_mut().enumerate() {
            let code = ui.label(&item.code);
            ui.add_sized([300.0, 20.0], egui::TextEdit::singleline(&mut item.label_fr)).labelled_by(code.id);
            let arabic = ui.label("en arabe");
            ui.add_sized([220.0, 20.0], egui::TextEdit::singleline(&mut item.label_ar)).labelled_by(arabic.id);
            ui.horizontal(|ui| {
                ui.checkbox(&mut item.required, format!("obligatoire ({})", item.code));
                if ui.small_button(format!("Retirer {}", item.code)).clicked() {
                    removed = Some(i);
                }
            });
            ui.end_row();
        }
    });
    if let Some(i) = removed {
        draft.remove(i);
    }
    ui.horizontal(|ui| {
        let label = ui.label("Code de la pièce");
        ui.add(egui::TextEdit::singleline(&mut state.new_code).desired_width(140.0)).labelled_by(label.id);
        let label = ui.label("Libellé de la pièce");
        ui.add(egui::TextEdit::singleline(&mut state.new_label_fr).desired_width(260.0)).labelled_by(label.id);
        if ui.button("Ajouter la pièce").clicked() {
            draft.push(ChecklistItem {
                code: state.new_code.trim().to_owned(),
                kind,
                label_fr: state.new_label_fr.trim().to_owned(),
                label_ar: String::new(),
                required: true,
            });
            state.new_code.clear();
            state.new_label_fr.clear();
        }
    });
    let mut cancel = false;
    ui.horizontal(|ui| {
        if ui.button("Publier la liste").clicked() {
            requests.push(Request::SaveChecklist { kind, items: draft.clone() });
        }
        cancel = ui.button("Annuler les modifications").clicked();
    });
    if cancel {
        state.draft = None;
    }
    requests
}
