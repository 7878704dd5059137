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
    max_nodes: usize,
    max_snk: usize,
    /// Inputs: source capacities, sink weights, edge capacities (`i * nt + j`).
    pub src_cap: Vec<f64>,
    pub snk_w: Vec<f64>,
    pub edge: Vec<f64>,
    /// Output: flow on each source-sink edge (`i * nt + j`), and each sink's fill level.
    pub out: Vec<f64>,
    pub level: Vec<f64>,
    frozen: Vec<bool>,
    cap: Vec<f64>,
    flow: Vec<f64>,
    parent: Vec<usize>,
    queue: Vec<usize>,
}

const NONE: usize = usize::MAX;

impl FairFill {
    pub fn new(max_src: usize, max_snk: usize) -> FairFill {
        let n = max_src + max_snk + 2;
        FairFill {
            max_nodes: n,
            max_snk,
            src_cap: vec![0.0; max_src],
            snk_w: vec![0.0; max_snk],
            edge: vec![0.0; max_src * max_snk],
            out: vec![0.0; max_src * max_snk],
            level: vec![0.0; max_snk],
            frozen: vec![false; max_snk],
            cap: vec![0.0; n * n],
            flow: vec![0.0; n * n],
            parent: vec![NONE; n],
            queue: vec![0; n],
        }
    }

    /// Solves for `ns` sources and `nt` sinks whose data are in the first slots of `src_cap`,
    /// `snk_w` and `edge`. Fills `out` and `level`.
    pub fn solve(&mut self, ns: usize, nt: usize) {
        debug_assert!(ns + nt + 2 <= self.max_nodes && nt <= self.max_snk);
        let n = ns + nt + 2;
        let t = n - 1;
        let scale: f64 =
            self.src_cap[..ns].iter().sum::<f64>() + self.snk_w[..nt].iter().sum::<f64>();
        let tol = 1e-10 * scale;
        let eps = 1e-13 * scale;

        self.cap[..n * n].fill(0.0);
        for i in 0..ns {
            self.cap[1 + i] = self.src_cap[i];
            for j in 0..nt {
                self.cap[(1 + i) * n + 1 + ns + j] = self.edge[i * nt + j];
            }
        }
        for j in 0..nt {
            self.frozen[j] = self.snk_w[j] <= 0.0;
            self.level[j] = if self.frozen[j] { 0.0 } else { 1.0 };
        }

        // Each round freezes at least one sink, so there are at most `nt + 1` rounds.
        for _round in 0..=nt {
            let any_free = (0..nt).any(|j| !self.frozen[j]);
            if !any_free {
                self.set_targets(ns, nt, 1.0);
                self.maxflow(n, eps);
                break;
            }
            let mut lam = 1.0;
            for _ in 0..64 {
                self.set_targets(ns, nt, lam);
                let f = self.maxflow(n, eps);
                let need: f64 = (0..nt).map(|j| self.cap[(1 + ns + j) * n + t]).sum();
                if f >= need - tol {
                    break;
                }
                // The minimum cut (source side = residual-reachable from s) bounds the level:
                // cut(lam') >= demand(lam') gives lam' <= (const - frozen outside) / free outside.
                self.reach(n, eps);
                let mut cst = 0.0;
                for i in 0..ns {
                    if self.parent[1 + i] == NONE {
                        cst += self.src_cap[i];
                    } else {
                        for j in 0..nt {
                            if self.parent[1 + ns + j] == NONE {
                                cst += self.edge[i * nt + j];
                            }
                        }
                    }
                }
                let (mut fz, mut du) = (0.0, 0.0);
                for j in 0..nt {
                    if self.parent[1 + ns + j] == NONE {
                        if self.frozen[j] {
                            fz += self.level[j] * self.snk_w[j];
                        } else {
                            du += self.snk_w[j];
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
            if lam >= 1.0 - 1e-12 {
                for j in 0..nt {
                    if !self.frozen[j] {
                        self.frozen[j] = true;
                        self.level[j] = 1.0;
                    }
                }
                // The last max-flow already carries these targets (level 1 for the free sinks).
                self.set_targets(ns, nt, 1.0);
                self.maxflow(n, eps);
                break;
            }
            // Freeze the sinks no augmenting path can reach: they cannot rise any further.
            self.reach(n, eps);
            let mut any = false;
            for j in 0..nt {
                if !self.frozen[j] && self.parent[1 + ns + j] == NONE {
                    self.frozen[j] = true;
                    self.level[j] = lam;
                    any = true;
                }
            }
            if !any {
                for j in 0..nt {
                    if !self.frozen[j] {
                        self.frozen[j] = true;
                        self.level[j] = lam;
                    }
                }
            }
        }
        for i in 0..ns {
            for j in 0..nt {
                self.out[i * nt + j] = self.flow[(1 + i) * n + 1 + ns + j].max(0.0);
            }
        }
    }

    /// Sink-to-t capacities: frozen sinks at their level, free sinks at `lam`.
    fn set_targets(&mut self, ns: usize, nt: usize, lam: f64) {
        let n = ns + nt + 2;
        for j in 0..nt {
            let l = if self.frozen[j] { self.level[j] } else { lam };
            self.cap[(1 + ns + j) * n + n - 1] = l * self.snk_w[j];
        }
    }

    /// Edmonds-Karp from zero flow; returns the flow value.
    fn maxflow(&mut self, n: usize, eps: f64) -> f64 {
        let t = n - 1;
        self.flow[..n * n].fill(0.0);
        let mut total = 0.0;
        loop {
            if !self.bfs(n, eps, true) {
                break;
            }
            let mut b = f64::INFINITY;
            let mut v = t;
            while v != 0 {
                let u = self.parent[v];
                b = b.min(self.cap[u * n + v] - self.flow[u * n + v]);
                v = u;
            }
            let mut v = t;
            while v != 0 {
                let u = self.parent[v];
                self.flow[u * n + v] += b;
                self.flow[v * n + u] -= b;
                v = u;
            }
            total += b;
        }
        total
    }

    /// Marks (in `parent`) the nodes reachable from s in the residual graph, never through t.
    fn reach(&mut self, n: usize, eps: f64) {
        self.bfs(n, eps, false);
    }

    /// Breadth-first search from s over residual edges above `eps`. With `to_sink` it stops at t
    /// and reports whether t was reached; without, it never enters t.
    fn bfs(&mut self, n: usize, eps: f64, to_sink: bool) -> bool {
        let t = n - 1;
        self.parent[..n].fill(NONE);
        self.parent[0] = 0;
        self.queue[0] = 0;
        let (mut head, mut tail) = (0, 1);
        while head < tail {
            let u = self.queue[head];
            head += 1;
            for v in 0..n {
                if self.parent[v] != NONE || (v == t && !to_sink) {
                    continue;
                }
                if self.cap[u * n + v] - self.flow[u * n + v] > eps {
                    self.parent[v] = u;
                    if v == t {
                        return true;
                    }
                    self.queue[tail] = v;
                    tail += 1;
                }
            }
        }
        false
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
}
