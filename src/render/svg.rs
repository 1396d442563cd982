//! The SVG writer: paints a [`Scene`] as one self-contained SVG document.
//!
//! No scripts, no styles sheets, no external references: every attribute is a presentation attribute and
//! every piece of text is escaped here (and cleaned of control characters once more, whatever an overlay
//! put into the scene). Numbers are written rounded to 0.1, so the same scene always gives the same bytes.

use super::legend::{Legend, Sample};
use super::route::Curve;
use super::scene::{Anchor, Badge, BoundaryShape, ElementShape, FlowLabel, FlowShape, Scene, TextBlock};
use super::style::{Color, LineStyle, Style};
use super::text;
use crate::model::geometry::Rect;
use crate::model::{ElementKind, Point};

/// Fonts asked for, best first: the font the PNG export ships, then common sans-serif faces of Linux,
/// Windows and macOS. Label boxes are sized for the first, which is also the widest, so the others fit.
pub const FONT_STACK: &str = "'DejaVu Sans', 'Noto Sans', Ubuntu, 'Segoe UI', 'Helvetica Neue', Arial, sans-serif";

/// From this many elements and flows on, [`to_svg`] writes the second half of the document on a
/// thread of its own: a 10 000-element model is 13 MB of SVG.
const PARALLEL_ITEMS: usize = 2000;

/// Writes the scene as an SVG document (UTF-8, ending with a newline).
pub fn to_svg(scene: &Scene) -> String {
    let capacity = 4096 + 600 * (scene.elements.len() + scene.flows.len());
    let writer = |capacity: usize| Writer { out: String::with_capacity(capacity) };
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if scene.elements.len() + scene.flows.len() < PARALLEL_ITEMS || cores < 2 {
        let mut w = writer(capacity);
        w.first_half(scene);
        w.second_half(scene);
        return w.out;
    }
    // Labels, badges and the legend are about 40 % of a large document; the halves are joined in
    // order, so the bytes are the same as written in one go.
    std::thread::scope(|scope| {
        let helper = std::thread::Builder::new().spawn_scoped(scope, || {
            let mut w = writer(capacity / 2);
            w.second_half(scene);
            w.out
        });
        let mut w = writer(capacity);
        w.first_half(scene);
        match helper.ok().and_then(|h| h.join().ok()) {
            Some(rest) => w.raw(&rest),
            None => w.second_half(scene),
        }
        w.out
    })
}

struct Writer {
    out: String,
}

impl Writer {
    /// The document's start, boundaries, flows and elements.
    fn first_half(&mut self, scene: &Scene) {
        let vb = &scene.view_box;
        let p = &scene.palette;
        self.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"");
        self.num(vb.width());
        self.raw("\" height=\"");
        self.num(vb.height());
        self.raw("\" viewBox=\"");
        self.nums(&[vb.min_x, vb.min_y, vb.width(), vb.height()]);
        self.raw("\" font-family=\"");
        self.raw(FONT_STACK);
        self.raw("\" role=\"img\">\n");
        if !scene.title.is_empty() {
            self.raw("<title>");
            self.text(&scene.title);
            self.raw("</title>\n");
        }
        self.raw("<rect id=\"background\"");
        self.rect_attrs(vb, 0.0);
        self.raw(" fill=\"");
        self.color(p.background);
        self.raw("\"/>\n");

