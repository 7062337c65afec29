//! Legends: plotters' series-label box inside a chart, and a centred row of coloured dots for a title
//! band.

use plotters::coord::CoordTranslate;
use plotters::prelude::{
    BLACK, BitMapBackend, ChartContext, Circle, Color, RGBColor, SeriesLabelPosition, WHITE,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::font;
use crate::write::{Area, DrawError};

/// Gap between two entries of a legend row, in pixels.
const ROW_GAP: i32 = 24;

/// Draws the box of the chart's labelled series in its upper right corner.
pub(crate) fn series_box<'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, BitMapBackend<'a>, CT>,
) -> Result<(), DrawError> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(font::text(15.0))
        .draw()?;
    Ok(())
}

/// Draws one coloured dot and label per entry, side by side in a row centred on `centre`.
pub(crate) fn row(
    root: &Area<'_>,
    entries: &[(String, RGBColor)],
    centre: (i32, i32),
) -> Result<(), DrawError> {
    // About 9 px per character at 15 px, plus the dot and its gap.
    let widths: Vec<i32> = entries
        .iter()
        .map(|(l, _)| 22 + (l.chars().count() as f64 * 9.0) as i32)
        .collect();
    let total: i32 = widths.iter().sum::<i32>() + ROW_GAP * (entries.len() as i32 - 1).max(0);
    let mut x = centre.0 - total / 2;
    let style = font::text(15.0).pos(Pos::new(HPos::Left, VPos::Center));
    for ((label, color), w) in entries.iter().zip(widths) {
        root.draw(&Circle::new((x + 7, centre.1), 6, color.filled()))?;
        root.draw_text(label, &style, (x + 19, centre.1))?;
        x += w + ROW_GAP;
    }
    Ok(())
}
