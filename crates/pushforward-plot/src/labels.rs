//! Shortening of column names and category labels so they fit on an axis.

/// `text` cut to at most `max_chars` characters, ending in `…` when it was cut.
pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    let max_chars = max_chars.max(1);
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(max_chars - 1).collect();
        short.push('…');
        short
    }
}

/// `text` cut to at most `max_chars` characters by replacing its middle with `…`, so names sharing a
/// prefix (`feature_1`, `feature_2`, …) stay distinguishable.
pub(crate) fn abbreviate(text: &str, max_chars: usize) -> String {
    let count = text.chars().count();
    if count <= max_chars || max_chars < 3 {
        return truncate(text, max_chars);
    }
    let tail = (max_chars - 1) / 2;
    let head = max_chars - 1 - tail;
    let mut short: String = text.chars().take(head).collect();
    short.push('…');
    short.extend(text.chars().skip(count - tail));
    short
}

/// A compact two-decimal number for a heatmap cell: `0.95` becomes `.95`, `-0.5` becomes `-.50`.
pub(crate) fn cell_value(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = if text == "-0.00" { "0.00".to_owned() } else { text };
    if let Some(rest) = text.strip_prefix("0.") {
        format!(".{rest}")
    } else if let Some(rest) = text.strip_prefix("-0.") {
        format!("-.{rest}")
    } else {
        text
    }
}

/// An axis tick: at most about four significant digits, trailing zeros dropped, scientific notation
/// outside `1e-3..1e5` (`2.5e7`).
pub(crate) fn tick(value: &f64) -> String {
    let v = *value;
    let magnitude = v.abs();
    if v == 0.0 || !v.is_finite() {
        format!("{}", if v == 0.0 { 0.0 } else { v })
    } else if !(1e-3..1e5).contains(&magnitude) {
        let text = format!("{v:.2e}");
        match text.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
            None => text,
        }
    } else {
        let decimals = (3.0 - magnitude.log10().floor()).clamp(0.0, 4.0) as usize;
        trim_zeros(&format!("{v:.decimals$}")).to_owned()
    }
}

/// `text` without trailing zeros after a decimal point (and without a bare trailing point).
fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_with_ellipsis() {
        assert_eq!(truncate("income", 10), "income");
        assert_eq!(truncate("household_income", 6), "house…");
        assert_eq!(truncate("ab", 0), "…");
    }

    #[test]
    fn abbreviates_in_the_middle() {
        assert_eq!(abbreviate("feature_number_29", 12), "featur…er_29");
        assert_eq!(abbreviate("short", 12), "short");
        assert_eq!(abbreviate("abcdef", 2), "a…");
    }

    #[test]
    fn ticks_are_compact() {
        assert_eq!(tick(&0.0), "0");
        assert_eq!(tick(&2.5), "2.5");
        assert_eq!(tick(&40.0), "40");
        assert_eq!(tick(&1234.6), "1235");
        assert_eq!(tick(&0.012345), "0.0123");
        assert_eq!(tick(&-3.0), "-3");
        assert_eq!(tick(&2.5e7), "2.5e7");
        assert_eq!(tick(&-1e300), "-1e300");
        assert_eq!(tick(&1.5e-5), "1.5e-5");
    }

    #[test]
    fn cell_values_are_compact() {
        assert_eq!(cell_value(0.954), ".95");
        assert_eq!(cell_value(-0.5), "-.50");
        assert_eq!(cell_value(1.0), "1.00");
        assert_eq!(cell_value(-0.001), ".00");
    }
}
