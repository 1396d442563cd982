//! The legend: the line styles, element shapes, protocols and badge colours that one drawing uses, and
//! nothing else, each with its meaning (protocol meanings come from the catalogue).

use super::route::{self, ARROW_LENGTH, Curve};
use super::scene::{Badge, BoundaryShape, ElementShape, FlowShape};
use super::style::{Color, LineStyle, Palette, Style};
use super::text;
use crate::model::geometry::Rect;
use crate::model::{Document, ElementKind, Encryption, Point, Severity, protocol};

/// Height of one legend row.
const ROW: f64 = 20.0;
/// Width of a row's sample drawing.
const SAMPLE_W: f64 = 36.0;
/// Inner padding of the legend box.
const PAD: f64 = 12.0;
/// Font size of legend text.
pub const LEGEND_FONT: f64 = 11.5;
/// Font size of the legend's section headings.
const HEADING_FONT: f64 = 10.5;

/// A drawing that shows what a row means.
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    /// A short flow line with its arrowheads.
    Flow {
        /// The line.
        curve: Curve,
        /// Arrowheads.
        arrowheads: Vec<[Point; 3]>,
        /// The line's style, as flows use it.
        style: Style,
    },
    /// A small trust-boundary box.
    Boundary {
        /// The box.
        rect: Rect,
        /// The boundary style.
        style: Style,
    },
    /// A small element shape.
    Element {
        /// Which shape.
        kind: ElementKind,
        /// Its box.
        rect: Rect,
        /// Corner radius.
        radius: f64,
        /// The element style.
        style: Style,
    },
    /// A threat badge.
    Badge {
        /// The pill.
        rect: Rect,
        /// Badge style (fill = severity colour).
        style: Style,
    },
}

/// One run of legend text.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// The text (cleaned, not escaped).
    pub text: String,
    /// Where it starts.
    pub x: f64,
    /// Its baseline.
    pub y: f64,
    /// Font size.
    pub size: f64,
    /// Its colour.
    pub color: Color,
}

/// One legend row: an optional sample drawing and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendRow {
    /// What the row explains, drawn.
    pub sample: Option<Sample>,
    /// The row's text runs.
    pub spans: Vec<Span>,
}

/// The legend box and its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Legend {
    /// The box.
    pub rect: Rect,
    /// Its frame and background.
    pub style: Style,
    /// Rows, top first; section headings are rows without a sample.
    pub rows: Vec<LegendRow>,
}

struct Layout {
    x: f64,
    y: f64,
    rows: Vec<LegendRow>,
    right: f64,
}

impl Layout {
    fn heading(&mut self, title: &str, palette: &Palette) {
        if !self.rows.is_empty() {
            self.y += 6.0;
        }
        self.push_span(None, title, self.x, HEADING_FONT, palette.muted);
    }

    fn push_span(&mut self, sample: Option<Sample>, words: &str, x: f64, size: f64, color: Color) {
        self.right = self.right.max(x + text::width(words, size));
        self.rows.push(LegendRow {
            sample,
            spans: vec![Span { text: words.to_owned(), x, y: self.y + ROW / 2.0 + size * 0.35, size, color }],
        });
        self.y += ROW;
    }

    fn row(&mut self, sample: Sample, words: &str, palette: &Palette) {
        let x = self.x + SAMPLE_W + 10.0;
        self.push_span(Some(sample), words, x, LEGEND_FONT, palette.ink);
    }

    fn middle(&self) -> f64 {
        self.y + ROW / 2.0
    }
}

fn line_sample(layout: &Layout, style: Style, both: bool) -> Sample {
    let y = layout.middle();
    let (a, b) = (Point::new(layout.x, y), Point::new(layout.x + SAMPLE_W, y));
    let curve = Curve::Line { from: a, to: b };
    let mut arrowheads = vec![route::arrowhead(b, Point::new(1.0, 0.0))];
    if both {
        arrowheads.push(route::arrowhead(a, Point::new(-1.0, 0.0)));
    }
    let trim = ARROW_LENGTH * 0.8;
    Sample::Flow { curve: curve.trimmed(if both { trim } else { 0.0 }, trim), arrowheads, style }
}

/// What the drawing uses, gathered from its items.
#[derive(Default)]
struct Used {
    encrypted: Option<Style>,
    plain: Option<Style>,
    unknown: Option<Style>,
    out_of_scope: Option<Style>,
    both_ways: bool,
}

