//! A uniform grid of rectangles, so that placing labels and routing flows around elements stays near
//! linear in the size of the model instead of comparing every item with every other.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::model::Point;

use crate::model::geometry::Rect;

/// Side of one grid cell in canvas units: about one element. A power of two (see [`cell_of`]).
const CELL: f64 = 64.0;
/// A rectangle covering more cells than this is kept in a separate list, not in every cell it covers.
/// Counted by area, so a long thin one (a boundary's edge) still goes into its cells.
const MAX_CELLS_COVERED: i64 = 256;

/// Most cells kept in arrays: 4 M cells cover a drawing of 128 000 × 128 000 units.
const MAX_DENSE_CELLS: i64 = 1 << 22;

/// Rectangles, each tagged with a `u32` (an owner such as an element's index) and a weight, found by area.
///
/// Made in two stages: a [`GridBuilder`] collects the rectangles known up front (elements, arrowheads),
/// and [`GridBuilder::build`] files them all at once into one array per area, cell after cell;
/// rectangles inserted after that (labels as they are placed) go into short lists per cell. Cells in
/// the area given to [`GridBuilder::covering`] sit in arrays; cells outside it, in a hash map. Where a
/// rectangle is kept changes no answer, only its cost: every cell yields its rectangles in the order
/// they were inserted.
#[derive(Debug, Default)]
pub struct Grid {
    /// Which cells sit in arrays.
    dense: Dense,
    /// Where each array cell's part of `fixed` starts (one more entry than cells: where the last ends).
    starts: Vec<u32>,
    /// The slots [`GridBuilder::build`] filed, cell after cell: a query reads a cell's entries in a row.
    fixed: Vec<u32>,
    /// The slots of rectangles inserted later, per array cell.
    added: Vec<Vec<u32>>,
    /// Cells outside the arrays.
    cells: HashMap<(i64, i64), Vec<u32>, RandomState>,
    /// Rectangles too large to be filed cell by cell.
    large: Vec<u32>,
    /// Each rectangle with its owner and weight, side by side: a query reads all three at once.
    rects: Vec<(Rect, u32, f64)>,
}

/// The cells of a grid kept in arrays, row after row: first column and number of columns, first row
/// and number of rows.
#[derive(Debug, Default, Clone, Copy)]
struct Dense {
    x: (i64, i64),
    y: (i64, i64),
}

impl Dense {
    /// The cells over `area` with cells of side `1 / inverse`, or none if that is more than
    /// [`MAX_DENSE_CELLS`].
    fn over(area: Rect, inverse: f64) -> Self {
        let (x0, x1) = (cell_in(area.min_x, inverse), cell_in(area.max_x, inverse));
        let (y0, y1) = (cell_in(area.min_y, inverse), cell_in(area.max_y, inverse));
        let (w, h) = ((x1 - x0 + 1).max(0), (y1 - y0 + 1).max(0));
        if w.saturating_mul(h) > MAX_DENSE_CELLS { Self::default() } else { Self { x: (x0, w), y: (y0, h) } }
    }

    fn len(self) -> usize {
        (self.x.1 * self.y.1) as usize
    }

    /// Where the cell `(x, y)` sits in the arrays, if it does.
    fn slot(self, x: i64, y: i64) -> Option<usize> {
        let (dx, dy) = (x.wrapping_sub(self.x.0), y.wrapping_sub(self.y.0));
        ((0..self.x.1).contains(&dx) && (0..self.y.1).contains(&dy)).then(|| (dy * self.x.1 + dx) as usize)
    }
}

/// The rectangles of a [`Grid`] before it is built.
#[derive(Debug, Default)]
pub struct GridBuilder {
    area: Option<Rect>,
    rects: Vec<(Rect, u32, f64)>,
}

impl GridBuilder {
    /// A builder that expects most rectangles inside `area` (a hint: rectangles outside it are kept
    /// too, at the cost of a hash lookup per cell).
    pub fn covering(area: Rect) -> Self {
        Self { area: Some(area), ..Self::default() }
    }

