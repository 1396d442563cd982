//! Flow geometry: curves between element outlines, bent apart for parallel and opposite flows and around
//! elements in the way, self-loops, and arrowheads.

use crate::model::ElementKind;
use crate::model::Point;
use crate::model::geometry::Rect;

/// Length of an arrowhead along its line.
pub const ARROW_LENGTH: f64 = 10.0;
/// Half the width of an arrowhead's base.
pub const ARROW_HALF_WIDTH: f64 = 4.5;
/// Distance between the middles of neighbouring parallel flows.
pub const PARALLEL_SPACING: f64 = 34.0;

/// The path of one flow: a straight line, a quadratic curve, or a cubic curve (self-loops).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Curve {
    /// A straight segment.
    Line {
        /// Start.
        from: Point,
        /// End.
        to: Point,
    },
    /// A quadratic Bézier curve.
    Quad {
        /// Start.
        from: Point,
        /// Control point.
        ctrl: Point,
        /// End.
        to: Point,
    },
    /// A cubic Bézier curve.
    Cubic {
        /// Start.
        from: Point,
        /// First control point.
        c1: Point,
        /// Second control point.
        c2: Point,
        /// End.
        to: Point,
    },
}

fn lerp(a: Point, b: Point, t: f64) -> Point {
    Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)
}

fn sub(a: Point, b: Point) -> Point {
    Point::new(a.x - b.x, a.y - b.y)
}

fn add(a: Point, b: Point) -> Point {
    Point::new(a.x + b.x, a.y + b.y)
}

fn scale(a: Point, s: f64) -> Point {
    Point::new(a.x * s, a.y * s)
}

fn length(a: Point) -> f64 {
    a.x.hypot(a.y)
}

/// `a` scaled to length 1, or `fallback` when it has no length.
fn unit(a: Point, fallback: Point) -> Point {
    let l = length(a);
    if l > 1e-9 && l.is_finite() { scale(a, 1.0 / l) } else { fallback }
}

impl Curve {
    /// The first point.
    pub fn start(&self) -> Point {
        match *self {
            Self::Line { from, .. } | Self::Quad { from, .. } | Self::Cubic { from, .. } => from,
        }
    }

    /// The last point.
    pub fn end(&self) -> Point {
        match *self {
            Self::Line { to, .. } | Self::Quad { to, .. } | Self::Cubic { to, .. } => to,
        }
    }

    /// The point at parameter `t` in 0..=1.
    pub fn point_at(&self, t: f64) -> Point {
        match *self {
            Self::Line { from, to } => lerp(from, to, t),
            Self::Quad { from, ctrl, to } => lerp(lerp(from, ctrl, t), lerp(ctrl, to, t), t),
            Self::Cubic { from, c1, c2, to } => {
                let a = lerp(lerp(from, c1, t), lerp(c1, c2, t), t);
                let b = lerp(lerp(c1, c2, t), lerp(c2, to, t), t);
                lerp(a, b, t)
            }
        }
    }

    /// Unit direction of travel at the end.
    pub fn end_direction(&self) -> Point {
        let chord = sub(self.end(), self.start());
        let d = match *self {
            Self::Line { from, to } => sub(to, from),
            Self::Quad { ctrl, to, .. } => sub(to, ctrl),
            Self::Cubic { c2, to, .. } => sub(to, c2),
        };
        unit(d, unit(chord, Point::new(1.0, 0.0)))
    }

    /// Unit direction of travel at the start.
    pub fn start_direction(&self) -> Point {
        let chord = sub(self.end(), self.start());
        let d = match *self {
            Self::Line { from, to } => sub(to, from),
            Self::Quad { from, ctrl, .. } => sub(ctrl, from),
            Self::Cubic { from, c1, .. } => sub(c1, from),
        };
        unit(d, unit(chord, Point::new(1.0, 0.0)))
    }

    /// Unit normal at parameter `t` (the tangent turned a quarter clockwise on screen).
    pub fn normal_at(&self, t: f64) -> Point {
        let a = self.point_at((t - 0.01).max(0.0));
        let b = self.point_at((t + 0.01).min(1.0));
        let d = unit(sub(b, a), Point::new(1.0, 0.0));
        Point::new(-d.y, d.x)
    }

    /// The same curve with its ends moved inwards along their tangents, to leave room for arrowheads.
    #[must_use]
    pub fn trimmed(&self, at_start: f64, at_end: f64) -> Self {
        let s = add(self.start(), scale(self.start_direction(), at_start));
        let e = sub(self.end(), scale(self.end_direction(), at_end));
        match *self {
            Self::Line { .. } => Self::Line { from: s, to: e },
            Self::Quad { ctrl, .. } => Self::Quad { from: s, ctrl, to: e },
            Self::Cubic { c1, c2, .. } => Self::Cubic { from: s, c1, c2, to: e },
        }
    }

