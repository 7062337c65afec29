//! One seed scheme for every random result: a ChaCha8 stream per
//! (seed, purpose), so no two purposes or seeds ever share a stream.
//!
//! A user gives one `u64` seed. Each use of randomness names its
//! [`Purpose`]; the stream for `(seed, purpose)` is ChaCha8 keyed by the
//! 256-bit key
//!
//! ```text
//! key = seed (8 bytes, little-endian) ‖ purpose tag (8 bytes, little-endian) ‖ 16 zero bytes
//! ```
//!
//! Distinct `(seed, purpose)` pairs give distinct keys, hence streams that
//! are independent as far as ChaCha is a pseudo-random function (Bernstein
//! 2008). Work cut into blocks (rows generated in parallel) takes block `b`
//! from the same key with ChaCha's 64-bit stream number set to `b`
//! ([`block_stream`]), so the output never depends on the number of
//! threads.
//!
//! Deriving streams by arithmetic on the seed (`seed + 1` for the batches
//! after `seed` for the initialisation) makes the batch stream of seed `s`
//! the initialisation stream of seed `s + 1`: runs with adjacent seeds are
//! then not independent. Keying by purpose rules that out.
//!
//! ```
//! use pushforward_core::seed::{Purpose, stream};
//! use rand_chacha::rand_core::RngCore;
//! let a = stream(7, Purpose::Batches).next_u64();
//! let b = stream(8, Purpose::Initialisation).next_u64();
//! assert_ne!(a, b);
//! assert_eq!(a, stream(7, Purpose::Batches).next_u64());
//! ```

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

/// What a stream of random numbers is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Purpose {
    /// A network's initial weights (and anything fixed before training).
    Initialisation,
    /// Minibatches, training noise and pairings during training.
    Batches,
    /// The noise that sampling pushes forward.
    Sampling,
    /// Class labels drawn for a conditional model's samples.
    Classes,
    /// Random subsamples and projections of an evaluation; the index
    /// separates the uses within one evaluation.
    Subsample(u32),
    /// The rows held out from a real table.
    Holdout,
    /// Random starts of an optimisation (e.g. the nearest-correlation search).
    Starts,
}

impl Purpose {
    /// The 64-bit tag that enters the key: a kind in the high half, the
    /// index (for [`Purpose::Subsample`]) in the low half.
    fn tag(self) -> u64 {
        let (kind, index): (u64, u32) = match self {
            Purpose::Initialisation => (1, 0),
            Purpose::Batches => (2, 0),
            Purpose::Sampling => (3, 0),
            Purpose::Classes => (4, 0),
            Purpose::Subsample(i) => (5, i),
            Purpose::Holdout => (6, 0),
            Purpose::Starts => (7, 0),
        };
        (kind << 32) | u64::from(index)
    }
}

/// The stream of `seed` for `purpose`.
pub fn stream(seed: u64, purpose: Purpose) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&purpose.tag().to_le_bytes());
    ChaCha8Rng::from_seed(key)
}

/// Block `block` of the stream of `seed` for `purpose`: the same key, with
/// ChaCha's stream number set to `block`.
pub fn block_stream(seed: u64, purpose: Purpose, block: u64) -> ChaCha8Rng {
    let mut rng = stream(seed, purpose);
    rng.set_stream(block);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::RngCore;
    use std::collections::HashSet;

    const PURPOSES: [Purpose; 8] = [
        Purpose::Initialisation,
        Purpose::Batches,
        Purpose::Sampling,
        Purpose::Classes,
        Purpose::Subsample(0),
        Purpose::Subsample(1),
        Purpose::Holdout,
        Purpose::Starts,
    ];

    /// The derivation `seed` for initialisation and `seed + 1` for batches
    /// makes adjacent seeds share a stream; keyed streams do not.
    #[test]
    fn adjacent_seeds_do_not_share_a_stream() {
        let first = |mut r: ChaCha8Rng| r.next_u64();
        let additive = |seed: u64, offset: u64| {
            let mut r = <ChaCha8Rng as SeedableRng>::seed_from_u64(seed.wrapping_add(offset));
            r.next_u64()
        };
        for s in 0..100u64 {
            // The old scheme collides: batches of s are the initialisation of s + 1.
            assert_eq!(additive(s, 1), additive(s + 1, 0));
            assert_ne!(
                first(stream(s, Purpose::Batches)),
                first(stream(s + 1, Purpose::Initialisation))
            );
        }
    }

    #[test]
    fn no_two_seeds_or_purposes_share_a_first_word() {
        let mut seen = HashSet::new();
        for seed in (0..64u64).chain([u64::MAX, u64::MAX - 1, 1 << 32]) {
            for purpose in PURPOSES {
                assert!(
                    seen.insert(stream(seed, purpose).next_u64()),
                    "{seed} {purpose:?}"
                );
                for block in 1..4 {
                    assert!(
                        seen.insert(block_stream(seed, purpose, block).next_u64()),
                        "{seed} {purpose:?} block {block}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_stream_is_reproducible_and_block_zero_is_the_stream() {
        let draw = |mut r: ChaCha8Rng| (0..8).map(|_| r.next_u64()).collect::<Vec<_>>();
        assert_eq!(
            draw(stream(3, Purpose::Sampling)),
            draw(stream(3, Purpose::Sampling))
        );
        assert_eq!(
            draw(stream(3, Purpose::Sampling)),
            draw(block_stream(3, Purpose::Sampling, 0))
        );
    }
}
