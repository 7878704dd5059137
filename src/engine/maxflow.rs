//! Max-min fair filling of sinks from capacitated sources over a bipartite network, by progressive
//! filling with a small max-flow per step. Used twice by the trade allocation: regions' fill ratios
//! (sources = producers), then producers' sold shares (sources = regions).
//!
//! Sink `j` receives at most `level_j * weight_j`, with `level_j <= 1`. The common level of the
//! unfrozen sinks is raised as far as a feasible flow allows (found by Dinkelbach-Newton steps on
//! the minimum cut), then every sink that no augmenting path can reach is frozen at that level, and
//! the rest keep rising. The result is the lexicographic max-min fair vector of fill levels; the
//! set of deliverable vectors is a polymatroid, so it is also a maximum total flow.
//!
//! Dense matrices on a handful of nodes, preallocated: no allocation per call.

/// Reusable solver state, sized for at most `max_src` sources and `max_snk` sinks.
#[derive(Debug, Clone)]
pub struct FairFill {
    max_src: usize,
    max_snk: usize,
    /// Inputs: source capacities, sink weights, edge capacities (`i * nt + j`), and what each
    /// sink already holds (`solve_from_base`: sink `j` gets `base_j + level_j * weight_j`).
    pub src_cap: Vec<f64>,
    pub snk_w: Vec<f64>,
    pub snk_base: Vec<f64>,
    pub edge: Vec<f64>,
    /// Output: flow on each source-sink edge (`i * nt + j`), and each sink's fill level.
    pub out: Vec<f64>,
    pub level: Vec<f64>,
    frozen: Vec<bool>,
    /// Sink-to-t capacities of the current step.
    tcap: Vec<f64>,
    /// The flow: s -> source, source -> sink (this is `out`), sink -> t.
    fs: Vec<f64>,
    ft: Vec<f64>,
    /// Search tree: how each source / sink was reached (`NONE` = not reached).
    from_src: Vec<usize>,
    from_snk: Vec<usize>,
    queue: Vec<usize>,
}

const NONE: usize = usize::MAX;
/// `from_src` marker of a source reached straight from s.
const FROM_S: usize = usize::MAX - 1;

impl FairFill {
    pub fn new(max_src: usize, max_snk: usize) -> FairFill {
        FairFill {
            max_src,
            max_snk,
            src_cap: vec![0.0; max_src],
            snk_w: vec![0.0; max_snk],
            snk_base: vec![0.0; max_snk],
            edge: vec![0.0; max_src * max_snk],
            out: vec![0.0; max_src * max_snk],
            level: vec![0.0; max_snk],
            frozen: vec![false; max_snk],
            tcap: vec![0.0; max_snk],
            fs: vec![0.0; max_src],
            ft: vec![0.0; max_snk],
            from_src: vec![NONE; max_src],
            from_snk: vec![NONE; max_snk],
            queue: vec![0; max_src + max_snk],
        }
    }

    /// Solves for `ns` sources and `nt` sinks whose data are in the first slots of `src_cap`,
    /// `snk_w` and `edge`, from nothing held. Fills `out` and `level`.
    pub fn solve(&mut self, ns: usize, nt: usize) {
        self.snk_base[..nt].fill(0.0);
        self.solve_from_base(ns, nt);
    }