/// Builds the legend of a drawing, its top-left corner at `at`, or `None` when the drawing has nothing to explain.
pub fn build(
    doc: &Document,
    elements: &[ElementShape],
    flows: &[FlowShape],
    badges: &[Badge],
    boundaries: &[BoundaryShape],
    palette: &Palette,
    at: Point,
) -> Option<Legend> {
    let mut layout = Layout { x: at.x + PAD, y: at.y + PAD, rows: Vec::new(), right: at.x + PAD };
    let mut used = Used::default();
    for f in flows {
        let slot = if f.out_of_scope {
            &mut used.out_of_scope
        } else {
            match f.encryption {
                Encryption::Encrypted => &mut used.encrypted,
                Encryption::Plain => &mut used.plain,
                Encryption::Unknown => &mut used.unknown,
            }
        };
        slot.get_or_insert(f.style);
        used.both_ways |= f.bidirectional;
    }
    let element_oos = elements.iter().find(|e| e.out_of_scope).map(|e| e.style);

    let any_line = !boundaries.is_empty() || !flows.is_empty() || element_oos.is_some();
    if any_line {
        layout.heading("Lines", palette);
    }
    if let Some(b) = boundaries.first() {
        let y = layout.middle();
        let rect = Rect { min_x: layout.x, min_y: y - 7.0, max_x: layout.x + SAMPLE_W, max_y: y + 7.0 };
        layout.row(Sample::Boundary { rect, style: b.style }, "Trust boundary", palette);
    }
    for (style, words) in [
        (used.encrypted, "Encrypted flow (double line)"),
        (used.plain, "Plain-text flow (not encrypted)"),
        (used.unknown, "Flow, encryption unknown"),
    ] {
        if let Some(s) = style {
            let sample = line_sample(&layout, s, false);
            layout.row(sample, words, palette);
        }
    }
    if let Some(s) = used.out_of_scope.or(element_oos.map(|e| Style { fill: None, ..e })) {
        let sample = line_sample(&layout, Style { width: s.width.max(1.6), ..s }, false);
        layout.row(sample, "Out of scope (dotted)", palette);
    }
    if used.both_ways {
        let style = used.encrypted.or(used.plain).or(used.unknown).or(used.out_of_scope);
        if let Some(s) = style {
            let sample = line_sample(&layout, s, true);
            layout.row(sample, "Both directions", palette);
        }
    }

    let kinds: Vec<(ElementKind, Style)> = ElementKind::ALL
        .iter()
        .filter_map(|k| {
            let e =
                elements.iter().find(|e| e.kind == *k && !e.out_of_scope).or(elements.iter().find(|e| e.kind == *k))?;
            Some((*k, Style { line: LineStyle::Solid, stroke: palette.ink, ..e.style }))
        })
        .collect();
    if !kinds.is_empty() {
        layout.heading("Elements", palette);
    }
    for (kind, style) in kinds {
        let y = layout.middle();
        let rect = Rect { min_x: layout.x + 2.0, min_y: y - 7.5, max_x: layout.x + SAMPLE_W - 2.0, max_y: y + 7.5 };
        let radius = if kind == ElementKind::Process { 7.5 } else { 0.0 };
        let words = match kind {
            ElementKind::External => "External entity",
            ElementKind::Process => "Process",
            ElementKind::Store => "Data store",
        };
        layout.row(Sample::Element { kind, rect, radius, style }, words, palette);
    }

    protocol_rows(doc, flows, palette, &mut layout);

    let mut severities: Vec<Severity> = badges.iter().map(|b| b.severity).collect();
    severities.sort_unstable();
    severities.dedup();
    if !severities.is_empty() {
        layout.heading("Open threats (count, coloured by worst severity)", palette);
    }
    for s in severities {
        let y = layout.middle();
        let cx = layout.x + SAMPLE_W / 2.0;
        let r = super::scene::BADGE_RADIUS;
        let style = badges.iter().find(|b| b.severity == s).map(|b| b.style)?;
        let rect = Rect { min_x: cx - r, min_y: y - r, max_x: cx + r, max_y: y + r };
        layout.row(Sample::Badge { rect, style }, s.as_str(), palette);
    }

    if layout.rows.is_empty() {
        return None;
    }
    let rect = Rect { min_x: at.x, min_y: at.y, max_x: layout.right + PAD, max_y: layout.y + PAD };
    let style = Style {
        stroke: palette.out_of_scope,
        fill: Some(palette.background),
        text: palette.ink,
        width: 1.0,
        line: LineStyle::Solid,
        opacity: 1.0,
    };
    Some(Legend { rect, style, rows: layout.rows })
}

/// One row per protocol text the flows use, as written, with the catalogue's meaning; known protocols in
/// catalogue order (plain before secure twin, as in grpc, grpcs), then unknown ones alphabetically.
fn protocol_rows(doc: &Document, flows: &[FlowShape], palette: &Palette, layout: &mut Layout) {
    let drawn: std::collections::HashSet<&str> = flows.iter().map(|f| f.id.as_str()).collect();
    let mut seen: Vec<(usize, String, String)> = Vec::new();
    for f in doc.flows.iter().filter(|f| drawn.contains(f.id.as_str())) {
        let written = text::clean_line(&f.protocol);
        if written.is_empty() || seen.iter().any(|(_, w, _)| w.eq_ignore_ascii_case(&written)) {
            continue;
        }
        let rank = protocol::lookup(&written)
            .and_then(|p| protocol::CATALOGUE.iter().position(|c| c.name == p.name))
            .unwrap_or(usize::MAX);
        seen.push((rank, written.to_lowercase(), written));
    }
    if seen.is_empty() {
        return;
    }
    seen.sort();
    layout.heading("Protocols", palette);
    let keys: Vec<String> = seen.iter().map(|(_, _, w)| text::fit(w, 110.0, LEGEND_FONT)).collect();
    let key_w = keys.iter().map(|k| text::width(k, LEGEND_FONT)).fold(0.0, f64::max);
    for ((_, _, written), key) in seen.iter().zip(keys) {
        let found = protocol::lookup(written);
        let (meaning, colour) = match found {
            Some(p) => (p.meaning, palette.flow(if p.encrypted { Encryption::Encrypted } else { Encryption::Plain })),
            None => ("not in the catalogue: encryption unknown", palette.unknown),
        };
        let y = layout.y + ROW / 2.0 + LEGEND_FONT * 0.35;
        let meaning_x = layout.x + key_w + 12.0;
        layout.right = layout.right.max(meaning_x + text::width(meaning, LEGEND_FONT));
        layout.rows.push(LegendRow {
            sample: None,
            spans: vec![
                Span { text: key, x: layout.x, y, size: LEGEND_FONT, color: colour },
                Span { text: meaning.to_owned(), x: meaning_x, y, size: LEGEND_FONT, color: palette.ink },
            ],
        });
        layout.y += ROW;
    }
}
