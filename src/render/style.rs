//! Colours and line styles of drawn exports, per theme. Every scene item carries its own [`Style`], so
//! an overlay (a diff colouring added and removed items) restyles items without touching the geometry.

use crate::model::{Encryption, Severity};

/// Colour theme of a drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Dark lines on white.
    #[default]
    Light,
    /// Light lines on a dark background.
    Dark,
}

/// An opaque sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Color {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl Color {
    /// The colour written `0xRRGGBB`.
    pub const fn hex(rgb: u32) -> Self {
        Self { r: (rgb >> 16) as u8, g: (rgb >> 8) as u8, b: rgb as u8 }
    }

    /// `#rrggbb`, as SVG writes it.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// How a line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineStyle {
    /// One continuous line.
    Solid,
    /// Long dashes: trust boundaries.
    Dashed,
    /// Round dots: out of scope. Never the boundaries' dash.
    Dotted,
    /// Two parallel lines (a wide stroke with a background-coloured core): encrypted flows.
    Double,
}

impl LineStyle {
    /// The SVG `stroke-dasharray` for a line of width `w`, if the style is broken.
    pub fn dash_array(self, w: f64) -> Option<[f64; 2]> {
        match self {
            Self::Solid | Self::Double => None,
            Self::Dashed => Some([8.0, 5.0]),
            // With round caps a zero-length dash is a dot of the line's width.
            Self::Dotted => Some([0.0, w * 2.6]),
        }
    }
}

/// How one scene item is painted. Overlays replace any of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// Outline or line colour.
    pub stroke: Color,
    /// Fill of shapes, label boxes and arrowheads' background; `None` leaves shapes unfilled.
    pub fill: Option<Color>,
    /// Colour of the item's text.
    pub text: Color,
    /// Line width in canvas units.
    pub width: f64,
    /// Solid, dashed, dotted or double.
    pub line: LineStyle,
    /// Opacity of the whole item, 0 to 1.
    pub opacity: f64,
}

/// The colours of one theme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Canvas background.
    pub background: Color,
    /// Main lines and text.
    pub ink: Color,
    /// Secondary text (protocols, legend meanings).
    pub muted: Color,
    /// Fill of element shapes.
    pub element_fill: Color,
    /// Fill behind flow labels.
    pub label_fill: Color,
    /// Trust boundaries.
    pub boundary: Color,
    /// Encrypted flows.
    pub encrypted: Color,
    /// Plain-text flows: a warning colour.
    pub plain: Color,
    /// Flows whose encryption is unknown.
    pub unknown: Color,
    /// Out-of-scope items.
    pub out_of_scope: Color,
    /// Text on threat badges.
    pub badge_text: Color,
}

impl Palette {
    /// The palette of `theme`.
    pub fn of(theme: Theme) -> Self {
        match theme {
            Theme::Light => Self {
                background: Color::hex(0xFF_FF_FF),
                ink: Color::hex(0x1F_23_28),
                muted: Color::hex(0x57_60_6A),
                element_fill: Color::hex(0xF6_F8_FA),
                label_fill: Color::hex(0xFF_FF_FF),
                boundary: Color::hex(0xCF_22_2E),
                encrypted: Color::hex(0x1A_7F_37),
                plain: Color::hex(0xC2_4E_00),
                unknown: Color::hex(0x42_4A_53),
                out_of_scope: Color::hex(0x8C_95_9F),
                badge_text: Color::hex(0xFF_FF_FF),
            },
            Theme::Dark => Self {
                background: Color::hex(0x0D_11_17),
                ink: Color::hex(0xE6_ED_F3),
                muted: Color::hex(0x9D_A7_B3),
                element_fill: Color::hex(0x16_1B_22),
                label_fill: Color::hex(0x0D_11_17),
                boundary: Color::hex(0xFF_7B_72),
                encrypted: Color::hex(0x3F_B9_50),
                plain: Color::hex(0xF0_88_3E),
                unknown: Color::hex(0xB1_BA_C4),
                out_of_scope: Color::hex(0x6E_76_81),
                badge_text: Color::hex(0xFF_FF_FF),
            },
        }
    }

    /// The line colour of a flow with this encryption.
    pub fn flow(&self, encryption: Encryption) -> Color {
        match encryption {
            Encryption::Encrypted => self.encrypted,
            Encryption::Plain => self.plain,
            Encryption::Unknown => self.unknown,
        }
    }

    /// The badge colour of a worst severity. The same in both themes, so a badge reads the same everywhere.
    pub fn severity(&self, severity: Severity) -> Color {
        match severity {
            Severity::Low => Color::hex(0x1F_6F_EB),
            Severity::Medium => Color::hex(0x9A_67_00),
            Severity::High => Color::hex(0xD1_24_2F),
            Severity::Critical => Color::hex(0x82_07_1E),
        }
    }
}
