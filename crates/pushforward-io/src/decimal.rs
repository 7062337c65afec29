//! Writing a float as its shortest round-trip text, fast for values with few
//! decimals.
//!
//! Sampled columns are usually rounded to the few decimals their data was
//! recorded with (39.1 mm, 3950 g). Such a value `v` is `m / 10ᵏ` for an
//! integer `m` and a small `k`: when the double nearest to `m / 10ᵏ` is `v`
//! itself (`m as f64 / 10ᵏ == v`, both exact, the division correctly
//! rounded), the decimal `m / 10ᵏ` reads back as `v`. With `|m| < 10¹⁵` it
//! has at most 15 significant digits, and two decimals of at most 15 digits
//! are further apart than the interval of reals that round to one double
//! (`10⁻¹⁴` against `2⁻⁵²` relative), so it is the only one there: the
//! shortest round-trip text `ryu` finds. Trying `k = 0, 1, …` in turn gives
//! the `m` without trailing zeros, so writing `m` with a decimal point (and
//! `.0` for a whole number, as `ryu` does) gives `ryu`'s text byte for byte,
//! at the cost of an integer formatting instead of a shortest-digit search.
//! Every other value (more decimals, zero, huge, tiny, not finite) goes to
//! `ryu` itself. Hand-written because no crate offers this shortcut; the
//! tests compare it with `ryu` on every kind of value.

/// Most decimals tried before handing a value to `ryu`.
const MAX_DECIMALS: usize = 4;

/// `10ᵏ` for `k = 0..=MAX_DECIMALS`.
const POWERS: [f64; MAX_DECIMALS + 1] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0];

/// Largest `|m|` written by the shortcut (15 significant digits).
const MAX_DIGITS_VALUE: f64 = 1e15;

/// Reusable buffers of [`write_f64`].
#[derive(Default)]
pub(crate) struct FloatWriter {
    floats: ryu::Buffer,
    ints: itoa::Buffer,
}

impl FloatWriter {
    /// Appends `v` to `out` exactly as `ryu::Buffer::format` writes it.
    pub(crate) fn write(&mut self, v: f64, out: &mut Vec<u8>) {
        match few_decimals(v) {
            Some((m, k)) => {
                if m < 0 {
                    out.push(b'-');
                }
                let digits = self.ints.format(m.unsigned_abs()).as_bytes();
                if k == 0 {
                    out.extend_from_slice(digits);
                    out.extend_from_slice(b".0");
                } else if digits.len() > k {
                    let (whole, frac) = digits.split_at(digits.len() - k);
                    out.extend_from_slice(whole);
                    out.push(b'.');
                    out.extend_from_slice(frac);
                } else {
                    out.extend_from_slice(b"0.");
                    out.extend(std::iter::repeat_n(b'0', k - digits.len()));
                    out.extend_from_slice(digits);
                }
            }
            None => out.extend_from_slice(self.floats.format(v).as_bytes()),
        }
    }
}

/// `(m, k)` with `v = m / 10ᵏ` as the module doc says, for the fewest
/// decimals `k ≤ MAX_DECIMALS`; `None` for zero and for values it cannot
/// write.
fn few_decimals(v: f64) -> Option<(i64, usize)> {
    if v == 0.0 || !v.is_finite() {
        return None;
    }
    for (k, &p) in POWERS.iter().enumerate() {
        let m = (v * p).round();
        if m.abs() >= MAX_DIGITS_VALUE {
            return None;
        }
        if m / p == v {
            return Some((m as i64, k));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64: a fixed stream of test inputs.
    struct Inputs(u64);

    impl Inputs {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn both(v: f64) -> (String, String) {
        let mut out = Vec::new();
        FloatWriter::default().write(v, &mut out);
        let ours = String::from_utf8(out).unwrap_or_default();
        (ours, ryu::Buffer::new().format(v).to_string())
    }

    #[test]
    fn special_and_edge_values_are_written_as_ryu_writes_them() {
        let values = [
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1.0,
            -1.0,
            0.1,
            0.2 + 0.1,
            0.0001,
            0.00015,
            1e-5,
            -0.05,
            39.1,
            3950.0,
            1e14 + 0.5,
            999_999_999_999_999.0,
            1e15,
            1e16,
            1e22,
            123_456.789_1,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
        ];
        for v in values {
            let (ours, reference) = both(v);
            assert_eq!(ours, reference, "{v:e}");
        }
    }

    #[test]
    fn decimals_and_arbitrary_doubles_are_written_as_ryu_writes_them() {
        let mut inputs = Inputs(7);
        let mut shortcut = 0;
        for _ in 0..200_000 {
            let k = inputs.below(7) as i32;
            let digits = 1 + inputs.below(16) as u32;
            let m = inputs.below(10u64.pow(digits)) as i64 * if inputs.below(2) == 0 { 1 } else { -1 };
            let decimal = m as f64 / 10f64.powi(k);
            let bits = f64::from_bits(inputs.next());
            for v in [decimal, bits, decimal.next_up()] {
                shortcut += usize::from(few_decimals(v).is_some());
                let (ours, reference) = both(v);
                assert_eq!(ours, reference, "{v:e} ({:#x})", v.to_bits());
            }
        }
        // The shortcut is taken for most of the decimals.
        assert!(shortcut > 100_000, "{shortcut}");
    }
}
