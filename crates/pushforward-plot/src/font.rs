//! Registers the embedded DejaVu Sans font with plotters, once per process.
//!
//! Plotters' `ab_glyph` font backend looks fonts up by family name in a process-wide table; we register
//! DejaVu Sans (regular and bold) under `sans-serif`, the family plotters uses by default, so every
//! label renders without system fonts.

use std::sync::OnceLock;

use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, FontTransform, IntoFont, TextStyle, register_font};

/// The family every text style in this crate uses.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the font on first use; false if the embedded font could not be parsed (never expected).
pub(crate) fn ensure_registered() -> bool {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    *REGISTERED.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    })
}

/// Regular text of `size` pixels in the embedded font.
pub(crate) fn text(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font())
}

/// Bold text of `size` pixels in the embedded font, for titles.
pub(crate) fn bold(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size, FontStyle::Bold).into_font())
}

/// Text read bottom-to-top whose end sits at the anchor point and which hangs below it: the usual
/// rotated tick label under an x axis.
pub(crate) fn hanging_up(size: f64) -> TextStyle<'static> {
    text(size)
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Right, VPos::Center))
}

/// Text read bottom-to-top, centred on the anchor point: a label left of a y axis.
pub(crate) fn vertical(size: f64) -> TextStyle<'static> {
    text(size)
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Center))
}

/// Horizontal text centred on the anchor point.
pub(crate) fn centred(style: TextStyle<'static>) -> TextStyle<'static> {
    style.pos(Pos::new(HPos::Center, VPos::Center))
}