    /// Makes room for `additional` more rectangles.
    pub fn reserve(&mut self, additional: usize) {
        self.rects.reserve(additional);
    }

    /// Adds `rect`, owned by `owner`, counting fully in [`Grid::overlap_up_to`].
    pub fn insert(&mut self, rect: Rect, owner: u32) {
        self.insert_weighted(rect, owner, 1.0);
    }

    /// Adds `rect`, owned by `owner`, its overlap counted `weight` times.
    pub fn insert_weighted(&mut self, rect: Rect, owner: u32, weight: f64) {
        self.rects.push((rect, owner, weight));
    }

    /// The grid of every rectangle inserted, each filed in the cells it covers.
    pub fn build(self) -> Grid {
        let mut grid = self.area.map_or_else(Grid::default, Grid::covering);
        let dense = grid.dense;
        // Count each array cell's entries, then hand each cell its part of one array.
        let mut counts = vec![0u32; dense.len() + 1];
        for (r, _, _) in &self.rects {
            let Some((x0, x1, y0, y1)) = cells_covered(r) else { continue };
            for x in x0..=x1 {
                for y in y0..=y1 {
                    if let Some(i) = dense.slot(x, y) {
                        counts[i + 1] += 1;
                    }
                }
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut next = counts.clone();
        let mut fixed = vec![0; counts.last().map_or(0, |n| *n as usize)];
        for (slot, (r, _, _)) in self.rects.iter().enumerate() {
            let slot = slot as u32;
            let Some((x0, x1, y0, y1)) = cells_covered(r) else {
                grid.large.push(slot);
                continue;
            };
            for x in x0..=x1 {
                for y in y0..=y1 {
                    match dense.slot(x, y) {
                        Some(i) => {
                            fixed[next[i] as usize] = slot;
                            next[i] += 1;
                        }
                        None => grid.cells.entry((x, y)).or_default().push(slot),
                    }
                }
            }
        }
        grid.starts = counts;
        grid.fixed = fixed;
        grid.rects = self.rects;
        grid
    }
}

/// Side of a cell of [`Marks`]: marks are small and many, and in cells smaller than a [`Grid`]'s a
/// query reads fewer that cannot touch it. A power of two.
const MARK_CELL: f64 = 32.0;

/// Many equal small squares, each with an owner (a flow's line, sampled every few units, owned by the
/// flow), found by area.
///
/// Each mark is filed once, in the cell of its centre, so a query reads the cells where the centres of
/// marks touching it can lie. A row of cells in the arrays is one run of marks, read in one go. Cells
/// over the area given to [`Marks::build`] sit in arrays; cells outside it, in a hash map.
#[derive(Debug, Default)]
pub struct Marks {
    /// Half the side of a mark.
    half: f64,
    /// How much a unit of a mark's area counts.
    weight: f64,
    /// Which cells sit in arrays.
    dense: Dense,
    /// Where each array cell's marks start in `filed` (one more entry than cells).
    starts: Vec<u32>,
    /// The marks in array cells, cell after cell, in the order they came within a cell.
    filed: Vec<Mark>,
    /// The marks in cells outside the arrays.
    far: HashMap<(i64, i64), Vec<Mark>, RandomState>,
}

/// A mark's centre and owner.
#[derive(Debug, Clone, Copy)]
struct Mark {
    x: f64,
    y: f64,
    owner: u32,
}

impl Marks {
    /// Marks of side `2 × half`, each overlap counted `weight` times, centred on the points `marks`
    /// yields with their owners, and expected mostly inside `area` (a hint, as for
    /// [`GridBuilder::covering`]). `expected` is how many marks there are, to make room for them.
    pub fn build(
        area: Option<Rect>,
        (half, weight): (f64, f64),
        expected: usize,
        marks: impl Iterator<Item = (Point, u32)>,
    ) -> Self {
        let dense = area.map_or_else(Dense::default, |a| Dense::over(a, 1.0 / MARK_CELL));
        // Marks outside the arrays go to the hash map at once; the others are kept with their array
        // cell, counted per cell, then filed cell after cell.
        let mut counts = vec![0u32; dense.len() + 1];
        let mut all = Vec::with_capacity(expected);
        let mut far: HashMap<(i64, i64), Vec<Mark>, RandomState> = HashMap::default();
        for (p, owner) in marks {
            let m = Mark { x: p.x, y: p.y, owner };
            let (x, y) = (mark_cell_of(m.x), mark_cell_of(m.y));
            match dense.slot(x, y) {
                Some(i) => {
                    counts[i + 1] += 1;
                    all.push((m, i as u32));
                }
                None => far.entry((x, y)).or_default().push(m),
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut next = counts.clone();
        let mut filed = vec![Mark { x: 0.0, y: 0.0, owner: 0 }; all.len()];
        for (m, i) in all {
            filed[next[i as usize] as usize] = m;
            next[i as usize] += 1;
        }
        Marks { half, weight, dense, starts: counts, filed, far }
    }

    /// The area `rect` shares with the marks, each times the marks' weight and times `factor(owner)`,
    /// given up once the sum passes `enough` (as [`Grid::overlap_up_to`] does).
    pub fn overlap_up_to(&self, rect: &Rect, factor: impl Fn(u32) -> f64, enough: f64) -> f64 {
        let (h, weight) = (self.half, self.weight);
        let shared = |m: &Mark| {
            let w = (m.x + h).min(rect.max_x) - (m.x - h).max(rect.min_x);
            let v = (m.y + h).min(rect.max_y) - (m.y - h).max(rect.min_y);
            if w <= 0.0 || v <= 0.0 { 0.0 } else { w * v * weight * factor(m.owner) }
        };
        // A mark touching `rect` has its centre within `half` of it.
        let (x0, x1) = (mark_cell_of(rect.min_x - h), mark_cell_of(rect.max_x + h));
        let (y0, y1) = (mark_cell_of(rect.min_y - h), mark_cell_of(rect.max_y + h));
        if (x1 - x0).saturating_mul(y1 - y0) > 4 * MAX_CELLS_COVERED {
            return self.filed.iter().chain(self.far.values().flatten()).map(shared).sum();
        }
        // The columns of the query inside the arrays, read row by row as one run each.
        let (dx0, dx1) = (x0.max(self.dense.x.0), x1.min(self.dense.x.0 + self.dense.x.1 - 1));
        let mut total = 0.0;
        for y in y0..=y1 {
            if dx0 <= dx1
                && let (Some(first), Some(last)) = (self.dense.slot(dx0, y), self.dense.slot(dx1, y))
            {
                let run = &self.filed[self.starts[first] as usize..self.starts[last + 1] as usize];
                total += run.iter().map(shared).sum::<f64>();
            }
            if !self.far.is_empty() {
                for x in x0..=x1 {
                    if self.dense.slot(x, y).is_none()
                        && let Some(cell) = self.far.get(&(x, y))
                    {
                        total += cell.iter().map(shared).sum::<f64>();
                    }
                }
            }
            if total > enough {
                return total;
            }
        }
        total
    }
}

/// Calls `f` with each cell the segment `p`→`q` passes through (and, where it passes a cell corner,
/// both cells beside the corner); false when the segment is too long to walk (or not finite).
///
/// A grid traversal (Amanatides and Woo): from the cell of `p`, step to whichever neighbour the
/// segment enters first, so a long diagonal visits about 1.4 cells per cell of length, not the
/// 2 × 2 blocks a sampled walk would.
#[allow(clippy::many_single_char_names)] // geometry reads best in its textbook letters
fn walk(p: Point, q: Point, mut f: impl FnMut(i64, i64)) -> bool {
    let (dx, dy) = (q.x - p.x, q.y - p.y);
    let span = (dx.abs() + dy.abs()) / CELL;
    if !span.is_finite() || span > 2.0e5 {
        return false;
    }
    let (mut x, mut y) = (cell_of(p.x), cell_of(p.y));
    let end = (cell_of(q.x), cell_of(q.y));
    // Per axis: the step, the parameter at which the segment reaches the next cell edge, and the
    // parameter it takes to cross a whole cell.
    let axis = |from: f64, d: f64, cell: i64| -> (i64, f64, f64) {
        if d > 0.0 {
            (1, ((cell + 1) as f64 * CELL - from) / d, CELL / d)
        } else if d < 0.0 {
            (-1, (cell as f64 * CELL - from) / d, -CELL / d)
        } else {
            (0, f64::INFINITY, f64::INFINITY)
        }
    };
    let (step_x, mut next_x, across_x) = axis(p.x, dx, x);
    let (step_y, mut next_y, across_y) = axis(p.y, dy, y);
    f(x, y);
    // Each step moves one cell along one axis (or both at a corner): the walk ends within
    // |Δx| + |Δy| steps of whole cells; the bound only guards against rounding.
    let most = (end.0 - x).abs() + (end.1 - y).abs() + 2;
    for _ in 0..most {
        if (x, y) == end || next_x.min(next_y) > 1.0 {
            break;
        }
        if (next_x - next_y).abs() <= 1e-9 * next_x.abs().max(1.0) {
            // Through a corner, or close enough that rounding could pick the wrong side: both sides.
            f(x + step_x, y);
            f(x, y + step_y);
            x += step_x;
            y += step_y;
            next_x += across_x;
            next_y += across_y;
        } else if next_x < next_y {
            x += step_x;
            next_x += across_x;
        } else {
            y += step_y;
            next_y += across_y;
        }
        f(x, y);
    }
    if (x, y) != end {
        f(end.0, end.1);
    }
    true
}

/// The cells `r` is filed in, as first and last column and row; `None` when it covers more than
/// [`MAX_CELLS_COVERED`] and goes into the list of large rectangles instead.
fn cells_covered(r: &Rect) -> Option<(i64, i64, i64, i64)> {
    let (x0, x1, y0, y1) = (cell_of(r.min_x), cell_of(r.max_x), cell_of(r.min_y), cell_of(r.max_y));
    ((x1 - x0 + 1).saturating_mul(y1 - y0 + 1) <= MAX_CELLS_COVERED).then_some((x0, x1, y0, y1))
}

/// The cell index of a coordinate in a grid of cells of side `1 / inverse`. `f64::floor` is a library
/// call on baseline x86-64 and was the renderer's single biggest cost, so this floors with a truncating
/// cast (which saturates, and maps NaN to 0). Cell sides are powers of two, so multiplying by the
/// inverse is exact and cheaper than dividing.
fn cell_in(v: f64, inverse: f64) -> i64 {
    let q = (v * inverse).clamp(-1.0e9, 1.0e9);
    let t = q as i64;
    if (t as f64) > q { t - 1 } else { t }
}

/// The cell index of a coordinate in a [`Grid`].
fn cell_of(v: f64) -> i64 {
    cell_in(v, 1.0 / CELL)
}

/// The cell index of a coordinate in [`Marks`].
fn mark_cell_of(v: f64) -> i64 {
    cell_in(v, 1.0 / MARK_CELL)
}

impl Grid {
    /// An empty grid whose cells over `area` sit in arrays.
    pub fn covering(area: Rect) -> Self {
        let dense = Dense::over(area, 1.0 / CELL);
        let n = dense.len();
        Self { dense, starts: vec![0; n + 1], added: vec![Vec::new(); n], ..Self::default() }
    }

    /// Adds `rect`, owned by `owner`, counting fully in [`Grid::overlap_up_to`].
    #[cfg(test)]
    pub fn insert(&mut self, rect: Rect, owner: u32) {
        self.insert_weighted(rect, owner, 1.0);
    }

    /// Adds `rect`, owned by `owner`, its overlap counted `weight` times.
    pub fn insert_weighted(&mut self, rect: Rect, owner: u32, weight: f64) {
        let slot = self.rects.len() as u32;
        self.rects.push((rect, owner, weight));
        let Some((x0, x1, y0, y1)) = cells_covered(&rect) else {
            self.large.push(slot);
            return;
        };
        for x in x0..=x1 {
            for y in y0..=y1 {
                match self.dense.slot(x, y) {
                    Some(i) => self.added[i].push(slot),
                    None => self.cells.entry((x, y)).or_default().push(slot),
                }
            }
        }
    }

    /// Calls `f` with the rectangle, owner and weight of each rectangle stored in the cell `(x, y)`, in
    /// the order they were inserted.
    fn visit_cell(&self, x: i64, y: i64, mut f: impl FnMut(&Rect, u32, f64)) {
        let (filed, added) = match self.dense.slot(x, y) {
            Some(i) => (&self.fixed[self.starts[i] as usize..self.starts[i + 1] as usize], self.added[i].as_slice()),
            None => (self.cells.get(&(x, y)).map_or(&[][..], Vec::as_slice), &[][..]),
        };
        for &s in filed.iter().chain(added) {
            let (r, owner, weight) = &self.rects[s as usize];
            f(r, *owner, *weight);
        }
    }

    /// Calls `f` with each rectangle too large to be kept in its cells.
    fn visit_large(&self, mut f: impl FnMut(&Rect, u32, f64)) {
        for &s in &self.large {
            let (r, owner, weight) = &self.rects[s as usize];
            f(r, *owner, *weight);
        }
    }

    /// Calls `f` with every rectangle, each once, in the order they were inserted.
    fn visit_all(&self, mut f: impl FnMut(&Rect, u32, f64)) {
        for (r, owner, weight) in &self.rects {
            f(r, *owner, *weight);
        }
    }

    /// Calls `f` with the rectangle, owner and weight of each stored rectangle that may intersect `area`;
    /// a rectangle spanning several cells can be reported more than once.
    pub fn near(&self, area: &Rect, mut f: impl FnMut(&Rect, u32, f64)) {
        let (x0, x1, y0, y1) = (cell_of(area.min_x), cell_of(area.max_x), cell_of(area.min_y), cell_of(area.max_y));
        if (x1 - x0).saturating_mul(y1 - y0) > 4 * MAX_CELLS_COVERED {
            self.visit_all(f);
            return;
        }
        for x in x0..=x1 {
            for y in y0..=y1 {
                self.visit_cell(x, y, &mut f);
            }
        }
        self.visit_large(f);
    }

    /// Calls `f` with the rectangle, owner and weight of each stored rectangle that may touch the segment
    /// from `p` to `q`: those in the cells the segment passes through, not in its whole bounding box, so a
    /// long diagonal costs its length, not its area. A rectangle can be reported more than once.
    pub fn along(&self, p: Point, q: Point, mut f: impl FnMut(&Rect, u32, f64)) {
        if !walk(p, q, |x, y| self.visit_cell(x, y, &mut f)) {
            let area = Rect { min_x: p.x.min(q.x), min_y: p.y.min(q.y), max_x: p.x.max(q.x), max_y: p.y.max(q.y) };
            self.near(&area, f);
            return;
        }
        self.visit_large(f);
    }

    /// The area `rect` shares with stored rectangles, each times its weight and times `factor(owner)`,
    /// given up once the sum passes `enough` (then some value above `enough` is returned): a search for
    /// the cheapest spot need not finish adding up a spot that already loses. Every term is
    /// non-negative, so a partial sum above `enough` means the whole one is too.
    pub fn overlap_up_to(&self, rect: &Rect, factor: impl Fn(u32) -> f64, enough: f64) -> f64 {
        let shared = |r: &Rect, owner: u32, weight: f64| {
            let w = r.max_x.min(rect.max_x) - r.min_x.max(rect.min_x);
            let h = r.max_y.min(rect.max_y) - r.min_y.max(rect.min_y);
            if w <= 0.0 || h <= 0.0 { 0.0 } else { w * h * weight * factor(owner) }
        };
        let (x0, x1, y0, y1) = (cell_of(rect.min_x), cell_of(rect.max_x), cell_of(rect.min_y), cell_of(rect.max_y));
        if (x1 - x0).saturating_mul(y1 - y0) > 4 * MAX_CELLS_COVERED {
            let mut total = 0.0;
            self.visit_all(|r, owner, weight| total += shared(r, owner, weight));
            return total;
        }
        let mut total = 0.0;
        for x in x0..=x1 {
            for y in y0..=y1 {
                let (cx, cy) = (x as f64 * CELL, y as f64 * CELL);
                self.visit_cell(x, y, |r, owner, weight| {
                    // A rectangle sits in every cell it covers: count it only in the cell that holds the
                    // top-left corner of what it shares with `rect`, so it is counted once.
                    // (It lies in this cell or one before it; only in the first row or column of
                    // `rect`'s cells can it lie further left or up.)
                    if (x == x0 || r.min_x.max(rect.min_x) >= cx) && (y == y0 || r.min_y.max(rect.min_y) >= cy) {
                        total += shared(r, owner, weight);
                    }
                });
                if total > enough {
                    return total;
                }
            }
        }
        self.visit_large(|r, owner, weight| total += shared(r, owner, weight));
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_floor_towards_minus_infinity() {
        assert_eq!(cell_of(0.0), 0);
        assert_eq!(cell_of(CELL - 0.1), 0);
        assert_eq!(cell_of(CELL), 1);
        assert_eq!(cell_of(-0.5), -1);
        assert_eq!(cell_of(-CELL), -1);
        assert_eq!(cell_of(-CELL - 0.5), -2);
        assert_eq!(cell_of(f64::NAN), 0);
        assert_eq!(cell_of(f64::INFINITY), 1_000_000_000);
    }

    #[test]
    fn a_sum_past_enough_stops_above_it() {
        let mut g = Grid::default();
        for i in 0..50 {
            let x = f64::from(i) * 70.0;
            g.insert(Rect { min_x: x, min_y: 0.0, max_x: x + 10.0, max_y: 10.0 }, i);
        }
        let all = Rect { min_x: -1.0, min_y: -1.0, max_x: 3600.0, max_y: 11.0 };
        let full = g.overlap_up_to(&all, |_| 1.0, f64::INFINITY);
        assert!((full - 5000.0).abs() < 1e-9);
        let partial = g.overlap_up_to(&all, |_| 1.0, 150.0);
        assert!(partial > 150.0 && partial < full, "gave up early: {partial}");
    }

    #[test]
    fn finds_what_overlaps_and_ignores_owners() {
        let mut g = Grid::default();
        g.insert(Rect { min_x: 0.0, min_y: 0.0, max_x: 300.0, max_y: 10.0 }, 1);
        g.insert(Rect { min_x: 1000.0, min_y: 1000.0, max_x: 1010.0, max_y: 1010.0 }, 2);
        let probe = Rect { min_x: 290.0, min_y: 0.0, max_x: 310.0, max_y: 10.0 };
        assert!(
            (g.overlap_up_to(&probe, |_| 1.0, f64::INFINITY) - 100.0).abs() < 1e-9,
            "counted once despite two cells"
        );
        let skip_one = |o: u32| if o == 1 { 0.0 } else { 1.0 };
        assert!(g.overlap_up_to(&probe, skip_one, f64::INFINITY).abs() < 1e-9);
        let huge = Rect { min_x: -1e6, min_y: -1e6, max_x: 1e6, max_y: 1e6 };
        g.insert_weighted(huge, 3, 0.5);
        assert!(
            (g.overlap_up_to(&probe, skip_one, f64::INFINITY) - 100.0).abs() < 1e-9,
            "large rectangles are found too, weighted"
        );
    }

    #[test]
    fn a_walk_along_a_segment_finds_what_it_crosses_and_skips_what_it_passes() {
        let mut g = Grid::default();
        let boxes = [(5000.0, 5000.0), (5000.0, 0.0), (-3000.0, 7000.0), (2500.0, 2500.0)];
        for (owner, (x, y)) in boxes.into_iter().enumerate() {
            g.insert(Rect { min_x: x - 40.0, min_y: y - 20.0, max_x: x + 40.0, max_y: y + 20.0 }, owner as u32);
        }
        let mut found = Vec::new();
        g.along(Point::new(0.0, 0.0), Point::new(10_000.0, 10_000.0), |_, o, _| found.push(o));
        found.sort_unstable();
        found.dedup();
        assert_eq!(found, vec![0, 3], "only the boxes on the diagonal's cells");
        let mut reversed = Vec::new();
        g.along(Point::new(10_000.0, 10_000.0), Point::new(0.0, 0.0), |_, o, _| reversed.push(o));
        reversed.sort_unstable();
        reversed.dedup();
        assert_eq!(reversed, found, "direction does not matter");
        // A segment that just clips a box's corner between two steps still finds it.
        let mut clipped = Vec::new();
        g.along(Point::new(4900.0, 5030.0), Point::new(5100.0, 4900.0), |_, o, _| clipped.push(o));
        assert!(clipped.contains(&0));
    }

    #[test]
    fn where_a_rectangle_is_filed_changes_no_answer() {
        // Rectangles inside and outside the arrays' area, small and large, filed when built or inserted
        // afterwards, against the same rectangles all inserted into a grid without arrays.
        let rects: Vec<(Rect, u32, f64)> = (0..400)
            .map(|i| {
                let f = f64::from(i);
                let (x, y) = ((f * 37.0) % 1500.0 - 300.0, (f * 53.0) % 1100.0 - 200.0);
                let size = if i % 50 == 0 { 1400.0 } else { 5.0 + (f * 7.0) % 90.0 };
                (Rect { min_x: x, min_y: y, max_x: x + size, max_y: y + size * 0.6 }, i, 0.25 + (f % 4.0))
            })
            .collect();
        let mut builder = GridBuilder::covering(Rect { min_x: 0.0, min_y: 0.0, max_x: 800.0, max_y: 600.0 });
        let mut plain = Grid::default();
        for &(r, o, w) in &rects[..300] {
            builder.insert_weighted(r, o, w);
            plain.insert_weighted(r, o, w);
        }
        let mut built = builder.build();
        for &(r, o, w) in &rects[300..] {
            plain.insert_weighted(r, o, w);
        }
        for &(r, o, w) in &rects[300..] {
            built.insert_weighted(r, o, w);
        }
        // The last probe covers too many cells to go by cell: it reads everything once.
        let everything = Rect { min_x: -1e6, min_y: -1e6, max_x: 1e6, max_y: 1e6 };
        for probe in rects.iter().map(|(r, _, _)| r.expand(13.0, 7.0, 29.0, 3.0)).chain([everything]) {
            let factor = |o: u32| if o.is_multiple_of(3) { 0.5 } else { 1.0 };
            let a = built.overlap_up_to(&probe, factor, f64::INFINITY);
            let b = plain.overlap_up_to(&probe, factor, f64::INFINITY);
            assert!((a - b).abs() < 1e-9, "{probe:?}: {a} and {b}");
            let mut owners = [Vec::new(), Vec::new()];
            built.near(&probe, |_, o, _| owners[0].push(o));
            plain.near(&probe, |_, o, _| owners[1].push(o));
            for list in &mut owners {
                list.sort_unstable();
                list.dedup();
            }
            assert_eq!(owners[0], owners[1]);
        }
    }

    #[test]
    fn marks_add_up_as_the_squares_they_stand_for_wherever_they_are_filed() {
        // Marks inside and outside the arrays' area (and so in the hash map), on cell edges and off
        // them, against the same squares as rectangles in a grid.
        let mut rng = crate::model::synth::Rng::new(11);
        let mut next = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let mut centres = Vec::new();
        let mut plain = Grid::default();
        for i in 0..3000u32 {
            let mut c = Point::new(next() * 1200.0 - 250.0, next() * 900.0 - 200.0);
            if i % 7 == 0 {
                c = Point::new((c.x / MARK_CELL).round() * MARK_CELL, c.y);
            }
            centres.push((c, i % 40));
            let square = Rect { min_x: c.x - 2.5, min_y: c.y - 2.5, max_x: c.x + 2.5, max_y: c.y + 2.5 };
            plain.insert_weighted(square, i % 40, 0.6);
        }
        let area = Rect { min_x: 0.0, min_y: 0.0, max_x: 700.0, max_y: 500.0 };
        let marks = Marks::build(Some(area), (2.5, 0.6), centres.len(), centres.iter().copied());
        assert!(!marks.far.is_empty(), "some marks lie outside the arrays");
        let factor = |o: u32| if o == 7 { 0.25 } else { 1.0 };
        let everything = Rect { min_x: -1e6, min_y: -1e6, max_x: 1e6, max_y: 1e6 };
        let probes = (0..500)
            .map(|_| {
                let (x, y) = (next() * 1300.0 - 300.0, next() * 1000.0 - 250.0);
                Rect { min_x: x, min_y: y, max_x: x + 5.0 + next() * 180.0, max_y: y + 5.0 + next() * 60.0 }
            })
            .chain([everything]);
        for probe in probes {
            let a = marks.overlap_up_to(&probe, factor, f64::INFINITY);
            let b = plain.overlap_up_to(&probe, factor, f64::INFINITY);
            assert!((a - b).abs() < 1e-6, "{probe:?}: {a} and {b}");
            if a > 10.0 {
                let partial = marks.overlap_up_to(&probe, factor, a / 4.0);
                assert!(partial > a / 4.0 && partial <= a + 1e-6, "{probe:?}: gave up at {partial} of {a}");
            }
        }
    }

    #[test]
    fn a_walk_visits_every_cell_the_segment_passes_through() {
        let mut rng = crate::model::synth::Rng::new(7);
        let mut next = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let on_edges = |v: f64| (v / CELL).round() * CELL;
        for case in 0..400 {
            let mut point = || Point::new(next() * 3000.0 - 1000.0, next() * 3000.0 - 1000.0);
            let (mut p, mut q) = (point(), point());
            // Some segments start, end or run exactly on cell edges, or through corners.
            if case % 4 == 1 {
                p = Point::new(on_edges(p.x), on_edges(p.y));
                q = Point::new(on_edges(q.x), on_edges(q.y));
            } else if case % 4 == 2 {
                q = Point::new(q.x, p.y);
            } else if case % 4 == 3 {
                let d = q.x - p.x;
                p = Point::new(on_edges(p.x), on_edges(p.y));
                q = Point::new(p.x + d, p.y + d);
            }
            let mut visited = std::collections::HashSet::new();
            assert!(walk(p, q, |x, y| {
                visited.insert((x, y));
            }));
            for i in 0..=2000 {
                let t = f64::from(i) / 2000.0;
                let c = (cell_of(p.x + (q.x - p.x) * t), cell_of(p.y + (q.y - p.y) * t));
                assert!(visited.contains(&c), "case {case}: {p:?} to {q:?} misses {c:?}");
            }
            let manhattan = (cell_of(q.x) - cell_of(p.x)).abs() + (cell_of(q.y) - cell_of(p.y)).abs();
            let bound = usize::try_from(2 * manhattan + 2).unwrap_or(usize::MAX);
            assert!(visited.len() <= bound, "case {case}: {} cells", visited.len());
        }
    }
}
