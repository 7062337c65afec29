//! Exact optimal transport between two discrete measures with general
//! weights, by the network simplex method on the transportation graph.
//!
//! ```text
//! min_π Σ_ij C_ij π_ij   subject to   Σ_j π_ij = a_i,   Σ_i π_ij = b_j,   π ≥ 0
//! graph: a node per row (supply a_i), a node per column (demand b_j), an arc i → j of cost C_ij,
//!        and a root joined to every node by an artificial arc of cost 0 (supply) or A (demand),
//!        A = (max C + 1)(n + m), so that an optimum carries no flow on them when Σa = Σb
//! basis: a spanning tree; potentials π_u with C_e + π_s − π_t = 0 on its arcs
//! pivot: an arc with reduced cost C_e + π_s − π_t < 0 enters, the cycle it closes carries
//!        the largest flow it can, an arc whose flow drops to zero leaves (ties broken as LEMON
//!        does, the strongly feasible trees of Cunningham 1976, which keep the method from
//!        cycling on degenerate pivots)
//! stop:  no arc has a negative reduced cost: the flow and the potentials are optimal
//! ```
//! The spanning tree is stored as LEMON stores it (parent, predecessor arc
//! and its direction, a preorder "thread" and its reverse, subtree sizes and
//! last successors), and entering arcs are chosen by block search: the most
//! negative reduced cost within blocks of `√(nm)` arcs, resumed where the
//! last search stopped. This is Kovács 2015, "Minimum-cost flow algorithms:
//! an experimental evaluation" (Optim. Methods Softw. 30), as LEMON's
//! `NetworkSimplex` implements it, and the solver behind POT's `ot.emd`
//! (Bonneel, van de Panne, Paris and Heidrich 2011, "Displacement
//! interpolation using Lagrangian mass transport", ACM TOG 30(6)); the
//! method is Ahuja, Magnanti and Orlin 1993, "Network Flows", chapter 11.
//!
//! A reduced cost counts as negative below `−2.2e-15` times the largest of
//! the arc's cost and its ends' potentials (rounding of the potentials, as
//! POT). Supplies are rescaled to the total demand, as POT does.
//!
//! Hand-written: no Rust crate solves transport with general weights
//! without a C++ build (the `rust-optimal-transport` crate binds POT's
//! C++ code); the graph here is the dense bipartite one, with arcs indexed
//! by their cell of the cost matrix and no arc list stored.

use crate::error::OtError;

/// Arc direction relative to its tree node: the arc points to the parent.
const UP: i8 = 1;
/// The arc points from the parent to the node.
const DOWN: i8 = -1;
/// An arc at flow zero, out of the tree.
const LOWER: i8 = 1;
/// A tree arc.
const TREE: i8 = 0;
/// Reduced costs above `−EPS` times the magnitudes involved count as zero.
const EPS: f64 = 2.220_446_049_250_313e-15;

/// One cell of a transport plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flow {
    /// Row (point of the first measure).
    pub row: usize,
    /// Column (point of the second measure).
    pub col: usize,
    /// Mass moved from `row` to `col`.
    pub mass: f64,
}

/// An optimal transport plan and its cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Transport {
    /// The cells with positive mass, in row-major order (at most
    /// `n + m − 1`: the plan is a vertex of the transport polytope).
    pub plan: Vec<Flow>,
    /// `Σ_ij C_ij π_ij`.
    pub cost: f64,
    /// Pivots the simplex made.
    pub pivots: usize,
}

