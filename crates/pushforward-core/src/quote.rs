//! Quoting a value from a user's file in a message: a short value whole, a
//! long one (a 10 MB cell) as a short prefix with its length, so an error
//! stays one readable line.
//!
//! ```text
//! quote(v) = 'v'                          when v has at most 48 characters
//!          = 'first 32 characters…' (N bytes)   otherwise
//! ```

/// Characters shown whole.
const WHOLE: usize = 48;
/// Characters of a long value's prefix.
const PREFIX: usize = 32;

/// `value` in single quotes, cut to a prefix with its length in bytes when
/// it is long.
///
/// ```
/// use pushforward_core::quote::quote;
/// assert_eq!(quote("x"), "'x'");
/// let long = "9".repeat(10_000_000);
/// assert_eq!(quote(&long), format!("'{}…' (10000000 bytes)", "9".repeat(32)));
/// ```
pub fn quote(value: &str) -> String {
    match value.char_indices().nth(WHOLE) {
        None => format!("'{value}'"),
        Some(_) => {
            let end = value.char_indices().nth(PREFIX).map_or(value.len(), |(i, _)| i);
            format!("'{}…' ({} bytes)", &value[..end], value.len())
        }
    }
}

/// Each of `values` quoted, joined by `, `.
///
/// ```
/// use pushforward_core::quote::quote_all;
/// assert_eq!(quote_all(["a", "b"]), "'a', 'b'");
/// ```
pub fn quote_all<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    values.into_iter().map(quote).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_up_to_the_limit_are_whole_and_longer_ones_cut_on_a_character() {
        let at_limit = "é".repeat(WHOLE);
        assert_eq!(quote(&at_limit), format!("'{at_limit}'"));
        let over = "é".repeat(WHOLE + 1);
        let quoted = quote(&over);
        assert_eq!(
            quoted,
            format!("'{}…' ({} bytes)", "é".repeat(PREFIX), over.len())
        );
        assert!(quoted.len() < 100);
    }
}
