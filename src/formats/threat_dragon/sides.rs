//! What a trust-boundary curve separates. Threat Dragon's curves are open lines, not containers, so
//! each curve is extended at both ends along its end segments until it meets another curve or the
//! edge of the drawing; together they cut the drawing into regions. Elements in the regions that touch
//! one side of a curve are on that side. The side whose regions are smaller becomes the boundary's
//! inside (a curve drawn round a corner encloses the corner), the other side its outside.
//!
//! Regions are found on a coarse raster (at most about 600 × 600 cells) with a flood fill, which is
//! robust against the self-crossing, touching and nearly closed curves people draw.

use std::collections::BTreeSet;

use crate::model::Point;
use crate::model::geometry::Rect;

/// Room around the drawing so that regions along its edge stay connected.
const MARGIN: f64 = 40.0;
/// Most raster cells along the longer side.
const MAX_CELLS: f64 = 600.0;

/// The elements on each side of one curve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Separation {
    /// Elements on the enclosed (smaller) side, by index.
    pub inside: Vec<usize>,
    /// Elements on the other side, by index.
    pub outside: Vec<usize>,
}

/// Why a curve separates nothing.
pub(crate) const NOTHING_SEPARATED: &str = "it does not separate any elements (all of them lie on one side)";
/// A curve with fewer than two distinct points.
pub(crate) const DEGENERATE: &str = "it has fewer than two distinct points";

/// For each curve (a polyline), what it separates among the element centres, within `extent`.
pub(crate) fn separate(
    curves: &[Vec<Point>],
    centres: &[Point],
    extent: Rect,
) -> Vec<Result<Separation, &'static str>> {
    let frame = extent.expand(MARGIN, MARGIN, MARGIN, MARGIN);
    let lines: Vec<Option<Vec<Point>>> = curves.iter().map(|c| dedup(c)).collect();
    let extended = extend(&lines, &frame);
    let grid = Grid::new(frame, &extended);
    let faces: Vec<Option<u32>> = centres.iter().map(|c| grid.face_near(*c)).collect();
    extended
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let Some(line) = line else { return Err(DEGENERATE) };
            let others: Vec<&[Point]> =
                extended.iter().enumerate().filter(|(j, _)| *j != i).filter_map(|(_, l)| l.as_deref()).collect();
            let (left, right) = grid.sides(line, &others);
            let only_left: BTreeSet<u32> = left.difference(&right).copied().collect();
            let only_right: BTreeSet<u32> = right.difference(&left).copied().collect();
            let members = |set: &BTreeSet<u32>| -> Vec<usize> {
                faces.iter().enumerate().filter(|(_, f)| f.is_some_and(|f| set.contains(&f))).map(|(i, _)| i).collect()
            };
            let (l, r) = (members(&only_left), members(&only_right));
            if l.is_empty() || r.is_empty() {
                return Err(NOTHING_SEPARATED);
            }
            let area = |set: &BTreeSet<u32>| -> usize { set.iter().map(|f| grid.area[*f as usize]).sum() };
            let left_first = (area(&only_left), l.len()) <= (area(&only_right), r.len());
            Ok(if left_first { Separation { inside: l, outside: r } } else { Separation { inside: r, outside: l } })
        })
        .collect()
}

/// The polyline without repeated points, or `None` when fewer than two remain.
fn dedup(points: &[Point]) -> Option<Vec<Point>> {
    let mut out: Vec<Point> = Vec::new();
    for p in points {
        if out.last().is_none_or(|q| (q.x - p.x).hypot(q.y - p.y) > 1e-6) {
            out.push(*p);
        }
    }
    (out.len() >= 2).then_some(out)
}

/// A ray from an end of a curve.
struct Ray {
    curve: usize,
    at_start: bool,
    origin: Point,
    dir: Point,
    length: f64,
}