/// The optimal plan between weights `a` (`n`, rows) and `b` (`m`, columns)
/// for the row-major `n × m` `cost`: POT's `ot.emd(a, b, M)`.
///
/// Weights must be non-negative and finite with equal positive sums (to
/// `1e-9` relative; `b` is rescaled to the sum of `a`), costs finite. Time
/// is a few pivots per cell of the plan, each `O(√(nm))` to `O(nm)`;
/// memory `9 n m` bytes besides the cost.
///
/// # Errors
/// [`OtError::Shape`] when `cost` is not `n × m`;
/// [`OtError::TooFewPoints`] for empty weights; [`OtError::BadParameter`]
/// for a negative or non-finite weight or cost, or sums that differ.
///
/// ```
/// use pushforward_ot::emd;
/// // Half of row 0 stays at column 0, the rest of the mass moves by one.
/// let t = emd(&[0.5, 0.5], &[0.25, 0.75], &[0.0, 1.0, 1.0, 0.0]).unwrap();
/// assert!((t.cost - 0.25).abs() < 1e-15);
/// ```
pub fn emd(a: &[f64], b: &[f64], cost: &[f64]) -> Result<Transport, OtError> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return Err(OtError::TooFewPoints {
            what: "exact transport",
            needed: 1,
            got: 0,
        });
    }
    if cost.len() != n * m {
        return Err(OtError::Shape {
            name: "cost",
            len: cost.len(),
            expected: format!("{n} x {m} = {} values", n * m),
        });
    }
    let bad = |name, value, expected| OtError::BadParameter {
        name,
        value,
        expected,
    };
    if let Some(&w) = a.iter().chain(b).find(|w| !(w.is_finite() && **w >= 0.0)) {
        return Err(bad("weight", w, "a finite non-negative number"));
    }
    if let Some(&c) = cost.iter().find(|c| !c.is_finite()) {
        return Err(bad("cost", c, "a finite number"));
    }
    let (sa, sb) = (a.iter().sum::<f64>(), b.iter().sum::<f64>());
    if sa <= 0.0 || !(sa.is_finite() && sb.is_finite()) || (sa - sb).abs() > 1e-9 * sa {
        return Err(bad(
            "total of the second weights",
            sb,
            "the total of the first weights, positive (to 1e-9 relative)",
        ));
    }
    let mut s = Simplex::new(a, b, cost, sa / sb);
    s.run();
    Ok(s.transport())
}

/// The optimal cost alone: POT's `ot.emd2(a, b, M)`.
///
/// # Errors
/// As [`emd`].
///
/// ```
/// use pushforward_ot::emd2;
/// // Two points per side on a line; moving each by 1 beats crossing.
/// let cost = [1.0, 4.0, 0.0, 1.0];
/// assert_eq!(emd2(&[0.5, 0.5], &[0.5, 0.5], &cost).unwrap(), 1.0);
/// ```
pub fn emd2(a: &[f64], b: &[f64], cost: &[f64]) -> Result<f64, OtError> {
    emd(a, b, cost).map(|t| t.cost)
}

/// The network simplex on the complete bipartite graph plus a root.
/// Nodes: rows `0..n`, columns `n..n + m`, the root `n + m`. Arcs: cell
/// `e = i m + j` is `i → n + j`; `n m + u` is the artificial arc of node `u`.
struct Simplex<'a> {
    cost: &'a [f64],
    n: usize,
    m: usize,
    /// Cost of the artificial arcs of the columns.
    art: f64,
    flow: Vec<f64>,
    state: Vec<i8>,
    pi: Vec<f64>,
    parent: Vec<usize>,
    pred: Vec<usize>,
    pred_dir: Vec<i8>,
    thread: Vec<usize>,
    rev_thread: Vec<usize>,
    succ_num: Vec<usize>,
    last_succ: Vec<usize>,
    block: usize,
    next_arc: usize,
    pivots: usize,
    dirty: Vec<usize>,
}

/// A parent-less node.
const NONE: usize = usize::MAX;