    /// A rectangle holding the whole curve: exact for lines and quadratic curves, with the control
    /// points for cubic ones.
    pub fn bounds(&self) -> Rect {
        let (from, to) = (self.start(), self.end());
        let mut r =
            Rect { min_x: from.x.min(to.x), min_y: from.y.min(to.y), max_x: from.x.max(to.x), max_y: from.y.max(to.y) };
        let mut grow = |p: Point| {
            r = r.union(&Rect { min_x: p.x, min_y: p.y, max_x: p.x, max_y: p.y });
        };
        match *self {
            Self::Line { .. } => {}
            Self::Quad { from, ctrl, to } => {
                // A quadratic curve's extreme along an axis is where its derivative vanishes.
                for (a, b, c) in [(from.x, ctrl.x, to.x), (from.y, ctrl.y, to.y)] {
                    let den = a - 2.0 * b + c;
                    if den.abs() > 1e-12 {
                        let t = (a - b) / den;
                        if t > 0.0 && t < 1.0 {
                            grow(self.point_at(t));
                        }
                    }
                }
            }
            Self::Cubic { c1, c2, .. } => {
                grow(c1);
                grow(c2);
            }
        }
        r
    }

    /// Points along the curve, `n` + 1 of them from start to end.
    pub fn sample(&self, n: usize) -> impl Iterator<Item = Point> + '_ {
        (0..=n).map(move |i| self.point_at(i as f64 / n as f64))
    }
}

/// The drawn outline of an element, for clipping flows to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outline {
    /// The element's rectangle.
    pub rect: Rect,
    /// Corner radius (processes are drawn as rounded boxes).
    pub radius: f64,
}

impl Outline {
    /// The outline of an element of `kind` drawn in `rect`.
    pub fn new(kind: ElementKind, rect: Rect) -> Self {
        Self { rect, radius: corner_radius(kind, &rect) }
    }

    /// Where a ray from the centre towards `towards` leaves the outline.
    #[allow(clippy::many_single_char_names)] // geometry reads best in its textbook letters
    pub fn exit(&self, towards: Point) -> Point {
        let c = self.rect.centre();
        let (hw, hh) = (self.rect.width() / 2.0, self.rect.height() / 2.0);
        let d = sub(towards, c);
        let (ax, ay) = (d.x.abs(), d.y.abs());
        if ax < 1e-9 && ay < 1e-9 {
            return Point::new(c.x, c.y - hh);
        }
        let s = (if ax > 1e-9 { hw / ax } else { f64::MAX }).min(if ay > 1e-9 { hh / ay } else { f64::MAX });
        let p = add(c, scale(d, s));
        let r = self.radius;
        let (ix, iy) = (hw - r, hh - r);
        if r <= 0.0 || (p.x - c.x).abs() <= ix || (p.y - c.y).abs() <= iy {
            return p;
        }
        // The ray leaves through a rounded corner: intersect it with the corner's circle.
        let k = Point::new(c.x + ix.copysign(d.x), c.y + iy.copysign(d.y));
        let (fx, fy) = (c.x - k.x, c.y - k.y);
        let a = d.x * d.x + d.y * d.y;
        let b = 2.0 * (fx * d.x + fy * d.y);
        let cc = fx * fx + fy * fy - r * r;
        let disc = b * b - 4.0 * a * cc;
        if disc < 0.0 {
            return p;
        }
        let t = (-b + disc.sqrt()) / (2.0 * a);
        add(c, scale(d, t))
    }
}

/// Corner radius of an element's shape: processes are rounded boxes, the others square.
pub fn corner_radius(kind: ElementKind, rect: &Rect) -> f64 {
    match kind {
        ElementKind::Process => (rect.height() / 2.0).min(24.0),
        ElementKind::External | ElementKind::Store => 0.0,
    }
}

/// The curve of a flow between two different elements. `offset` bends it sideways: its middle lies
/// `offset` to the left of the straight line from `a`'s centre to `b`'s (negative: to the right), so
/// flows between the same two elements, in either direction, are drawn apart.
pub fn between(a: &Outline, b: &Outline, offset: f64, normal: Point) -> Curve {
    let (ca, cb) = (a.rect.centre(), b.rect.centre());
    if offset.abs() < 1e-9 {
        return Curve::Line { from: a.exit(cb), to: b.exit(ca) };
    }
    // The middle of a quadratic curve lies halfway between the chord's middle and the control point.
    let ctrl = add(lerp(ca, cb, 0.5), scale(normal, 2.0 * offset));
    Curve::Quad { from: a.exit(ctrl), ctrl, to: b.exit(ctrl) }
}

/// The unit normal used to bend flows between `a` and `b`: the same for both directions of travel,
/// because it is taken from the element whose id sorts first.
pub fn pair_normal(first: Point, second: Point) -> Point {
    let d = unit(sub(second, first), Point::new(1.0, 0.0));
    Point::new(-d.y, d.x)
}