/// Each curve with its end rays added as extra points.
fn extend(lines: &[Option<Vec<Point>>], frame: &Rect) -> Vec<Option<Vec<Point>>> {
    let mut rays = Vec::new();
    for (curve, line) in lines.iter().enumerate() {
        let Some(pts) = line else { continue };
        let n = pts.len();
        for (at_start, origin, prev) in [(true, pts[0], pts[1]), (false, pts[n - 1], pts[n - 2])] {
            let (dx, dy) = (origin.x - prev.x, origin.y - prev.y);
            let len = dx.hypot(dy);
            let dir = Point::new(dx / len, dy / len);
            rays.push(Ray { curve, at_start, origin, dir, length: exit_distance(origin, dir, frame) });
        }
    }
    // Stop each ray at the first curve it meets (its own curve too, except the segment it grows from).
    for ray in &mut rays {
        for (curve, line) in lines.iter().enumerate() {
            let Some(pts) = line else { continue };
            for (k, seg) in pts.windows(2).enumerate() {
                let adjacent = curve == ray.curve && (if ray.at_start { k == 0 } else { k == pts.len() - 2 });
                if adjacent {
                    continue;
                }
                if let Some((t, _)) = intersect(ray.origin, ray.dir, seg[0], seg[1])
                    && t > 1e-6
                    && t < ray.length
                {
                    ray.length = t;
                }
            }
        }
    }
    // Two rays that cross both stop where they cross.
    for i in 0..rays.len() {
        for j in i + 1..rays.len() {
            let (a, b) = (&rays[i], &rays[j]);
            let b_end = Point::new(b.origin.x + b.dir.x * b.length, b.origin.y + b.dir.y * b.length);
            if let Some((t, s)) = intersect(a.origin, a.dir, b.origin, b_end) {
                let tb = s * b.length;
                if t > 1e-6 && t < a.length && tb > 1e-6 {
                    rays[i].length = t;
                    rays[j].length = tb;
                }
            }
        }
    }
    lines
        .iter()
        .enumerate()
        .map(|(curve, line)| {
            let mut pts = line.clone()?;
            for ray in rays.iter().filter(|r| r.curve == curve) {
                let end = Point::new(ray.origin.x + ray.dir.x * ray.length, ray.origin.y + ray.dir.y * ray.length);
                if ray.at_start {
                    pts.insert(0, end);
                } else {
                    pts.push(end);
                }
            }
            Some(pts)
        })
        .collect()
}

/// How far a ray from inside `frame` goes before leaving it.
fn exit_distance(o: Point, d: Point, frame: &Rect) -> f64 {
    let along = |o: f64, d: f64, min: f64, max: f64| -> f64 {
        if d > 1e-12 {
            (max - o) / d
        } else if d < -1e-12 {
            (min - o) / d
        } else {
            f64::INFINITY
        }
    };
    along(o.x, d.x, frame.min_x, frame.max_x).min(along(o.y, d.y, frame.min_y, frame.max_y)).max(0.0)
}

/// Where the ray `o + t·d` meets the segment `a + s·(b − a)`, as `(t, s)` with `s` in 0..=1.
#[allow(clippy::many_single_char_names)] // the names of the textbook formula
fn intersect(o: Point, d: Point, a: Point, b: Point) -> Option<(f64, f64)> {
    let e = Point::new(b.x - a.x, b.y - a.y);
    let denom = d.x * e.y - d.y * e.x;
    if denom.abs() < 1e-12 {
        return None;
    }
    let (wx, wy) = (a.x - o.x, a.y - o.y);
    let t = (wx * e.y - wy * e.x) / denom;
    let s = (wx * d.y - wy * d.x) / denom;
    (0.0..=1.0).contains(&s).then_some((t, s))
}

/// The rasterised drawing: barrier cells where lines run, and the regions between them.
struct Grid {
    frame: Rect,
    cell: f64,
    w: usize,
    h: usize,
    /// Region of each cell, 0 for a barrier.
    face: Vec<u32>,
    /// Cells per region, indexed by region.
    area: Vec<usize>,
}

impl Grid {
    fn new(frame: Rect, lines: &[Option<Vec<Point>>]) -> Self {
        let cell = (frame.width().max(frame.height()) / MAX_CELLS).max(4.0);
        let w = (frame.width() / cell).ceil() as usize + 1;
        let h = (frame.height() / cell).ceil() as usize + 1;
        let mut grid = Self { frame, cell, w, h, face: vec![u32::MAX; w * h], area: vec![0] };
        for x in 0..w {
            grid.face[x] = 0;
            grid.face[(h - 1) * w + x] = 0;
        }
        for y in 0..h {
            grid.face[y * w] = 0;
            grid.face[y * w + w - 1] = 0;
        }
        for line in lines.iter().flatten() {
            for seg in line.windows(2) {
                grid.draw(seg[0], seg[1]);
            }
        }
        grid.fill();
        grid
    }

    fn index(&self, p: Point) -> Option<usize> {
        let x = ((p.x - self.frame.min_x) / self.cell).floor();
        let y = ((p.y - self.frame.min_y) / self.cell).floor();
        (x >= 0.0 && y >= 0.0 && (x as usize) < self.w && (y as usize) < self.h)
            .then(|| y as usize * self.w + x as usize)
    }

