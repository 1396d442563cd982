//! The canvas view: pan and zoom, and the mapping between canvas units and screen points.

use egui::{Pos2, Rect, Vec2};

/// Smallest and largest zoom factors.
pub const ZOOM_RANGE: (f32, f32) = (0.02, 8.0);

/// Where the canvas is looked at from. UI state only: never saved in the document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// Screen offset of the canvas origin from the canvas area's top-left corner.
    pub pan: Vec2,
    /// Screen points per canvas unit.
    pub zoom: f32,
}

impl Default for View {
    fn default() -> Self {
        Self { pan: Vec2::new(40.0, 40.0), zoom: 1.0 }
    }
}

impl View {
    /// Canvas position → screen position, for a canvas area whose top-left is `origin`.
    pub fn to_screen(self, origin: Pos2, pos_canvas: Pos2) -> Pos2 {
        origin + self.pan + pos_canvas.to_vec2() * self.zoom
    }

    /// Screen position → canvas position.
    pub fn to_canvas(self, origin: Pos2, pos_screen: Pos2) -> Pos2 {
        ((pos_screen - origin - self.pan) / self.zoom).to_pos2()
    }

    /// A canvas rectangle on screen.
    pub fn rect_to_screen(self, origin: Pos2, r: Rect) -> Rect {
        Rect::from_min_max(self.to_screen(origin, r.min), self.to_screen(origin, r.max))
    }

    /// Zooms by `factor` keeping the canvas point under `pos_screen` where it is.
    pub fn zoom_around(&mut self, origin: Pos2, pos_screen: Pos2, factor: f32) {
        let before = self.to_canvas(origin, pos_screen);
        self.zoom = (self.zoom * factor).clamp(ZOOM_RANGE.0, ZOOM_RANGE.1);
        let after = self.to_screen(origin, before);
        self.pan += pos_screen - after;
    }

    /// The view that shows `content` (canvas units) whole inside `area` (screen), with a margin, at most 1:1.5.
    pub fn fit(content: Rect, area: Rect) -> Self {
        let margin = 24.0;
        let avail = (area.size() - Vec2::splat(2.0 * margin)).max(Vec2::splat(1.0));
        let size = content.size().max(Vec2::splat(1.0));
        let zoom = (avail.x / size.x).min(avail.y / size.y).clamp(ZOOM_RANGE.0, 1.5);
        let pan = area.size() / 2.0 - content.center().to_vec2() * zoom;
        Self { pan, zoom }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_zoom_keeps_point() {
        let mut v = View { pan: Vec2::new(10.0, 20.0), zoom: 2.0 };
        let o = Pos2::new(5.0, 5.0);
        let p = Pos2::new(33.0, -7.0);
        let s = v.to_screen(o, p);
        assert!((v.to_canvas(o, s) - p).length() < 1e-4);
        v.zoom_around(o, s, 1.7);
        assert!((v.to_screen(o, p) - s).length() < 1e-3);
    }

    #[test]
    fn fit_contains_content() {
        let content = Rect::from_min_max(Pos2::new(-500.0, 0.0), Pos2::new(1500.0, 900.0));
        let area = Rect::from_min_size(Pos2::new(0.0, 30.0), Vec2::new(800.0, 600.0));
        let v = View::fit(content, area);
        let on_screen = v.rect_to_screen(area.min, content);
        assert!(area.contains_rect(on_screen), "{on_screen:?} in {area:?}");
    }
}
