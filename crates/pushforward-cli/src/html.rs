//! The pieces of a self-contained HTML page: escaped text, tables, and
//! PNG images inlined as `data:` URIs (RFC 2397, base64 of RFC 4648), so
//! the page needs no other file and no network.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::fmt::Write;

/// `text` with the five characters HTML gives a meaning escaped, safe in
/// element content and in quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An `<img>` showing PNG bytes inline; `alt` is escaped.
pub(crate) fn png(bytes: &[u8], alt: &str) -> String {
    format!(
        "<img src=\"data:image/png;base64,{}\" alt=\"{}\">",
        STANDARD.encode(bytes),
        escape(alt)
    )
}

/// A `<table>`: a header row of plain labels, then rows of cells that are
/// already HTML (escape text before passing it).
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table>\n<thead><tr>");
    for h in header {
        let _ = write!(s, "<th>{}</th>", escape(h));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        s.push_str("<tr>");
        for cell in row {
            let _ = write!(s, "<td>{cell}</td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<b>"a" & 'b'</b>"#),
            "&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/b&gt;"
        );
        assert_eq!(escape("plain é"), "plain é");
    }

    #[test]
    fn images_are_inline_base64_and_tables_escape_headers() {
        let img = png(&[0x89, b'P', b'N', b'G'], "a \"b\"");
        assert_eq!(
            img,
            "<img src=\"data:image/png;base64,iVBORw==\" alt=\"a &quot;b&quot;\">"
        );
        let t = table(&["x<y"], &[vec!["1".to_owned()]]);
        assert!(t.contains("<th>x&lt;y</th>") && t.contains("<td>1</td>"));
    }
}