/// The `nth` self-loop on an element: out of the top edge, round the top-right corner, into the right edge.
pub fn self_loop(outline: &Outline, nth: usize) -> Curve {
    let r = outline.rect;
    let c = r.centre();
    let (hw, hh) = (r.width() / 2.0, r.height() / 2.0);
    let reach = 28.0 + 16.0 * nth as f64;
    let from = outline.exit(Point::new(c.x + hw * 0.45, c.y - hh * 4.0));
    let to = outline.exit(Point::new(c.x + hw * 4.0, c.y - hh * 0.3));
    Curve::Cubic {
        from,
        c1: Point::new(from.x + reach * 0.2, from.y - reach * 1.6),
        c2: Point::new(to.x + reach * 1.6, to.y - reach * 0.2),
        to,
    }
}

/// The triangle of an arrowhead whose tip is at `tip`, pointing along the unit vector `dir`.
pub fn arrowhead(tip: Point, dir: Point) -> [Point; 3] {
    let base = sub(tip, scale(dir, ARROW_LENGTH));
    let n = Point::new(-dir.y, dir.x);
    [tip, add(base, scale(n, ARROW_HALF_WIDTH)), sub(base, scale(n, ARROW_HALF_WIDTH))]
}

/// True when the segment `p`–`q` passes through `r` (Liang–Barsky clipping).
#[allow(clippy::many_single_char_names)] // geometry reads best in its textbook letters
pub fn segment_hits(p: Point, q: Point, r: &Rect) -> bool {
    let d = sub(q, p);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (den, num) in [(-d.x, p.x - r.min_x), (d.x, r.max_x - p.x), (-d.y, p.y - r.min_y), (d.y, r.max_y - p.y)] {
        if den.abs() < 1e-12 {
            if num < 0.0 {
                return false;
            }
        } else {
            let t = num / den;
            if den < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(cx: f64, cy: f64, w: f64, h: f64) -> Rect {
        Rect { min_x: cx - w / 2.0, min_y: cy - h / 2.0, max_x: cx + w / 2.0, max_y: cy + h / 2.0 }
    }

    fn close(a: Point, b: Point) -> bool {
        (a.x - b.x).abs() < 1e-6 && (a.y - b.y).abs() < 1e-6
    }

    #[test]
    fn exits_lie_on_the_outline() {
        let square = Outline { rect: rect(0.0, 0.0, 100.0, 50.0), radius: 0.0 };
        assert!(close(square.exit(Point::new(500.0, 0.0)), Point::new(50.0, 0.0)));
        assert!(close(square.exit(Point::new(0.0, -500.0)), Point::new(0.0, -25.0)));
        let round = Outline { rect: rect(0.0, 0.0, 100.0, 50.0), radius: 25.0 };
        let p = round.exit(Point::new(1000.0, 1000.0));
        let k = Point::new(25.0, 0.0);
        assert!((length(sub(p, k)) - 25.0).abs() < 1e-6, "on the corner arc: {p:?}");
    }

    #[test]
    fn opposite_flows_bend_to_opposite_sides() {
        let a = Outline { rect: rect(0.0, 0.0, 100.0, 50.0), radius: 0.0 };
        let b = Outline { rect: rect(0.0, 300.0, 100.0, 50.0), radius: 0.0 };
        let n = pair_normal(a.rect.centre(), b.rect.centre());
        let there = between(&a, &b, PARALLEL_SPACING / 2.0, n);
        let back = between(&b, &a, -PARALLEL_SPACING / 2.0, n);
        let (m1, m2) = (there.point_at(0.5), back.point_at(0.5));
        assert!((m1.x - m2.x).abs() > PARALLEL_SPACING * 0.9, "{m1:?} {m2:?}");
    }

    #[test]
    fn segments_hit_rectangles_they_cross() {
        let r = rect(0.0, 0.0, 10.0, 10.0);
        assert!(segment_hits(Point::new(-20.0, 0.0), Point::new(20.0, 0.0), &r));
        assert!(!segment_hits(Point::new(-20.0, 20.0), Point::new(20.0, 20.0), &r));
        assert!(!segment_hits(Point::new(-20.0, 0.0), Point::new(-10.0, 0.0), &r));
    }

    #[test]
    fn self_loops_leave_and_enter_the_element() {
        let o = Outline { rect: rect(0.0, 0.0, 100.0, 50.0), radius: 0.0 };
        let c = self_loop(&o, 0);
        assert!(close(c.start(), Point::new(c.start().x, -25.0)));
        assert!(close(c.end(), Point::new(50.0, c.end().y)));
        assert!(c.point_at(0.5).x > 50.0 || c.point_at(0.5).y < -25.0);
    }
}
