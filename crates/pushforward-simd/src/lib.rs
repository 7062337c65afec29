//! Run-time choice of vector instructions for the kernels.
//!
//! ```text
//! x86-64:  AVX-512 (F, DQ) + FMA  →  AVX2 + FMA  →  baseline (SSE2, `mul_add` through libm)
//! other:   baseline (aarch64 has fused multiply-add in its base set)
//! ```
//! Each kernel body is written once, `#[inline(always)]`, and compiled into a
//! `#[target_feature]` wrapper per instruction set; the operations are the
//! same, so are the results (`mul_add` is exactly rounded everywhere).
//! Hand-written because the kernels are plain Rust that the compiler
//! vectorises: they only need compiling for the right CPU, which no
//! dependency is needed for. Used by the transport crate's
//! kernels and the neural crate's element-wise passes.

/// Defines `$name` as `$body` compiled for the widest vector instructions
/// the CPU has, chosen at run time (AVX-512, AVX2 + FMA, or the baseline):
/// the arithmetic, hence the result, is the same for all.
#[macro_export]
macro_rules! simd_dispatch {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty => $body:path) => {
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
                fn avx512($($arg: $ty),*) -> $ret {
                    $body($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                fn avx2($($arg: $ty),*) -> $ret {
                    $body($($arg),*)
                }
                use std::arch::is_x86_feature_detected as has;
                let limit = $crate::simd_limit();
                if limit >= 2 && has!("avx512f") && has!("avx512dq") && has!("avx2") && has!("fma") {
                    // SAFETY: the CPU has every feature `avx512` is compiled for.
                    return unsafe { avx512($($arg),*) };
                }
                if limit >= 1 && has!("avx2") && has!("fma") {
                    // SAFETY: the CPU has every feature `avx2` is compiled for.
                    return unsafe { avx2($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}
/// Widest instruction set the kernels may use: 2 (AVX-512), 1 (AVX2), 0
/// (the baseline). Tests lower it to check that every instruction set gives
/// the same bits.
pub static SIMD_LIMIT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(2);

/// The current [`SIMD_LIMIT`].
#[inline(always)]
pub fn simd_limit() -> u8 {
    SIMD_LIMIT.load(std::sync::atomic::Ordering::Relaxed)
}
