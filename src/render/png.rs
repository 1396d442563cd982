//! The PNG export: the SVG drawing rasterised with resvg, with the font shipped in `assets/fonts/` so that
//! text renders the same on machines without fonts of their own.
//!
//! The shipped font is `DejaVu Sans`: Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic letters,
//! arrows (← → ↔ ⇄), box drawing and common symbols (✓ ✗ ⚠ ● ★). It has no CJK, Hangul, Thai, Devanagari
//! or emoji glyphs; for those, fonts installed on the machine are used as fallbacks when there are any.

use std::sync::{Arc, LazyLock};

use resvg::tiny_skia;
use resvg::usvg;

/// The font shipped for PNG text (`DejaVu Sans`; licence in `assets/fonts/LICENSE-DejaVu.txt`).
pub static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The family name of [`FONT`], first in the SVG font stack.
pub const FONT_FAMILY: &str = "DejaVu Sans";
/// The largest image written, in pixels (width × height): about 16 000 × 16 000, 1 GiB of pixels.
pub const MAX_PIXELS: u64 = 256 * 1024 * 1024;

/// Why a drawing could not be rasterised.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The SVG text is not an SVG document resvg can read.
    #[error("cannot read the SVG drawing: {0}")]
    Svg(#[from] usvg::Error),
    /// The scale is zero, negative or not a number.
    #[error("scale {0} is not a positive number")]
    Scale(f32),
    /// The image would be too large to hold in memory.
    #[error("a {width} × {height} pixel image is too large (at most {MAX_PIXELS} pixels); use a smaller --scale")]
    TooLarge {
        /// Width in pixels.
        width: u64,
        /// Height in pixels.
        height: u64,
    },
    /// Encoding the pixels as PNG failed.
    #[error("cannot encode the PNG image: {0}")]
    Encode(String),
}

/// The parsing options every rasterisation uses: the shipped font first (and as `sans-serif`), then
/// the machine's fonts as fallbacks; images referring to files are not loaded.
pub fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: LazyLock<usvg::Options<'static>> = LazyLock::new(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        db.load_system_fonts();
        db.set_sans_serif_family(FONT_FAMILY);
        let mut options =
            usvg::Options { font_family: FONT_FAMILY.to_owned(), fontdb: Arc::new(db), ..usvg::Options::default() };
        options.image_href_resolver.resolve_string = Box::new(|_, _| None);
        options
    });
    &OPTIONS
}

/// Rasterises an SVG document at `scale` pixels per canvas unit and encodes it as PNG.
pub fn to_png(svg: &str, scale: f32) -> Result<Vec<u8>, RenderError> {
    rasterise(svg, scale)?.encode_png().map_err(|e| RenderError::Encode(e.to_string()))
}

/// An image as straight (not premultiplied) RGBA bytes, row by row from the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rgba {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height × 4` bytes.
    pub pixels: Vec<u8>,
}

/// Rasterises an SVG document at `scale` pixels per canvas unit into RGBA pixels (for a clipboard).
pub fn to_rgba(svg: &str, scale: f32) -> Result<Rgba, RenderError> {
    let pixmap = rasterise(svg, scale)?;
    let pixels = pixmap
        .pixels()
        .iter()
        .flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect();
    Ok(Rgba { width: pixmap.width(), height: pixmap.height(), pixels })
}

fn rasterise(svg: &str, scale: f32) -> Result<tiny_skia::Pixmap, RenderError> {
    if !scale.is_finite() || scale <= 0.0 {
        return Err(RenderError::Scale(scale));
    }
    let tree = usvg::Tree::from_str(svg, options())?;
    let size = tree.size();
    let width = (f64::from(size.width()) * f64::from(scale)).ceil().max(1.0);
    let height = (f64::from(size.height()) * f64::from(scale)).ceil().max(1.0);
    let (w, h) = (width as u64, height as u64);
    if w.saturating_mul(h) > MAX_PIXELS || w > u64::from(u32::MAX) || h > u64::from(u32::MAX) {
        return Err(RenderError::TooLarge { width: w, height: h });
    }
    let mut pixmap = tiny_skia::Pixmap::new(w as u32, h as u32).ok_or(RenderError::TooLarge { width: w, height: h })?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    Ok(pixmap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgba_pixels_match_the_png_size_and_are_not_blank() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 5" width="10" height="5"><rect width="10" height="5" fill="#336699"/></svg>"##;
        let image = to_rgba(svg, 2.0).unwrap();
        assert_eq!((image.width, image.height), (20, 10));
        assert_eq!(image.pixels.len(), 20 * 10 * 4);
        assert_eq!(&image.pixels[..4], &[0x33, 0x66, 0x99, 0xff]);
    }
}
