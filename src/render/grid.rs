//! A uniform grid of rectangles, so that placing labels and routing flows around elements stays near
//! linear in the size of the model instead of comparing every item with every other.

use std::collections::HashMap;

use crate::model::geometry::Rect;

/// Side of one grid cell in canvas units: about one element.
const CELL: f64 = 128.0;
/// A rectangle wider than this many cells is kept in a separate list, not in every cell it covers.
const MAX_CELLS_SPANNED: i64 = 16;

/// Rectangles, each tagged with a `u32` (an owner such as an element's index) and a weight, found by area.
#[derive(Debug, Default)]
pub struct Grid {
    cells: HashMap<(i64, i64), Vec<u32>>,
    large: Vec<u32>,
    rects: Vec<(Rect, u32)>,
    weights: Vec<f64>,
}

fn cell_of(v: f64) -> i64 {
    (v / CELL).floor().clamp(-1.0e9, 1.0e9) as i64
}

impl Grid {
    /// An empty grid.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `rect`, owned by `owner`, counting fully in [`Grid::overlap`].
    pub fn insert(&mut self, rect: Rect, owner: u32) {
        self.insert_weighted(rect, owner, 1.0);
    }

    /// Adds `rect`, owned by `owner`, its overlap counted `weight` times.
    pub fn insert_weighted(&mut self, rect: Rect, owner: u32, weight: f64) {
        let slot = self.rects.len() as u32;
        self.rects.push((rect, owner));
        self.weights.push(weight);
        let (x0, x1, y0, y1) = (cell_of(rect.min_x), cell_of(rect.max_x), cell_of(rect.min_y), cell_of(rect.max_y));
        if x1 - x0 > MAX_CELLS_SPANNED || y1 - y0 > MAX_CELLS_SPANNED {
            self.large.push(slot);
            return;
        }
        for x in x0..=x1 {
            for y in y0..=y1 {
                self.cells.entry((x, y)).or_default().push(slot);
            }
        }
    }

    /// Calls `f` with the slot, rectangle and owner of each stored rectangle that may intersect `area`;
    /// a rectangle spanning several cells can be reported more than once.
    pub fn near(&self, area: &Rect, mut f: impl FnMut(usize, &Rect, u32)) {
        let (x0, x1, y0, y1) = (cell_of(area.min_x), cell_of(area.max_x), cell_of(area.min_y), cell_of(area.max_y));
        if (x1 - x0).saturating_mul(y1 - y0) > 4 * MAX_CELLS_SPANNED * MAX_CELLS_SPANNED {
            for (s, (r, owner)) in self.rects.iter().enumerate() {
                f(s, r, *owner);
            }
            return;
        }
        for x in x0..=x1 {
            for y in y0..=y1 {
                if let Some(slots) = self.cells.get(&(x, y)) {
                    for &s in slots {
                        let (r, owner) = &self.rects[s as usize];
                        f(s as usize, r, *owner);
                    }
                }
            }
        }
        for &s in &self.large {
            let (r, owner) = &self.rects[s as usize];
            f(s as usize, r, *owner);
        }
    }

    /// The area `rect` shares with stored rectangles, each times its weight and times `factor(owner)`.
    pub fn overlap(&self, rect: &Rect, factor: impl Fn(u32) -> f64) -> f64 {
        let mut total = 0.0;
        let mut seen: Vec<usize> = Vec::new();
        self.near(rect, |slot, r, owner| {
            if !r.intersects(rect) || seen.contains(&slot) {
                return;
            }
            seen.push(slot);
            let w = r.max_x.min(rect.max_x) - r.min_x.max(rect.min_x);
            let h = r.max_y.min(rect.max_y) - r.min_y.max(rect.min_y);
            total += w.max(0.0) * h.max(0.0) * self.weights[slot] * factor(owner);
        });
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_overlaps_and_ignores_owners() {
        let mut g = Grid::new();
        g.insert(Rect { min_x: 0.0, min_y: 0.0, max_x: 300.0, max_y: 10.0 }, 1);
        g.insert(Rect { min_x: 1000.0, min_y: 1000.0, max_x: 1010.0, max_y: 1010.0 }, 2);
        let probe = Rect { min_x: 290.0, min_y: 0.0, max_x: 310.0, max_y: 10.0 };
        assert!((g.overlap(&probe, |_| 1.0) - 100.0).abs() < 1e-9, "counted once despite two cells");
        let skip_one = |o: u32| if o == 1 { 0.0 } else { 1.0 };
        assert!(g.overlap(&probe, skip_one).abs() < 1e-9);
        let huge = Rect { min_x: -1e6, min_y: -1e6, max_x: 1e6, max_y: 1e6 };
        g.insert_weighted(huge, 3, 0.5);
        assert!((g.overlap(&probe, skip_one) - 100.0).abs() < 1e-9, "large rectangles are found too, weighted");
    }
}