impl<'a> Simplex<'a> {
    /// The starting tree: every node hangs from the root by its artificial
    /// arc, carrying its supply (`a_i`, up) or demand (`scale · b_j`, down).
    fn new(a: &[f64], b: &[f64], cost: &'a [f64], scale: f64) -> Simplex<'a> {
        let (n, m) = (a.len(), b.len());
        let nodes = n + m;
        let arcs = n * m;
        let max_cost = cost.iter().fold(0.0f64, |x, &c| x.max(c.abs()));
        let art = (max_cost + 1.0) * nodes as f64;
        let mut flow = vec![0.0; arcs + nodes];
        let mut state = vec![LOWER; arcs + nodes];
        let mut pi = vec![0.0; nodes + 1];
        let mut pred_dir = vec![UP; nodes + 1];
        for u in 0..nodes {
            state[arcs + u] = TREE;
            if u < n {
                flow[arcs + u] = a[u];
            } else {
                flow[arcs + u] = b[u - n] * scale;
                pi[u] = art;
                pred_dir[u] = DOWN;
            }
        }
        let mut parent = vec![nodes; nodes + 1];
        parent[nodes] = NONE;
        let mut pred: Vec<usize> = (arcs..arcs + nodes).collect();
        pred.push(NONE);
        let mut thread: Vec<usize> = (1..=nodes).collect();
        thread.push(0);
        let mut rev_thread = vec![nodes];
        rev_thread.extend(0..nodes);
        let mut succ_num = vec![1; nodes + 1];
        succ_num[nodes] = nodes + 1;
        let mut last_succ: Vec<usize> = (0..=nodes).collect();
        last_succ[nodes] = nodes - 1;
        let block = (arcs as f64).sqrt().ceil().max(10.0) as usize;
        Simplex {
            cost,
            n,
            m,
            art,
            flow,
            state,
            pi,
            parent,
            pred,
            pred_dir,
            thread,
            rev_thread,
            succ_num,
            last_succ,
            block: block.min(arcs),
            next_arc: 0,
            pivots: 0,
            dirty: Vec::new(),
        }
    }

    /// `(tail, head)` of arc `e`.
    fn ends(&self, e: usize) -> (usize, usize) {
        let arcs = self.n * self.m;
        if e < arcs {
            (e / self.m, self.n + e % self.m)
        } else {
            let u = e - arcs;
            if u < self.n {
                (u, self.n + self.m)
            } else {
                (self.n + self.m, u)
            }
        }
    }

    fn arc_cost(&self, e: usize) -> f64 {
        let arcs = self.n * self.m;
        if e < arcs {
            self.cost[e]
        } else if e - arcs < self.n {
            0.0
        } else {
            self.art
        }
    }

    /// Pivots until no arc has a negative reduced cost.
    fn run(&mut self) {
        while let Some(in_arc) = self.entering_arc() {
            let (tail, head) = self.ends(in_arc);
            let join = self.join(tail, head);
            let (delta, u_out, first_side) = self.leaving(tail, head, join);
            self.change_flow(in_arc, tail, head, join, delta);
            let (u_in, v_in) = if first_side { (tail, head) } else { (head, tail) };
            self.update_tree(in_arc, u_in, v_in, u_out, join);
            self.update_potential(in_arc, u_in, v_in);
            self.pivots += 1;
        }
    }

    /// Block search: the most negative reduced cost of the first block
    /// (from where the last search stopped, cyclically) that has one.
    fn entering_arc(&mut self) -> Option<usize> {
        let (n, m) = (self.n, self.m);
        let arcs = n * m;
        let (col_pi, row_pi) = (&self.pi[n..n + m], &self.pi[..n]);
        let (mut best, mut best_arc, mut count) = (0.0, 0, self.block);
        let mut e = self.next_arc;
        for _ in 0..arcs {
            let (i, j) = (e / m, e % m);
            let len = (m - j).min(count).min(arcs - e);
            let (row, st) = (&self.cost[e..e + len], &self.state[e..e + len]);
            let pi_i = row_pi[i];
            for (k, ((&c, &s), &pj)) in row.iter().zip(st).zip(&col_pi[j..j + len]).enumerate() {
                let r = f64::from(s) * (c + pi_i - pj);
                if r < best {
                    best = r;
                    best_arc = e + k;
                }
            }
            e += len;
            count -= len;
            if e == arcs {
                e = 0;
            }
            if count == 0 {
                if best < 0.0 && self.negative(best, best_arc) {
                    self.next_arc = e;
                    return Some(best_arc);
                }
                count = self.block;
            }
            if e == self.next_arc {
                break;
            }
        }
        (best < 0.0 && self.negative(best, best_arc)).then(|| {
            self.next_arc = e;
            best_arc
        })
    }

    /// Whether reduced cost `r` of arc `e` is negative beyond rounding.
    fn negative(&self, r: f64, e: usize) -> bool {
        let (t, h) = self.ends(e);
        let a = self.pi[t].abs().max(self.pi[h].abs()).max(self.cost[e].abs());
        r < -EPS * a
    }

    /// The first common ancestor of `u` and `v`.
    fn join(&self, mut u: usize, mut v: usize) -> usize {
        while u != v {
            if self.succ_num[u] < self.succ_num[v] {
                u = self.parent[u];
            } else {
                v = self.parent[v];
            }
        }
        u
    }

    /// The flow the cycle of the entering arc `tail → head` can carry, the
    /// node whose predecessor arc leaves, and whether it is on the tail's
    /// side. The cycle runs join → tail → head → join; arcs against it
    /// limit the flow (capacities are infinite).
    fn leaving(&self, tail: usize, head: usize, join: usize) -> (f64, usize, bool) {
        let (mut delta, mut u_out, mut first_side) = (f64::INFINITY, NONE, true);
        let mut u = tail;
        while u != join {
            if self.pred_dir[u] == UP {
                let d = self.flow[self.pred[u]];
                if d < delta {
                    (delta, u_out) = (d, u);
                }
            }
            u = self.parent[u];
        }
        let mut u = head;
        while u != join {
            if self.pred_dir[u] == DOWN {
                let d = self.flow[self.pred[u]];
                if d <= delta {
                    (delta, u_out, first_side) = (d, u, false);
                }
            }
            u = self.parent[u];
        }
        (delta, u_out, first_side)
    }

    /// Pushes `delta` around the cycle, and swaps the arcs' states.
    fn change_flow(&mut self, in_arc: usize, tail: usize, head: usize, join: usize, delta: f64) {
        if delta > 0.0 {
            self.flow[in_arc] += delta;
            let mut u = tail;
            while u != join {
                self.flow[self.pred[u]] -= f64::from(self.pred_dir[u]) * delta;
                u = self.parent[u];
            }
            let mut u = head;
            while u != join {
                self.flow[self.pred[u]] += f64::from(self.pred_dir[u]) * delta;
                u = self.parent[u];
            }
        }
        self.state[in_arc] = TREE;
    }

    /// Re-hangs the subtree cut off by the leaving arc (the predecessor
    /// arc of `u_out`) below `v_in` through the entering arc, reversing the
    /// stem from `u_in` to `u_out` (LEMON's `updateTreeStructure`).
    fn update_tree(&mut self, in_arc: usize, u_in: usize, v_in: usize, u_out: usize, join: usize) {
        let out_arc = self.pred[u_out];
        self.state[out_arc] = LOWER;
        self.flow[out_arc] = 0.0;
        let old_rev_thread = self.rev_thread[u_out];
        let old_succ_num = self.succ_num[u_out];
        let old_last_succ = self.last_succ[u_out];
        let v_out = self.parent[u_out];
        let in_dir = if u_in == self.ends(in_arc).0 { UP } else { DOWN };
        if u_in == u_out {
            self.parent[u_in] = v_in;
            self.pred[u_in] = in_arc;
            self.pred_dir[u_in] = in_dir;
            if self.thread[v_in] != u_out {
                let after = self.thread[old_last_succ];
                self.thread[old_rev_thread] = after;
                self.rev_thread[after] = old_rev_thread;
                let after = self.thread[v_in];
                self.thread[v_in] = u_out;
                self.rev_thread[u_out] = v_in;
                self.thread[old_last_succ] = after;
                self.rev_thread[after] = old_last_succ;
            }
        } else {
            let thread_continue = if old_rev_thread == v_in {
                self.thread[old_last_succ]
            } else {
                self.thread[v_in]
            };
            let (mut stem, mut par_stem) = (u_in, v_in);
            let mut last = self.last_succ[u_in];
            let mut after = self.thread[last];
            self.thread[v_in] = u_in;
            self.dirty.clear();
            self.dirty.push(v_in);
            while stem != u_out {
                let next_stem = self.parent[stem];
                self.thread[last] = next_stem;
                self.dirty.push(last);
                let before = self.rev_thread[stem];
                self.thread[before] = after;
                self.rev_thread[after] = before;
                self.parent[stem] = par_stem;
                par_stem = stem;
                stem = next_stem;
                last = if self.last_succ[stem] == self.last_succ[par_stem] {
                    self.rev_thread[par_stem]
                } else {
                    self.last_succ[stem]
                };
                after = self.thread[last];
            }
            self.parent[u_out] = par_stem;
            self.thread[last] = thread_continue;
            self.rev_thread[thread_continue] = last;
            self.last_succ[u_out] = last;
            if old_rev_thread != v_in {
                self.thread[old_rev_thread] = after;
                self.rev_thread[after] = old_rev_thread;
            }
            for &u in &self.dirty {
                self.rev_thread[self.thread[u]] = u;
            }
            let (mut tmp_sc, tmp_ls) = (0usize, self.last_succ[u_out]);
            let mut u = u_out;
            while u != u_in {
                let p = self.parent[u];
                self.pred[u] = self.pred[p];
                self.pred_dir[u] = -self.pred_dir[p];
                tmp_sc = tmp_sc + self.succ_num[u] - self.succ_num[p];
                self.succ_num[u] = tmp_sc;
                self.last_succ[p] = tmp_ls;
                u = p;
            }
            self.pred[u_in] = in_arc;
            self.pred_dir[u_in] = in_dir;
            self.succ_num[u_in] = old_succ_num;
        }
        let up_limit_out = if self.last_succ[join] == v_in { join } else { NONE };
        let last_succ_out = self.last_succ[u_out];
        let mut u = v_in;
        while u != NONE && self.last_succ[u] == v_in {
            self.last_succ[u] = last_succ_out;
            u = self.parent[u];
        }
        let replace = if join != old_rev_thread && v_in != old_rev_thread {
            Some(old_rev_thread)
        } else {
            (last_succ_out != old_last_succ).then_some(last_succ_out)
        };
        if let Some(new_last) = replace {
            let mut u = v_out;
            while u != up_limit_out && self.last_succ[u] == old_last_succ {
                self.last_succ[u] = new_last;
                u = self.parent[u];
            }
        }
        let mut u = v_in;
        while u != join {
            self.succ_num[u] += old_succ_num;
            u = self.parent[u];
        }
        let mut u = v_out;
        while u != join {
            self.succ_num[u] -= old_succ_num;
            u = self.parent[u];
        }
    }

    /// Shifts the potentials of the re-hung subtree so that the entering
    /// arc's reduced cost is zero.
    fn update_potential(&mut self, in_arc: usize, u_in: usize, v_in: usize) {
        let sigma = self.pi[v_in] - self.pi[u_in] - f64::from(self.pred_dir[u_in]) * self.arc_cost(in_arc);
        let end = self.thread[self.last_succ[u_in]];
        let mut u = u_in;
        while u != end {
            self.pi[u] += sigma;
            u = self.thread[u];
        }
    }

    /// The cells with positive flow and their total cost.
    fn transport(&self) -> Transport {
        let mut plan = Vec::new();
        let mut cost = 0.0;
        for (e, &f) in self.flow[..self.n * self.m].iter().enumerate() {
            if f > 0.0 {
                plan.push(Flow {
                    row: e / self.m,
                    col: e % self.m,
                    mass: f,
                });
                cost += f * self.cost[e];
            }
        }
        Transport {
            plan,
            cost,
            pivots: self.pivots,
        }
    }
}
