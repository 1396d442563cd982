//! Colours of the diagram for the light and the dark theme, in one place.

use egui::Color32;

use crate::model::{Encryption, Severity};

/// The diagram's colours for one theme.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    /// Canvas background.
    pub background: Color32,
    /// Grid dots.
    pub grid: Color32,
    /// Element outline and text.
    pub ink: Color32,
    /// External entity fill.
    pub external_fill: Color32,
    /// Process fill.
    pub process_fill: Color32,
    /// Data store fill.
    pub store_fill: Color32,
    /// Out-of-scope items.
    pub muted: Color32,
    /// Trust boundaries.
    pub boundary: Color32,
    /// Encrypted flows.
    pub encrypted: Color32,
    /// Plain-text flows.
    pub plain: Color32,
    /// Flows of unknown encryption.
    pub unknown: Color32,
    /// Selection outline.
    pub selection: Color32,
    /// Hover outline.
    pub hover: Color32,
    /// Background behind flow labels.
    pub label_bg: Color32,
}

impl Palette {
    /// The palette for the current visuals.
    pub fn new(dark: bool) -> Self {
        if dark {
            Self {
                background: Color32::from_rgb(0x1e, 0x20, 0x24),
                grid: Color32::from_rgb(0x34, 0x37, 0x3d),
                ink: Color32::from_rgb(0xe4, 0xe6, 0xea),
                external_fill: Color32::from_rgb(0x2c, 0x33, 0x40),
                process_fill: Color32::from_rgb(0x24, 0x3a, 0x4f),
                store_fill: Color32::from_rgb(0x33, 0x30, 0x24),
                muted: Color32::from_rgb(0x80, 0x84, 0x8c),
                boundary: Color32::from_rgb(0xf0, 0x5a, 0x5a),
                encrypted: Color32::from_rgb(0x4c, 0xc3, 0x8a),
                plain: Color32::from_rgb(0xf2, 0xa1, 0x3b),
                unknown: Color32::from_rgb(0xb0, 0xb4, 0xbc),
                selection: Color32::from_rgb(0x5a, 0xa9, 0xff),
                hover: Color32::from_rgb(0x8a, 0xc0, 0xff),
                label_bg: Color32::from_rgba_unmultiplied(0x1e, 0x20, 0x24, 0xe0),
            }
        } else {
            Self {
                background: Color32::from_rgb(0xfa, 0xfa, 0xf8),
                grid: Color32::from_rgb(0xe2, 0xe2, 0xde),
                ink: Color32::from_rgb(0x22, 0x26, 0x2e),
                external_fill: Color32::from_rgb(0xee, 0xf1, 0xf6),
                process_fill: Color32::from_rgb(0xe3, 0xef, 0xfb),
                store_fill: Color32::from_rgb(0xfb, 0xf5, 0xe4),
                muted: Color32::from_rgb(0x98, 0x9c, 0xa4),
                boundary: Color32::from_rgb(0xd0, 0x32, 0x32),
                encrypted: Color32::from_rgb(0x1d, 0x8a, 0x55),
                plain: Color32::from_rgb(0xd9, 0x6c, 0x00),
                unknown: Color32::from_rgb(0x55, 0x5b, 0x66),
                selection: Color32::from_rgb(0x1a, 0x73, 0xe8),
                hover: Color32::from_rgb(0x6a, 0xa5, 0xf0),
                label_bg: Color32::from_rgba_unmultiplied(0xfa, 0xfa, 0xf8, 0xe6),
            }
        }
    }

    /// The colour of a flow.
    pub fn flow(&self, e: Encryption, out_of_scope: bool) -> Color32 {
        if out_of_scope {
            return self.muted;
        }
        match e {
            Encryption::Encrypted => self.encrypted,
            Encryption::Plain => self.plain,
            Encryption::Unknown => self.unknown,
        }
    }
}

/// The badge colour for a threat severity (the same in both themes, white text on it).
pub fn severity_colour(s: Severity) -> Color32 {
    match s {
        Severity::Low => Color32::from_rgb(0x3b, 0x7d, 0xd8),
        Severity::Medium => Color32::from_rgb(0xd9, 0x8e, 0x04),
        Severity::High => Color32::from_rgb(0xe0, 0x4e, 0x1b),
        Severity::Critical => Color32::from_rgb(0xa3, 0x12, 0x2a),
    }
}

/// How a legend names a line style.
pub fn legend_text(e: Encryption, out_of_scope: bool) -> &'static str {
    match (out_of_scope, e) {
        (true, _) => "out of scope (dotted)",
        (false, Encryption::Encrypted) => "encrypted (grpcs, wss, https…)",
        (false, Encryption::Plain) => "plain text (grpc, ws, http…)",
        (false, Encryption::Unknown) => "protocol unknown",
    }
}

/// Adds the font the exports ship (`DejaVuSans.ttf`) after egui's own fonts, so that the arrows, lock
/// marks and non-Latin letters that labels and change lists use are drawn rather than shown as boxes.
pub fn install_fallback_font(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts
        .font_data
        .insert("dejavu-sans".to_owned(), std::sync::Arc::new(egui::FontData::from_static(crate::render::png::FONT)));
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push("dejavu-sans".to_owned());
    }
    ctx.set_fonts(fonts);
}