    /// Marks the cells a segment passes through, sampled at half a cell so that the marks are
    /// 8-connected and a 4-connected fill cannot leak through them.
    fn draw(&mut self, a: Point, b: Point) {
        let len = (b.x - a.x).hypot(b.y - a.y);
        let steps = (len / (self.cell / 2.0)).ceil().max(1.0) as usize;
        for i in 0..=steps {
            let t = i as f64 / steps as f64;
            if let Some(k) = self.index(Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)) {
                self.face[k] = 0;
            }
        }
    }

    fn fill(&mut self) {
        let mut stack = Vec::new();
        for start in 0..self.face.len() {
            if self.face[start] != u32::MAX {
                continue;
            }
            let label = self.area.len() as u32;
            let mut count = 0;
            self.face[start] = label;
            stack.push(start);
            while let Some(k) = stack.pop() {
                count += 1;
                let (x, y) = (k % self.w, k / self.w);
                let mut visit = |n: usize, face: &mut Vec<u32>| {
                    if face[n] == u32::MAX {
                        face[n] = label;
                        stack.push(n);
                    }
                };
                if x > 0 {
                    visit(k - 1, &mut self.face);
                }
                if x + 1 < self.w {
                    visit(k + 1, &mut self.face);
                }
                if y > 0 {
                    visit(k - self.w, &mut self.face);
                }
                if y + 1 < self.h {
                    visit(k + self.w, &mut self.face);
                }
            }
            self.area.push(count);
        }
    }

    /// The region at `p`, or at the nearest free cell within three cells when `p` is on a line.
    fn face_near(&self, p: Point) -> Option<u32> {
        for r in 0..=3i32 {
            for dy in -r..=r {
                for dx in -r..=r {
                    if dx.abs().max(dy.abs()) != r {
                        continue;
                    }
                    let q = Point::new(p.x + f64::from(dx) * self.cell, p.y + f64::from(dy) * self.cell);
                    if let Some(k) = self.index(q)
                        && self.face[k] != 0
                    {
                        return Some(self.face[k]);
                    }
                }
            }
        }
        None
    }

    /// The regions touching the left and the right of a polyline (in its drawing direction).
    /// Points near other lines are not sampled: there a side sample could land across the other line.
    #[allow(clippy::many_single_char_names)] // segment ends, normal and sample point
    fn sides(&self, line: &[Point], others: &[&[Point]]) -> (BTreeSet<u32>, BTreeSet<u32>) {
        let (mut left, mut right) = (BTreeSet::new(), BTreeSet::new());
        let offset = 2.5 * self.cell;
        for seg in line.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            let len = (b.x - a.x).hypot(b.y - a.y);
            if len < 1e-9 {
                continue;
            }
            let n = Point::new(-(b.y - a.y) / len, (b.x - a.x) / len);
            let steps = (len / self.cell).ceil().max(1.0) as usize;
            for i in 0..=steps {
                let t = i as f64 / steps as f64;
                let p = Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
                if others.iter().any(|o| o.windows(2).any(|s| distance_to_segment(p, s[0], s[1]) < 2.0 * offset)) {
                    continue;
                }
                for (sign, set) in [(1.0, &mut left), (-1.0, &mut right)] {
                    let q = Point::new(p.x + sign * n.x * offset, p.y + sign * n.y * offset);
                    if let Some(k) = self.index(q)
                        && self.face[k] != 0
                    {
                        set.insert(self.face[k]);
                    }
                }
            }
        }
        (left, right)
    }
}

fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
    let (ex, ey) = (b.x - a.x, b.y - a.y);
    let len2 = ex * ex + ey * ey;
    let t = if len2 < 1e-12 { 0.0 } else { (((p.x - a.x) * ex + (p.y - a.y) * ey) / len2).clamp(0.0, 1.0) };
    (p.x - a.x - t * ex).hypot(p.y - a.y - t * ey)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect {
        Rect { min_x: x0, min_y: y0, max_x: x1, max_y: y1 }
    }

    #[test]
    fn a_curve_round_a_corner_encloses_the_corner() {
        // An element in the top-left corner, three elsewhere; the curve cuts the corner off.
        let centres =
            [Point::new(50.0, 50.0), Point::new(400.0, 300.0), Point::new(300.0, 50.0), Point::new(50.0, 300.0)];
        let curve = vec![Point::new(0.0, 150.0), Point::new(150.0, 150.0), Point::new(150.0, 0.0)];
        let out = separate(&[curve], &centres, rect(0.0, 0.0, 450.0, 350.0));
        assert_eq!(out, vec![Ok(Separation { inside: vec![0], outside: vec![1, 2, 3] })]);
    }

    #[test]
    fn a_short_curve_is_extended_to_the_edges() {
        let centres = [Point::new(100.0, 50.0), Point::new(100.0, 300.0)];
        let curve = vec![Point::new(80.0, 170.0), Point::new(120.0, 172.0)];
        let out = separate(&[curve], &centres, rect(0.0, 0.0, 200.0, 350.0));
        assert!(matches!(&out[0], Ok(s) if s.inside.len() == 1 && s.outside.len() == 1), "{out:?}");
    }

    #[test]
    fn a_curve_beside_everything_separates_nothing() {
        let centres = [Point::new(50.0, 50.0), Point::new(100.0, 80.0)];
        let curve = vec![Point::new(400.0, 0.0), Point::new(400.0, 10.0)];
        let out = separate(&[curve, vec![Point::new(1.0, 1.0)]], &centres, rect(0.0, 0.0, 450.0, 100.0));
        assert_eq!(out, vec![Err(NOTHING_SEPARATED), Err(DEGENERATE)]);
    }
}
