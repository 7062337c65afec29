//! The file formats, and how to tell them from a file name or a name.
//!
//! [`OutputFormat`] names the format in both directions: the writers take
//! it, and [`read_table`](crate::read_table) picks its reader with the same
//! extension rule ([`OutputFormat::from_extension`]).

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::IoError;

/// A file format tables can be written in and read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// Apache Parquet, Snappy-compressed.
    Parquet,
}

impl OutputFormat {
    /// The format a file name asks for, by its extension, ignoring case:
    /// `.csv` is CSV, `.parquet` and `.pq` are Parquet.
    ///
    /// ```
    /// use pushforward_io::OutputFormat;
    /// assert_eq!(OutputFormat::from_path("a/b.PQ".as_ref()).unwrap(), OutputFormat::Parquet);
    /// assert!(OutputFormat::from_path("table.txt".as_ref()).is_err());
    /// ```
    pub fn from_path(path: &Path) -> Result<Self, IoError> {
        Self::from_extension(path).ok_or_else(|| IoError::UnknownFormat {
            path: path.to_path_buf(),
        })
    }

    /// The format a file name's extension names, ignoring case (`.csv`,
    /// `.parquet`, `.pq`), or `None`: the rule behind
    /// [`from_path`](Self::from_path), shared by the writers and the readers.
    pub(crate) fn from_extension(path: &Path) -> Option<Self> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext.eq_ignore_ascii_case("csv") {
            Some(OutputFormat::Csv)
        } else if ext.eq_ignore_ascii_case("parquet") || ext.eq_ignore_ascii_case("pq") {
            Some(OutputFormat::Parquet)
        } else {
            None
        }
    }

    /// The format's name: `csv` or `parquet`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Csv => "csv",
            OutputFormat::Parquet => "parquet",
        }
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OutputFormat {
    type Err = IoError;

    /// Parses `csv` or `parquet` (also `pq`), ignoring case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        if name.eq_ignore_ascii_case("csv") {
            Ok(OutputFormat::Csv)
        } else if name.eq_ignore_ascii_case("parquet") || name.eq_ignore_ascii_case("pq") {
            Ok(OutputFormat::Parquet)
        } else {
            Err(IoError::UnknownFormatName { name: s.to_string() })
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn from_path_by_extension_ignoring_case() {
        let cases = [
            ("out.csv", OutputFormat::Csv),
            ("dir/OUT.CSV", OutputFormat::Csv),
            ("out.parquet", OutputFormat::Parquet),
            ("/tmp/x.Parquet", OutputFormat::Parquet),
            ("x.pq", OutputFormat::Parquet),
            ("a.b.PQ", OutputFormat::Parquet),
        ];
        for (path, want) in cases {
            assert_eq!(OutputFormat::from_path(Path::new(path)).unwrap(), want, "{path}");
        }
        for path in ["out", "out.txt", "out.csv.gz", ".csv", "dir.csv/file", ""] {
            let err = OutputFormat::from_path(Path::new(path)).unwrap_err();
            assert!(matches!(err, IoError::UnknownFormat { .. }), "{path}");
        }
        let msg = OutputFormat::from_path(Path::new("out.txt"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            msg,
            "cannot tell the output format of 'out.txt': expected a .csv or .parquet extension, or pass --format"
        );
    }

    #[test]
    fn parses_and_displays_names() {
        for f in [OutputFormat::Csv, OutputFormat::Parquet] {
            assert_eq!(f.to_string().parse::<OutputFormat>().unwrap(), f);
        }
        assert_eq!(OutputFormat::Csv.to_string(), "csv");
        assert_eq!(OutputFormat::Parquet.to_string(), "parquet");
        assert_eq!("PQ".parse::<OutputFormat>().unwrap(), OutputFormat::Parquet);
        assert_eq!("Csv".parse::<OutputFormat>().unwrap(), OutputFormat::Csv);
        let err = "xlsx".parse::<OutputFormat>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown output format 'xlsx': expected 'csv' or 'parquet'"
        );
    }
}