    /// As `solve`, with sink `j` holding `snk_base[j]` before its level rises (a deliverable
    /// vector: the consumption totals when refill orders are filled next). The levels are the
    /// max-min fair ones among every flow that delivers the bases too, whatever flow delivered
    /// them before.
    pub fn solve_from_base(&mut self, ns: usize, nt: usize) {
        debug_assert!(ns <= self.max_src && nt <= self.max_snk);
        let scale: f64 = self.src_cap[..ns].iter().sum::<f64>()
            + self.snk_w[..nt].iter().sum::<f64>()
            + self.snk_base[..nt].iter().sum::<f64>();
        let tol = 1e-10 * scale;
        let eps = 1e-13 * scale;

        self.out[..ns * nt].fill(0.0);
        self.fs[..ns].fill(0.0);
        self.ft[..nt].fill(0.0);
        for j in 0..nt {
            self.frozen[j] = self.snk_w[j] <= 0.0;
            self.level[j] = if self.frozen[j] { 0.0 } else { 1.0 };
        }

        // Each round freezes at least one sink, so there are at most `nt + 1` rounds. The flow
        // carries over between steps: raising targets keeps it feasible, lowering one cancels
        // the excess first.
        for _round in 0..=nt {
            if self.frozen[..nt].iter().all(|&f| f) {
                break;
            }
            let mut lam = 1.0;
            for _ in 0..64 {
                self.set_targets(ns, nt, lam);
                let f = self.maxflow(ns, nt, eps);
                let need: f64 = self.tcap[..nt].iter().sum();
                if f >= need - tol {
                    break;
                }
                let (from_src, from_snk) = (&self.from_src[..ns], &self.from_snk[..nt]);
                let (src_cap, edge) = (&self.src_cap[..ns], &self.edge[..ns * nt]);
                let (frozen, level, snk_w) =
                    (&self.frozen[..nt], &self.level[..nt], &self.snk_w[..nt]);
                let base = &self.snk_base[..nt];
                // The minimum cut (source side = residual-reachable from s, as left by the
                // last search) bounds the level: cut(lam') >= demand(lam') gives
                // lam' <= (const - frozen outside) / free outside.
                let mut cst = 0.0;
                for i in 0..ns {
                    if from_src[i] == NONE {
                        cst += src_cap[i];
                    } else {
                        let row = &edge[i * nt..(i + 1) * nt];
                        for j in 0..nt {
                            if from_snk[j] == NONE {
                                cst += row[j];
                            }
                        }
                    }
                }
                let (mut fz, mut du) = (0.0, 0.0);
                for j in 0..nt {
                    if from_snk[j] == NONE {
                        if frozen[j] {
                            fz += base[j] + level[j] * snk_w[j];
                        } else {
                            fz += base[j];
                            du += snk_w[j];
                        }
                    }
                }
                if du <= 0.0 {
                    break;
                }
                let next = ((cst - fz) / du).max(0.0);
                if next >= lam {
                    // Rounding noise: the current level is as good as it gets.
                    break;
                }
                lam = next;
            }
            let (frozen, level) = (&mut self.frozen[..nt], &mut self.level[..nt]);
            if lam >= 1.0 - 1e-12 {
                frozen.fill(true);
                break;
            }
            // Freeze the sinks no augmenting path can reach: they cannot rise any further.
            // (`from_snk` holds the reachable set of the last, failed, search.)
            let from_snk = &self.from_snk[..nt];
            let mut any = false;
            for j in 0..nt {
                if !frozen[j] && from_snk[j] == NONE {
                    frozen[j] = true;
                    level[j] = lam;
                    any = true;
                }
            }
            if !any {
                for j in 0..nt {
                    if !frozen[j] {
                        frozen[j] = true;
                        level[j] = lam;
                    }
                }
            }
        }
        for o in &mut self.out[..ns * nt] {
            *o = o.max(0.0);
        }
    }

    /// Sink-to-t capacities: frozen sinks at their level, free sinks at `lam`. A sink whose flow
    /// now exceeds its capacity gives the excess back along its edges.
    fn set_targets(&mut self, ns: usize, nt: usize, lam: f64) {
        // Slices of the live sizes, held locally: no reloads or bounds checks per element.
        let (frozen, level, snk_w) = (&self.frozen[..nt], &self.level[..nt], &self.snk_w[..nt]);
        let base = &self.snk_base[..nt];
        let (tcap, ft) = (&mut self.tcap[..nt], &mut self.ft[..nt]);
        let (out, fs) = (&mut self.out[..ns * nt], &mut self.fs[..ns]);
        for j in 0..nt {
            let l = if frozen[j] { level[j] } else { lam };
            let cap = base[j] + l * snk_w[j];
            tcap[j] = cap;
            let mut excess = ft[j] - cap;
            let mut i = 0;
            while excess > 0.0 && i < ns {
                let d = excess.min(out[i * nt + j]);
                out[i * nt + j] -= d;
                fs[i] -= d;
                ft[j] -= d;
                excess -= d;
                i += 1;
            }
        }
    }

