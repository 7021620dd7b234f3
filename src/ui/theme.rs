//! Look of the application: fonts (shipped in `assets/fonts/`, never the system's), colours and
//! spacing. Screens take their colours from here only.

use std::sync::Arc;

use eframe::egui::{self, Color32, FontData, FontDefinitions, FontFamily};

/// Colour of field errors.
pub const ERROR: Color32 = Color32::from_rgb(0xB0, 0x1E, 0x1E);
/// Colour of warnings (possible duplicates, unusual values).
pub const WARNING: Color32 = Color32::from_rgb(0x9A, 0x5B, 0x00);
/// Colour of confirmations.
pub const OK: Color32 = Color32::from_rgb(0x1E, 0x6B, 0x2E);
/// The accent of the sidebar and headings (the green of Moroccan administrations).
pub const ACCENT: Color32 = Color32::from_rgb(0x00, 0x62, 0x33);

/// Adds the Arabic font after egui's own, so Latin text keeps egui's fonts and Arabic letters
/// fall back to Noto Naskh Arabic.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "noto-naskh-arabic".to_owned(),
        Arc::new(FontData::from_static(include_bytes!("../../assets/fonts/NotoNaskhArabic-Regular.ttf"))),
    );
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push("noto-naskh-arabic".to_owned());
    }
    ctx.set_fonts(fonts);
}

/// A calm light theme with slightly larger text, for long days of typing.
pub fn apply(ctx: &egui::Context) {
    install_fonts(ctx);
    ctx.set_theme(egui::Theme::Light);
    ctx.global_style_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(10.0, 4.0);
        for (text_style, font) in style.text_styles.iter_mut() {
            font.size = match text_style {
                egui::TextStyle::Heading => 22.0,
                egui::TextStyle::Small => 12.0,
                _ => 15.0,
            };
        }
    });
}
