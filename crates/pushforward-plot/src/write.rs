//! Atomic PNG output: draw into a temporary `.png` beside the target, then move it onto the target
//! (through [`pushforward_core::atomic`], like every file the tool writes).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea, WHITE};
use pushforward_core::atomic::{AtomicFile, parent_dir};

use crate::error::PlotError;
use crate::font;

/// The whole canvas a plot draws on.
pub(crate) type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Any drawing failure, kept only for its message.
pub(crate) type DrawError = Box<dyn std::error::Error>;

/// Renders `draw` onto a white `size` canvas and writes it to `path` as PNG.
///
/// The parent directory must exist. The image goes to a temporary file in that directory (its name
/// ends in `.png`, which is how the encoder is chosen) that is renamed onto `path` only after
/// drawing and encoding succeeded; on any failure the temporary file is removed.
pub(crate) fn write_png<F>(path: &Path, size: (u32, u32), draw: F) -> Result<(), PlotError>
where
    F: FnOnce(&Area<'_>) -> Result<(), DrawError>,
{
    let draw_error = |message: String| PlotError::Draw {
        path: path.to_path_buf(),
        message,
    };
    if !font::ensure_registered() {
        return Err(draw_error("the embedded font could not be loaded".to_owned()));
    }
    if path.file_name().is_none() {
        return Err(PlotError::bad_input(path, "the path does not name a file"));
    }
    let dir = parent_dir(path);
    if !dir.is_dir() {
        return Err(PlotError::MissingDirectory {
            dir: dir.to_path_buf(),
            path: path.to_path_buf(),
        });
    }

    // The encoder opens the temporary file by name (its extension chooses PNG).
    let file = AtomicFile::create(path).map_err(|source| PlotError::Write {
        path: path.to_path_buf(),
        source,
    })?;

    {
        let root = BitMapBackend::new(file.write_path(), size).into_drawing_area();
        let drawn = root
            .fill(&WHITE)
            .map_err(DrawError::from)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(DrawError::from));
        // On failure `root` is dropped here, before `file`, which then deletes whatever was written.
        drawn.map_err(|e| draw_error(e.to_string()))?;
    }

    file.commit().map_err(|source| PlotError::Write {
        path: path.to_path_buf(),
        source,
    })
}