    /// Edmonds-Karp from the current flow; returns the flow value. Shortest augmenting paths
    /// need at most `V x E` augmentations; the cap only guards against rounding pathologies.
    fn maxflow(&mut self, ns: usize, nt: usize, eps: f64) -> f64 {
        let limit = (ns + nt + 2) * (ns * nt + ns + nt) + 16;
        for _ in 0..limit {
            let Some(end) = self.search(ns, nt, eps) else {
                break;
            };
            let (from_src, from_snk) = (&self.from_src[..ns], &self.from_snk[..nt]);
            let (edge, src_cap) = (&self.edge[..ns * nt], &self.src_cap[..ns]);
            let (out, fs) = (&mut self.out[..ns * nt], &mut self.fs[..ns]);
            // Bottleneck along t <- end <- i (forward) [<- j' <- i' (backward)]... <- s.
            let mut b = self.tcap[end] - self.ft[end];
            let mut j = end;
            loop {
                let i = from_snk[j];
                b = b.min(edge[i * nt + j] - out[i * nt + j]);
                let back = from_src[i];
                if back == FROM_S {
                    b = b.min(src_cap[i] - fs[i]);
                    break;
                }
                b = b.min(out[i * nt + back]);
                j = back;
            }
            self.ft[end] += b;
            let mut j = end;
            loop {
                let i = from_snk[j];
                out[i * nt + j] += b;
                let back = from_src[i];
                if back == FROM_S {
                    fs[i] += b;
                    break;
                }
                out[i * nt + back] -= b;
                j = back;
            }
        }
        self.ft[..nt].iter().sum()
    }