        self.raw("<g id=\"boundaries\" fill=\"none\">\n");
        for b in &scene.boundaries {
            self.boundary(b, p.background);
        }
        self.raw("</g>\n<g id=\"flows\" fill=\"none\" stroke-linecap=\"round\" stroke-linejoin=\"round\">\n");
        for f in &scene.flows {
            self.flow(f, p.background);
        }
        self.raw("</g>\n<g id=\"elements\">\n");
        for e in &scene.elements {
            self.element(e);
        }
        self.raw("</g>\n");
    }

    /// The flow labels, badges, legend and the document's end.
    fn second_half(&mut self, scene: &Scene) {
        self.raw("<g id=\"labels\">\n");
        for f in &scene.flows {
            if let Some(label) = &f.label {
                self.flow_label(f, label);
            }
        }
        self.raw("</g>\n<g id=\"badges\">\n");
        for b in &scene.badges {
            self.badge(b);
        }
        self.raw("</g>\n");
        if let Some(legend) = &scene.legend {
            self.legend(legend, scene.palette.background);
        }
        self.raw("</svg>\n");
    }

    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// A number rounded to one decimal, without a trailing `.0` and never `-0`.
    fn num(&mut self, v: f64) {
        let tenths = (v * 10.0).round();
        let tenths = if tenths.is_finite() { tenths.clamp(-1.0e15, 1.0e15) as i64 } else { 0 };
        if tenths < 0 {
            self.out.push('-');
        }
        let a = tenths.unsigned_abs();
        self.out.push_str(itoa::Buffer::new().format(a / 10));
        let frac = (a % 10) as u8;
        if frac != 0 {
            self.out.push('.');
            self.out.push(char::from(b'0' + frac));
        }
    }

    fn nums(&mut self, vs: &[f64]) {
        for (i, v) in vs.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            self.num(*v);
        }
    }

    fn attr_num(&mut self, name: &str, v: f64) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        self.num(v);
        self.out.push('"');
    }

    fn color(&mut self, c: Color) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.out.push('#');
        for byte in [c.r, c.g, c.b] {
            self.out.push(char::from(HEX[usize::from(byte >> 4)]));
            self.out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }

    fn attr_color(&mut self, name: &str, c: Color) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        self.color(c);
        self.out.push('"');
    }

    /// Text content or an attribute value: XML specials escaped, forbidden characters dropped.
    fn text(&mut self, s: &str) {
        for ch in s.chars() {
            match ch {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '"' => self.out.push_str("&quot;"),
                '\'' => self.out.push_str("&apos;"),
                '\n' => self.out.push('\n'),
                c if text::is_forbidden(c) => {}
                c => self.out.push(c),
            }
        }
    }

    fn id(&mut self, prefix: &str, id: &str) {
        self.out.push_str(" id=\"");
        self.out.push_str(prefix);
        self.text(id);
        self.out.push('"');
    }

    fn rect_attrs(&mut self, r: &Rect, radius: f64) {
        self.attr_num("x", r.min_x);
        self.attr_num("y", r.min_y);
        self.attr_num("width", r.width());
        self.attr_num("height", r.height());
        if radius > 0.0 {
            self.attr_num("rx", radius);
        }
    }

    /// Stroke attributes of a style (the colour, width and dashes).
    fn stroke(&mut self, s: &Style, width: f64) {
        self.attr_color("stroke", s.stroke);
        self.attr_num("stroke-width", width);
        if let Some([dash, gap]) = s.line.dash_array(width) {
            self.out.push_str(" stroke-dasharray=\"");
            self.nums(&[dash, gap]);
            self.out.push('"');
            if s.line == LineStyle::Dotted {
                self.out.push_str(" stroke-linecap=\"round\"");
            }
        }
    }

    fn open_group(&mut self, prefix: &str, id: &str, s: &Style) {
        self.out.push_str("<g");
        self.id(prefix, id);
        if s.opacity < 1.0 {
            self.attr_num("opacity", s.opacity.max(0.0));
        }
        self.out.push('>');
    }

    fn tooltip(&mut self, t: &str) {
        if !t.is_empty() {
            self.out.push_str("<title>");
            self.text(t);
            self.out.push_str("</title>");
        }
    }

    fn text_block(&mut self, t: &TextBlock, fill: Color, halo: Option<Color>) {
        if t.lines.iter().all(String::is_empty) {
            return;
        }
        self.out.push_str("<text");
        self.attr_num("x", t.x);
        self.attr_num("y", t.y);
        self.attr_num("font-size", t.size);
        self.attr_color("fill", fill);
        if t.anchor == Anchor::Middle {
            self.out.push_str(" text-anchor=\"middle\"");
        }
        if let Some(h) = halo {
            // A background-coloured outline behind the glyphs keeps text legible over lines.
            self.attr_color("stroke", h);
            self.out.push_str(" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"");
        }
        self.out.push('>');
        for (i, line) in t.lines.iter().enumerate() {
            if i == 0 {
                self.text(line);
            } else {
                self.out.push_str("<tspan");
                self.attr_num("x", t.x);
                self.attr_num("dy", t.line_height);
                self.out.push('>');
                self.text(line);
                self.out.push_str("</tspan>");
            }
        }
        self.out.push_str("</text>");
    }

    fn path_d(&mut self, c: &Curve) {
        self.out.push_str(" d=\"M");
        let pts: &[Point] = match c {
            Curve::Line { from, to } => &[*from, *to],
            Curve::Quad { from, ctrl, to } => &[*from, *ctrl, *to],
            Curve::Cubic { from, c1, c2, to } => &[*from, *c1, *c2, *to],
        };
        for (i, p) in pts.iter().enumerate() {
            if i == 1 {
                self.out.push_str(match c {
                    Curve::Line { .. } => "L",
                    Curve::Quad { .. } => "Q",
                    Curve::Cubic { .. } => "C",
                });
            } else if i > 1 {
                self.out.push(' ');
            }
            self.nums(&[p.x, p.y]);
        }
        self.out.push('"');
    }

    fn polygon_d(&mut self, pts: &[Point]) {
        self.out.push_str(" d=\"M");
        for (i, p) in pts.iter().enumerate() {
            if i > 0 {
                self.out.push('L');
            }
            self.nums(&[p.x, p.y]);
        }
        self.out.push_str("Z\"");
    }

    fn boundary(&mut self, b: &BoundaryShape, background: Color) {
        self.open_group("boundary-", b.id.as_str(), &b.style);
        self.boundary_box(&b.rect, b.radius, &b.style);
        self.text_block(&b.label, b.style.text, Some(background));
        self.out.push_str("</g>\n");
    }

    fn boundary_box(&mut self, r: &Rect, radius: f64, s: &Style) {
        self.out.push_str("<rect");
        self.rect_attrs(r, radius);
        match s.fill {
            Some(f) => self.attr_color("fill", f),
            None => self.out.push_str(" fill=\"none\""),
        }
        self.stroke(s, s.width);
        self.out.push_str("/>");
    }

    fn flow(&mut self, f: &FlowShape, background: Color) {
        self.open_group("flow-", f.id.as_str(), &f.style);
        self.tooltip(&f.tooltip);
        self.flow_lines(&f.curve, &f.arrowheads, &f.style, background);
        self.out.push_str("</g>\n");
    }

    fn flow_lines(&mut self, curve: &Curve, arrowheads: &[[Point; 3]], s: &Style, background: Color) {
        self.out.push_str("<path");
        self.path_d(curve);
        self.stroke(s, s.width);
        self.out.push_str("/>");
        if s.line == LineStyle::Double {
            // The core of a wide stroke in the background colour leaves two parallel lines.
            self.out.push_str("<path");
            self.path_d(curve);
            self.attr_color("stroke", background);
            self.attr_num("stroke-width", s.width * 0.36);
            self.out.push_str("/>");
        }
        for head in arrowheads {
            self.out.push_str("<path");
            self.polygon_d(head);
            self.attr_color("fill", s.stroke);
            self.out.push_str("/>");
        }
    }

    fn element(&mut self, e: &ElementShape) {
        self.open_group("element-", e.id.as_str(), &e.style);
        self.tooltip(&e.tooltip);
        self.element_shape(e.kind, &e.rect, e.radius, &e.style);
        self.text_block(&e.label, e.style.text, None);
        self.out.push_str("</g>\n");
    }

    fn element_shape(&mut self, kind: ElementKind, r: &Rect, radius: f64, s: &Style) {
        let fill = |w: &mut Self| match s.fill {
            Some(f) => w.attr_color("fill", f),
            None => w.out.push_str(" fill=\"none\""),
        };
        match kind {
            ElementKind::External | ElementKind::Process => {
                self.out.push_str("<rect");
                self.rect_attrs(r, if kind == ElementKind::Process { radius } else { 0.0 });
                fill(self);
                self.stroke(s, s.width);
                self.out.push_str("/>");
            }
            ElementKind::Store => {
                // A data store is two parallel lines, open at the ends.
                self.out.push_str("<rect");
                self.rect_attrs(r, 0.0);
                fill(self);
                self.out.push_str("/><path d=\"M");
                self.nums(&[r.min_x, r.min_y]);
                self.out.push('H');
                self.num(r.max_x);
                self.out.push('M');
                self.nums(&[r.min_x, r.max_y]);
                self.out.push('H');
                self.num(r.max_x);
                self.out.push('"');
                self.out.push_str(" fill=\"none\"");
                self.stroke(s, s.width);
                self.out.push_str("/>");
            }
        }
    }

    fn flow_label(&mut self, f: &FlowShape, l: &FlowLabel) {
        self.open_group("label-", f.id.as_str(), &f.style);
        self.out.push_str("<rect");
        self.rect_attrs(&l.rect, 3.0);
        if let Some(fill) = f.style.fill {
            self.attr_color("fill", fill);
            self.out.push_str(" fill-opacity=\"0.92\"");
        } else {
            self.out.push_str(" fill=\"none\"");
        }
        self.out.push_str("/>");
        self.text_block(&l.text, f.style.text, None);
        if let Some(p) = &l.protocol {
            self.text_block(p, f.style.stroke, None);
        }
        if let Some(lock) = &l.lock {
            self.padlock(lock, f.style.stroke);
        }
        self.out.push_str("</g>\n");
    }

    /// A closed padlock drawn in `r` (about 7.5 × 9): a filled body under a round shackle.
    #[allow(clippy::many_single_char_names)] // geometry reads best in its textbook letters
    fn padlock(&mut self, r: &Rect, c: Color) {
        let (x, y, w) = (r.min_x, r.min_y, r.width());
        self.out.push_str("<rect");
        self.rect_attrs(&Rect { min_x: x, min_y: y + 3.6, max_x: r.max_x, max_y: r.max_y }, 1.0);
        self.attr_color("fill", c);
        self.out.push_str("/><path d=\"M");
        self.nums(&[x + w * 0.22, y + 3.8]);
        self.out.push('V');
        self.num(y + 2.3);
        self.out.push('A');
        self.nums(&[w * 0.28, w * 0.28, 0.0, 0.0, 1.0, x + w * 0.78, y + 2.3]);
        self.out.push('V');
        self.num(y + 3.8);
        self.out.push('"');
        self.out.push_str(" fill=\"none\"");
        self.attr_color("stroke", c);
        self.out.push_str(" stroke-width=\"1.3\"/>");
    }

    fn badge(&mut self, b: &Badge) {
        self.open_group("badge-", b.target.as_str(), &b.style);
        self.badge_pill(&b.rect, &b.style, &b.count.to_string());
        self.out.push_str("</g>\n");
    }

    fn badge_pill(&mut self, r: &Rect, s: &Style, count: &str) {
        self.out.push_str("<rect");
        self.rect_attrs(r, r.height() / 2.0);
        if let Some(f) = s.fill {
            self.attr_color("fill", f);
        }
        self.stroke(s, s.width);
        self.out.push_str("/>");
        let c = r.centre();
        let t = TextBlock {
            lines: vec![count.to_owned()],
            x: c.x,
            y: c.y + super::scene::BADGE_FONT * 0.36,
            size: super::scene::BADGE_FONT,
            line_height: 0.0,
            anchor: Anchor::Middle,
        };
        self.text_block(&t, s.text, None);
    }

    fn legend(&mut self, l: &Legend, background: Color) {
        self.out.push_str("<g id=\"legend\">");
        self.out.push_str("<rect");
        self.rect_attrs(&l.rect, 6.0);
        if let Some(f) = l.style.fill {
            self.attr_color("fill", f);
        }
        self.stroke(&l.style, l.style.width);
        self.out.push_str("/>\n");
        for row in &l.rows {
            match &row.sample {
                Some(Sample::Flow { curve, arrowheads, style }) => {
                    self.out.push_str("<g fill=\"none\" stroke-linecap=\"round\" stroke-linejoin=\"round\">");
                    self.flow_lines(curve, arrowheads, style, background);
                    self.out.push_str("</g>");
                }
                Some(Sample::Boundary { rect, style }) => self.boundary_box(rect, 4.0, style),
                Some(Sample::Element { kind, rect, radius, style }) => self.element_shape(*kind, rect, *radius, style),
                Some(Sample::Badge { rect, style }) => self.badge_pill(rect, style, "n"),
                None => {}
            }
            for span in &row.spans {
                let t = TextBlock {
                    lines: vec![span.text.clone()],
                    x: span.x,
                    y: span.y,
                    size: span.size,
                    line_height: 0.0,
                    anchor: Anchor::Start,
                };
                self.text_block(&t, span.color, None);
            }
            self.out.push('\n');
        }
        self.out.push_str("</g>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        let mut w = Writer { out: String::new() };
        w.nums(&[0.0, -0.04, 12.0, 12.34, -7.25, f64::NAN, 1e300]);
        assert_eq!(w.out, "0 0 12 12.3 -7.3 0 100000000000000");
    }

    #[test]
    fn text_is_escaped_and_cleaned() {
        let mut w = Writer { out: String::new() };
        w.text("</text><script>\"'&]]>\0\u{202E}");
        assert_eq!(w.out, "&lt;/text&gt;&lt;script&gt;&quot;&apos;&amp;]]&gt;");
    }
}
