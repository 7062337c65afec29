//! A point cloud as weighted atoms, laid out for the soft-min kernels.
//!
//! ```text
//! rows x_1 … x_n (uniform weights 1/n)  →  atoms z_1 … z_k, weights c_a / n   (c_a = rows equal to z_a)
//! tiles:  [t·d + k] = (z_{4t}, …, z_{4t+3})_k      panels: [p·d + k] = (z_{8p}, …, z_{8p+7})_k
//! ```
//! Repeated rows (one-hot and discrete columns make many) are one atom: the
//! measure is the same and the transport problems smaller. Atoms are sorted
//! by their bit patterns, so one measure gives one cloud whatever the order
//! of its rows. Coordinates are centred (`softmin.rs` explains why).

use std::cmp::Ordering;

/// Columns per panel.
pub(crate) const W: usize = 8;
/// Rows per tile.
pub(crate) const R: usize = 4;

/// A cloud as weighted atoms: its distinct points (repeated points merged,
/// their weight the share of the rows), centred, stored for both roles they
/// play in a soft-min: as rows (tiles of `R` points) and as columns (panels
/// of `W` points), coordinate by coordinate, padded with zeros; with the
/// squared norms.
#[derive(Debug, Clone)]
pub(crate) struct Cloud {
    pub(super) d: usize,
    n: usize,
    /// Rows the atoms stand for.
    rows: usize,
    /// The atoms, row-major, not centred.
    pub(super) atoms: Vec<f64>,
    /// Rows per atom.
    counts: Vec<usize>,
    /// The atom of each row.
    atom_of: Vec<usize>,
    /// Weight of each atom (they sum to one).
    weights: Vec<f64>,
    /// Their logarithms.
    log_weights: Vec<f64>,
    /// Tile `t`, coordinate `k`: `tiles[t * d + k]`.
    pub(super) tiles: Vec<[f64; R]>,
    /// `‖x_i‖²`, by tile.
    pub(super) tile_norms: Vec<[f64; R]>,
    /// Panel `p`, coordinate `k`: `panels[p * d + k]`.
    pub(super) panels: Vec<[f64; W]>,
    /// `‖y_j‖²`, by panel.
    pub(super) panel_norms: Vec<[f64; W]>,
}

impl Cloud {
    /// The atoms of `n × d` row-major coordinates (sorted by their bit
    /// patterns, so that one measure gives one cloud whatever the row order),
    /// shifted by `-centre`.
    pub(crate) fn new(d: usize, data: &[f64], centre: &[f64]) -> Cloud {
        let rows = data.len() / d;
        let bits = |i: usize| data[i * d..(i + 1) * d].iter().map(|v| v.to_bits());
        let mut order: Vec<usize> = (0..rows).collect();
        order.sort_unstable_by(|&i, &j| -> Ordering { bits(i).cmp(bits(j)) });
        let (mut atoms, mut counts): (Vec<&[f64]>, Vec<usize>) = (Vec::new(), Vec::new());
        let mut atom_of = vec![0; rows];
        for (k, &i) in order.iter().enumerate() {
            if k > 0 && bits(i).eq(bits(order[k - 1])) {
                if let Some(c) = counts.last_mut() {
                    *c += 1;
                }
            } else {
                atoms.push(&data[i * d..(i + 1) * d]);
                counts.push(1);
            }
            atom_of[i] = atoms.len() - 1;
        }
        let n = atoms.len();
        let mut tiles = vec![[0.0; R]; n.div_ceil(R) * d];
        let mut tile_norms = vec![[0.0; R]; n.div_ceil(R)];
        let mut panels = vec![[0.0; W]; n.div_ceil(W) * d];
        let mut panel_norms = vec![[0.0; W]; n.div_ceil(W)];
        for (i, row) in atoms.iter().enumerate() {
            let mut norm = 0.0;
            for (k, (&v, &c)) in row.iter().zip(centre).enumerate() {
                let v = v - c;
                tiles[i / R * d + k][i % R] = v;
                panels[i / W * d + k][i % W] = v;
                norm = v.mul_add(v, norm);
            }
            tile_norms[i / R][i % R] = norm;
            panel_norms[i / W][i % W] = norm;
        }
        let total = rows as f64;
        Cloud {
            d,
            n,
            rows,
            atoms: atoms.concat(),
            counts: counts.clone(),
            atom_of,
            weights: counts.iter().map(|&c| c as f64 / total).collect(),
            log_weights: counts.iter().map(|&c| (c as f64).ln() - total.ln()).collect(),
            tiles,
            tile_norms,
            panels,
            panel_norms,
        }
    }

    /// Number of atoms.
    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// Weight of each atom.
    pub(crate) fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// One value per row from one per atom.
    pub(crate) fn to_rows(&self, per_atom: &[f64]) -> Vec<f64> {
        self.atom_of.iter().map(|&a| per_atom[a]).collect()
    }

    /// Whether both clouds are the same measure: the same atoms, with
    /// proportional counts (exact integer comparison).
    pub(crate) fn same_measure(&self, other: &Cloud) -> bool {
        let (a, b) = (self.rows as u128, other.rows as u128);
        self.atoms
            .iter()
            .map(|v| v.to_bits())
            .eq(other.atoms.iter().map(|v| v.to_bits()))
            && self.counts.len() == other.counts.len()
            && self
                .counts
                .iter()
                .zip(&other.counts)
                .all(|(&p, &q)| p as u128 * b == q as u128 * a)
    }

    /// `u_j = g_j/ε + log b_j`, padded with `−∞` to whole panels: the `u`
    /// argument of [`softmin`](crate::softmin::softmin) for potential `g` on
    /// this cloud's atoms.
    pub(crate) fn exponents(&self, g: &[f64], eps: f64) -> Vec<[f64; W]> {
        let mut u = vec![[f64::NEG_INFINITY; W]; self.panel_norms.len()];
        for (j, (&gj, &lw)) in g.iter().zip(&self.log_weights).enumerate() {
            u[j / W][j % W] = gj / eps + lw;
        }
        u
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn clouds_merge_repeated_points_whatever_the_order() {
        let a = Cloud::new(2, &[1.0, 2.0, 0.0, 0.0, 1.0, 2.0, 1.0, 2.0], &[0.0; 2]);
        assert_eq!((a.len(), a.counts.clone()), (2, vec![1, 3]));
        assert_eq!(a.weights(), &[0.25, 0.75]);
        assert_eq!(a.to_rows(&[5.0, 7.0]), vec![7.0, 5.0, 7.0, 7.0]);
        let b = Cloud::new(
            2,
            &[
                1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 0.0, 0.0, 1.0, 2.0, 1.0, 2.0, 0.0, 0.0, 1.0, 2.0,
            ],
            &[0.0; 2],
        );
        assert!(a.same_measure(&b) && b.same_measure(&a));
        let c = Cloud::new(2, &[1.0, 2.0, 0.0, 0.0], &[0.0; 2]);
        assert!(!a.same_measure(&c));
    }
}