    /// Breadth-first search from s over residual edges above `eps`: s -> source (spare
    /// capacity), source -> sink (spare edge), sink -> source (flow to cancel). Returns the first
    /// sink found with spare capacity to t; when none, `from_src`/`from_snk` mark the
    /// reachable set.
    fn search(&mut self, ns: usize, nt: usize, eps: f64) -> Option<usize> {
        // Row slices of the live sizes: the same visiting order as indexing, fewer bounds checks.
        let from_src = &mut self.from_src[..ns];
        let from_snk = &mut self.from_snk[..nt];
        let queue = &mut self.queue[..ns + nt];
        let (edge, out) = (&self.edge[..ns * nt], &self.out[..ns * nt]);
        let (tcap, ft) = (&self.tcap[..nt], &self.ft[..nt]);
        from_src.fill(NONE);
        from_snk.fill(NONE);
        let (mut head, mut tail) = (0, 0);
        for (i, (&cap, &f)) in self.src_cap[..ns].iter().zip(&self.fs[..ns]).enumerate() {
            if cap - f > eps {
                from_src[i] = FROM_S;
                queue[tail] = i;
                tail += 1;
            }
        }
        while head < tail {
            let u = queue[head];
            head += 1;
            if u < ns {
                let i = u;
                let (er, or) = (&edge[i * nt..(i + 1) * nt], &out[i * nt..(i + 1) * nt]);
                let sinks = from_snk
                    .iter_mut()
                    .zip(er.iter().zip(or))
                    .zip(tcap.iter().zip(ft));
                for (j, ((from, (&e, &o)), (&cap, &f))) in sinks.enumerate() {
                    if *from == NONE && e - o > eps {
                        *from = i;
                        if cap - f > eps {
                            return Some(j);
                        }
                        queue[tail] = ns + j;
                        tail += 1;
                    }
                }
            } else {
                let j = u - ns;
                for i in 0..ns {
                    if from_src[i] == NONE && out[i * nt + j] > eps {
                        from_src[i] = j;
                        queue[tail] = i;
                        tail += 1;
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solve(src: &[f64], w: &[f64], edge: &[f64]) -> FairFill {
        let mut f = FairFill::new(src.len(), w.len());
        f.src_cap[..src.len()].copy_from_slice(src);
        f.snk_w[..w.len()].copy_from_slice(w);
        f.edge[..edge.len()].copy_from_slice(edge);
        f.solve(src.len(), w.len());
        f
    }

    #[test]
    fn one_source_shares_equally() {
        // 60 units, two sinks of 50: both at 0.6.
        let f = solve(&[60.0], &[50.0, 50.0], &[60.0, 60.0]);
        assert!((f.level[0] - 0.6).abs() < 1e-9 && (f.level[1] - 0.6).abs() < 1e-9);
        assert!((f.out[0] - 30.0).abs() < 1e-9);
    }

    #[test]
    fn blocked_sink_is_served_by_the_other_source() {
        // Source 0 (100) cannot reach sink 1; source 1 (40) can reach both. Sinks want 80 each.
        // Max total 140; fair: sink 1 gets all 40 of source 1 (0.5), sink 0 gets 100 (1.25 > 1 ->
        // capped at 80 = 1.0). Total 120 = max possible given caps.
        let f = solve(&[100.0, 40.0], &[80.0, 80.0], &[100.0, 0.0, 40.0, 40.0]);
        assert!((f.level[1] - 0.5).abs() < 1e-9, "{:?}", f.level);
        assert!((f.level[0] - 1.0).abs() < 1e-9, "{:?}", f.level);
        let total: f64 = f.out[..4].iter().sum();
        assert!((total - 120.0).abs() < 1e-9);
    }

    #[test]
    fn diversion_is_partial_when_free_supply_is_short() {
        // Source 0 (90) serves only sink 0; source 1 (10) serves both. Sinks want 50 each.
        // Sink 1 can get at most 10 (0.2); sink 0 gets 50 (1.0).
        let f = solve(&[90.0, 10.0], &[50.0, 50.0], &[90.0, 0.0, 10.0, 10.0]);
        assert!((f.level[1] - 0.2).abs() < 1e-9, "{:?}", f.level);
        assert!((f.level[0] - 1.0).abs() < 1e-9, "{:?}", f.level);
    }

    /// Plain dense Edmonds-Karp: the reference the solver is checked against.
    fn dense_maxflow(src: &[f64], edge: &[f64], tcap: &[f64]) -> f64 {
        let (ns, nt) = (src.len(), tcap.len());
        let n = ns + nt + 2;
        let t = n - 1;
        let mut cap = vec![0.0; n * n];
        for i in 0..ns {
            cap[1 + i] = src[i];
            for j in 0..nt {
                cap[(1 + i) * n + 1 + ns + j] = edge[i * nt + j];
            }
        }
        for j in 0..nt {
            cap[(1 + ns + j) * n + t] = tcap[j];
        }
        let mut flow = vec![0.0; n * n];
        let mut total = 0.0;
        loop {
            let mut parent = vec![usize::MAX; n];
            parent[0] = 0;
            let mut q = std::collections::VecDeque::from([0]);
            while let Some(u) = q.pop_front() {
                for v in 0..n {
                    if parent[v] == usize::MAX && cap[u * n + v] - flow[u * n + v] > 1e-12 {
                        parent[v] = u;
                        q.push_back(v);
                    }
                }
            }
            if parent[t] == usize::MAX {
                return total;
            }
            let mut b = f64::INFINITY;
            let mut v = t;
            while v != 0 {
                let u = parent[v];
                b = b.min(cap[u * n + v] - flow[u * n + v]);
                v = u;
            }
            let mut v = t;
            while v != 0 {
                let u = parent[v];
                flow[u * n + v] += b;
                flow[v * n + u] -= b;
                v = u;
            }
            total += b;
        }
    }

    /// Progressive filling by bisection on the level, freezing each sink that cannot rise alone.
    fn reference_levels(src: &[f64], w: &[f64], edge: &[f64]) -> Vec<f64> {
        let nt = w.len();
        let mut level = vec![0.0; nt];
        let mut frozen: Vec<bool> = w.iter().map(|&x| x <= 0.0).collect();
        let feasible = |targets: &[f64]| {
            let need: f64 = targets.iter().sum();
            dense_maxflow(src, edge, targets) >= need - 1e-9
        };
        while frozen.iter().any(|f| !f) {
            let targets = |lam: f64, level: &[f64], frozen: &[bool]| -> Vec<f64> {
                (0..nt)
                    .map(|j| {
                        let l = if frozen[j] { level[j] } else { lam };
                        l * w[j]
                    })
                    .collect()
            };
            let (mut lo, mut hi) = (0.0, 1.0);
            if feasible(&targets(1.0, &level, &frozen)) {
                lo = 1.0;
            } else {
                for _ in 0..60 {
                    let mid = 0.5 * (lo + hi);
                    if feasible(&targets(mid, &level, &frozen)) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
            }
            // Probe just below the level, so that only a real bottleneck blocks the nudge.
            let base = targets((lo - 1e-7f64).max(0.0), &level, &frozen);
            let mut stuck = vec![];
            for j in 0..nt {
                if frozen[j] {
                    continue;
                }
                let mut up = base.clone();
                up[j] += 1e-5 * w[j];
                if lo >= 1.0 || !feasible(&up) {
                    stuck.push(j);
                }
            }
            if stuck.is_empty() {
                stuck = (0..nt).filter(|&j| !frozen[j]).collect();
            }
            for j in stuck {
                frozen[j] = true;
                // A hair under the bisection's level, so that the frozen target stays feasible.
                level[j] = if lo >= 1.0 {
                    1.0
                } else {
                    (lo - 1e-9f64).max(0.0)
                };
            }
        }
        level
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn matches_progressive_filling_by_bisection(
            src in proptest::collection::vec(prop_oneof![Just(0.0), 1.0f64..100.0], 1..5),
            w in proptest::collection::vec(prop_oneof![Just(0.0), 1.0f64..100.0], 1..5),
            access in proptest::collection::vec(prop_oneof![Just(0.0), Just(1.0), 0.0f64..1.0], 16),
        ) {
            let (ns, nt) = (src.len(), w.len());
            let edge: Vec<f64> = (0..ns * nt).map(|k| access[k] * src[k / nt]).collect();
            let f = solve(&src, &w, &edge);
            let want = reference_levels(&src, &w, &edge);
            for j in 0..nt {
                let got: f64 = (0..ns).map(|i| f.out[i * nt + j]).sum();
                prop_assert!((got - want[j] * w[j]).abs() < 1e-4 * (1.0 + w[j]),
                    "sink {j}: {got} vs {} (levels {:?} vs {want:?})", want[j] * w[j], f.level);
            }
            for i in 0..ns {
                let sold: f64 = (0..nt).map(|j| f.out[i * nt + j]).sum();
                prop_assert!(sold <= src[i] + 1e-9);
                for j in 0..nt {
                    prop_assert!(f.out[i * nt + j] <= edge[i * nt + j] + 1e-9);
                }
            }
            // The fair vector also delivers the most in total.
            let total: f64 = f.out[..ns * nt].iter().sum();
            let best = dense_maxflow(&src, &edge, &w);
            prop_assert!((total - best).abs() < 1e-6 * (1.0 + best), "{total} vs {best}");
        }
    }
}
