//! Row-major single-precision matrix products `C ← op(A)·op(B) + β·C`.
//!
//! A thin safe wrapper over `matrixmultiply::sgemm` (packed, cache-blocked
//! kernels with runtime AVX2/FMA dispatch), where a transposed operand is
//! just a different pair of strides, so no transpose is ever materialised.
//! The crate runs one product per thread; parallelism comes from the caller
//! splitting the batch (see [`crate::mlp`]).

/// An operand of [`gemm`]: a row-major buffer read as itself or transposed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op<'a> {
    /// `rows × cols` as stored.
    N(&'a [f32]),
    /// Stored `cols × rows`, read transposed.
    T(&'a [f32]),
}

/// `C (m×n) ← op(A) (m×k) · op(B) (k×n) + β·C`, all row-major.
///
/// Sizes are the engine's own (never a user's), so a mismatch is a bug and
/// panics.
pub(crate) fn gemm(m: usize, k: usize, n: usize, a: Op<'_>, b: Op<'_>, beta: f32, c: &mut [f32]) {
    let (a, rsa, csa) = match a {
        Op::N(a) => (a, k, 1),
        Op::T(a) => (a, 1, m),
    };
    let (b, rsb, csb) = match b {
        Op::N(b) => (b, n, 1),
        Op::T(b) => (b, 1, k),
    };
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n,
        "gemm operand sizes"
    );
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the assertion above bounds every index the kernel touches:
    // A's largest offset is (m−1)·rsa + (k−1)·csa < m·k, B's likewise < k·n,
    // C's (m−1)·n + n − 1 < m·n; C does not alias A or B (a `&mut` borrow).
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            rsa as isize,
            csa as isize,
            b.as_ptr(),
            rsb as isize,
            csb as isize,
            beta,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-worked 2×3 · 3×2 product, with each operand stored transposed in turn.
    #[test]
    fn products_and_transposes_match_a_hand_case() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // 2×3
        let at = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]; // its 3×2 storage
        let b = [7.0, 8.0, 9.0, 10.0, 11.0, 12.0]; // 3×2
        let bt = [7.0, 9.0, 11.0, 8.0, 10.0, 12.0];
        let want = [58.0, 64.0, 139.0, 154.0];
        for (a, b) in [
            (Op::N(&a), Op::N(&b)),
            (Op::T(&at), Op::N(&b)),
            (Op::N(&a), Op::T(&bt)),
            (Op::T(&at), Op::T(&bt)),
        ] {
            let mut c = [0.0; 4];
            gemm(2, 3, 2, a, b, 0.0, &mut c);
            assert_eq!(c, want);
        }
        let mut c = [1.0; 4];
        gemm(2, 3, 2, Op::N(&a), Op::N(&b), 1.0, &mut c);
        assert_eq!(c, [59.0, 65.0, 140.0, 155.0]);
    }
}
