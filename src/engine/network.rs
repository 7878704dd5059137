//! The allocation network of one restricted commodity-period (docs/model.md section 5) on dense
//! producer x region arrays: stage 1 (regions' fill ratios: consumption, then refill orders on
//! what is left) and stage 2 (producers' sold shares given the regional totals), by
//! `maxflow::FairFill`, or in closed form when one bound producer sits beside the pool.
//!
//! The producers whose every link cap is at least their availability ("free": no restriction
//! binds them) are pooled into one node holding the sum of their availabilities. This is exact:
//! a free producer is limited only by its availability, so any flow of the pool splits pro rata
//! into flows of its members and the members' flows sum to a flow of the pool; and the members
//! are copies of one another up to scale, so the (unique) max-min fair sold shares give them one
//! level, which each member reaches by taking its share of the pool's flows. When the pool is the
//! only node no restriction binds at all and the levels have a closed form (one market), so the
//! solver does not run.

use super::maxflow::FairFill;

/// `node` marker of the pooled free producers.
const POOL: usize = usize::MAX;

/// Reusable state for at most `max_p` producers and `max_r` regions: no allocation per call.
#[derive(Debug, Clone)]
pub struct Network {
    max_p: usize,
    max_r: usize,
    /// Inputs for `k` producers with output and `n` regions with demand: availability, link caps
    /// (`q * n + j`), consumption (demand without refill requests) and refill-order weights.
    pub avail: Vec<f64>,
    pub cap: Vec<f64>,
    pub cons: Vec<f64>,
    pub refill: Vec<f64>,
    /// Outputs: flows (`q * n + j`) and each producer's sold quantity (the sum of its flows);
    /// `arrivals` below.
    pub flow: Vec<f64>,
    pub sold: Vec<f64>,
    /// The producer each solver node stands for, or `POOL`.
    node: Vec<usize>,
    /// Output: each region's total (stage 1), which the flows split among producers.
    pub arrivals: Vec<f64>,
    /// Scratch of `stage1_pool_and_one`: regions by breakpoint, and which are still rising.
    order: Vec<usize>,
    rising: Vec<bool>,
    solver: FairFill,
}

impl Network {
    pub fn new(max_p: usize, max_r: usize) -> Network {
        let (max_p, max_r) = (max_p.max(1), max_r.max(1));
        let side = max_p.max(max_r);
        Network {
            max_p,
            max_r,
            avail: vec![0.0; max_p],
            cap: vec![0.0; max_p * max_r],
            cons: vec![0.0; max_r],
            refill: vec![0.0; max_r],
            flow: vec![0.0; max_p * max_r],
            sold: vec![0.0; max_p],
            node: vec![0; max_p],
            arrivals: vec![0.0; max_r],
            order: vec![0; max_r],
            rising: vec![false; max_r],
            solver: FairFill::new(side, side),
        }
    }

    /// Allocates `k` producers (each with `avail > 0`) to `n` regions; `pool` merges the free
    /// producers into one node (the engine always pools; `false` is the reference for tests).
    pub fn solve(&mut self, k: usize, n: usize, pool: bool) {
        debug_assert!(k <= self.max_p && n <= self.max_r);
        let any_refill = self.refill[..n].iter().any(|&x| x > 0.0);
        let (ns, pool_sum) = self.nodes(k, n, pool);
        if ns == 1 && self.node[0] == POOL {
            self.one_market(n, pool_sum, any_refill);
        } else if ns == 2 && (self.node[0] == POOL || self.node[1] == POOL) {
            self.stage1_pool_and_one(n, pool_sum, any_refill);
        } else {
            self.stage1(ns, n, pool_sum, any_refill);
        }
        self.stage2(k, ns, n, pool_sum);
    }

    /// Solver nodes: the producers some cap binds, in order, and (with `pool`) the free ones as
    /// one node where the first of them stands. Returns the node count and the pool's supply.
    fn nodes(&mut self, k: usize, n: usize, pool: bool) -> (usize, f64) {
        let mut ns = 0;
        let mut pool_sum = 0.0;
        let mut pooled = false;
        let (node, avail) = (&mut self.node[..k], &self.avail[..k]);
        for (q, &a) in avail.iter().enumerate() {
            if pool && self.cap[q * n..(q + 1) * n].iter().all(|&c| c >= a) {
                pool_sum += a;
                if !pooled {
                    pooled = true;
                    node[ns] = POOL;
                    ns += 1;
                }
            } else {
                node[ns] = q;
                ns += 1;
            }
        }
        (ns, pool_sum)
    }

    /// Availability and link caps of node `i`.
    fn node_avail(&self, i: usize, pool_sum: f64) -> f64 {
        match self.node[i] {
            POOL => pool_sum,
            q => self.avail[q],
        }
    }

    fn node_cap(&self, i: usize, j: usize, n: usize, pool_sum: f64) -> f64 {
        match self.node[i] {
            POOL => pool_sum,
            q => self.cap[q * n + j],
        }
    }

    /// No cap binds: consumption filled at one ratio, refill orders share what is left (the
    /// levels the progressive filling reaches on a single source).
    fn one_market(&mut self, n: usize, supply: f64, any_refill: bool) {
        let sum_c: f64 = self.cons[..n].iter().sum();
        let fc = if sum_c > 0.0 {
            (supply / sum_c).min(1.0)
        } else {
            1.0
        };
        let mut used = 0.0;
        for j in 0..n {
            let y = fc * self.cons[j];
            self.arrivals[j] = y;
            used += y;
        }
        if any_refill {
            let sum_r: f64 = self.refill[..n].iter().sum();
            let fr = ((supply - used).max(0.0) / sum_r).min(1.0);
            for j in 0..n {
                self.arrivals[j] += fr * self.refill[j];
            }
        }
    }

    /// Stage 1: regions' fill ratios. Sources: nodes; sinks: regions weighted by consumption,
    /// then by refill orders on top of the consumption totals (engine 9: among every flow that
    /// delivers those totals, not on what one of them left on each link).
    fn stage1(&mut self, ns: usize, n: usize, pool_sum: f64, any_refill: bool) {
        let sv = &mut self.solver;
        for i in 0..ns {
            let row = &mut sv.edge[i * n..(i + 1) * n];
            match self.node[i] {
                POOL => {
                    sv.src_cap[i] = pool_sum;
                    row.fill(pool_sum);
                }
                q => {
                    sv.src_cap[i] = self.avail[q];
                    row.copy_from_slice(&self.cap[q * n..(q + 1) * n]);
                }
            }
        }
        sv.snk_w[..n].copy_from_slice(&self.cons[..n]);
        sv.solve(ns, n);
        if any_refill {
            // The consumption totals become the bases; the refill orders rise on top.
            for j in 0..n {
                let mut y = 0.0;
                for i in 0..ns {
                    y += sv.out[i * n + j];
                }
                sv.snk_base[j] = y;
            }
            sv.snk_w[..n].copy_from_slice(&self.refill[..n]);
            sv.solve_from_base(ns, n);
        }
        for (j, arr) in self.arrivals[..n].iter_mut().enumerate() {
            let mut y = 0.0;
            for i in 0..ns {
                y += sv.out[i * n + j];
            }
            *arr = y;
        }
    }

    /// Stage 1 in closed form for one bound producer `T` and the pool `P` (on the flagship nine
    /// tenths of the networks the solver would take). Region `j` orders `c_j` and may take at
    /// most `cap_j` from `T`. A vector of regional totals `y` is deliverable exactly when
    /// `sum y <= A_T + A_P` and `sum_j (y_j - cap_j)+ <= A_P` (the minimum cuts of the
    /// bipartite network: `T`'s side is cut at `min(A_T, sum_S cap_j)`, the pool's at `A_P`).
    /// Consumption is filled first (`fill_pool_and_one` from nothing), then refill orders on top
    /// of the consumption totals. The levels are those `FairFill` finds by augmenting paths, up
    /// to its tolerance (`1e-10` of the volume); `pooled_matches_unpooled` and
    /// `stage1_closed_form_matches_the_solver` hold them to it.
    fn stage1_pool_and_one(&mut self, n: usize, pool_sum: f64, any_refill: bool) {
        let q = self.node[if self.node[0] == POOL { 1 } else { 0 }];
        let (a_t, a_p) = (self.avail[q], pool_sum);
        let cap = &self.cap[q * n..(q + 1) * n];
        let y = &mut self.arrivals[..n];
        let (rising, order) = (&mut self.rising[..n], &mut self.order[..n]);
        y.fill(0.0);
        fill_pool_and_one(a_t, a_p, cap, &self.cons[..n], y, rising, order);
        if any_refill {
            fill_pool_and_one(a_t, a_p, cap, &self.refill[..n], y, rising, order);
        }
    }

    /// Stage 2 in closed form for one bound producer `T` and the pool `P` (the usual case: one
    /// exporter restricting). Region `j` holds `y_j`; `T` may take `min(cap_j, y_j)` of it, the
    /// pool `min(A_P, y_j)`. The sold vectors form a polymatroid with rank `f(T) = sum min(cap_j,
    /// y_j)`, `f(P) = sum min(A_P, y_j)`, `f(TP) = sum min(cap_j + A_P, y_j)`, so the max-min fair
    /// levels are the common level `f(TP) / (A_T + A_P)` (at most 1) unless one side's rank caps
    /// it, and then the other takes the rest. Flows: `T` ships each region what the pool cannot
    /// (`y_j - A_P`, at least 0), then the rest of its sales in proportion to its remaining room;
    /// the pool ships what is left (at most `A_P` per region by construction).
    fn pool_and_one(&mut self, n: usize, pool_sum: f64) {
        let (t_at, p_at) = if self.node[0] == POOL { (1, 0) } else { (0, 1) };
        let q = self.node[t_at];
        let (a_t, a_p) = (self.avail[q], pool_sum);
        let (mut f_t, mut f_p, mut f_tp, mut lo_sum) = (0.0, 0.0, 0.0, 0.0);
        for j in 0..n {
            let (y, c) = (self.arrivals[j], self.cap[q * n + j]);
            f_t += c.min(y);
            f_p += a_p.min(y);
            f_tp += (c + a_p).min(y);
            lo_sum += (y - a_p).max(0.0).min(c.min(y));
        }
        // `T`'s sales; the pool sells the rest of the regions' totals.
        let lam = (f_tp / (a_t + a_p)).min(1.0);
        let s_t = if lam * a_t > f_t {
            f_t.min(a_t)
        } else if lam * a_p > f_p {
            (f_tp - f_p.min(a_p)).min(f_t).min(a_t)
        } else {
            lam * a_t
        };
        // The share of its remaining room `T` fills beyond what it must ship.
        let spare = f_t - lo_sum;
        let r = if spare > 0.0 {
            ((s_t - lo_sum) / spare).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let out = &mut self.solver.out;
        for j in 0..n {
            let (y, c) = (self.arrivals[j], self.cap[q * n + j]);
            let room = c.min(y);
            let lo = (y - a_p).max(0.0).min(room);
            let x = lo + r * (room - lo);
            out[j * 2 + t_at] = x;
            out[j * 2 + p_at] = (y - x).max(0.0);
        }
    }

    /// Stage 2: producers' sold shares given the regional totals. Sources: regions; sinks: nodes
    /// weighted by availability. The pool's flows go to its members pro rata.
    fn stage2(&mut self, k: usize, ns: usize, n: usize, pool_sum: f64) {
        if ns == 1 {
            // One node: it ships every region's total.
            self.solver.out[..n].copy_from_slice(&self.arrivals[..n]);
        } else if ns == 2 && (self.node[0] == POOL || self.node[1] == POOL) {
            self.pool_and_one(n, pool_sum);
        } else {
            for i in 0..ns {
                self.solver.snk_w[i] = self.node_avail(i, pool_sum);
                for j in 0..n {
                    // Transposed: region j is source, node i is sink.
                    self.solver.edge[j * ns + i] = self.node_cap(i, j, n, pool_sum);
                }
            }
            self.solver.src_cap[..n].copy_from_slice(&self.arrivals[..n]);
            self.solver.solve(n, ns);
        }
        let out = &self.solver.out;
        for i in 0..ns {
            match self.node[i] {
                POOL => {
                    for q in 0..k {
                        let a = self.avail[q];
                        if self.cap[q * n..(q + 1) * n].iter().all(|&c| c >= a) {
                            let share = a / pool_sum;
                            for j in 0..n {
                                self.flow[q * n + j] = share * out[j * ns + i];
                            }
                        }
                    }
                }
                q => {
                    for j in 0..n {
                        self.flow[q * n + j] = out[j * ns + i];
                    }
                }
            }
        }
        for q in 0..k {
            self.sold[q] = self.flow[q * n..(q + 1) * n].iter().sum();
        }
    }
}

/// Progressive filling for one bound producer (`a_t`, link caps `cap`) beside the pool (`a_p`):
/// region `j` holds `y_j` (deliverable) and orders `w_j` more; on return `y_j` is what it holds
/// at its max-min fair level `l_j <= 1`, `y_j + l_j w_j`. The common level of the regions still
/// rising stops at the first of: level 1 or the total `a_t + a_p` (every region stops); the pool
/// running out, found by walking the regions' breakpoints `(cap_j - y_j) / w_j` in order (the
/// regions past theirs stop; the rest may from then on rise only to their own cap); after that,
/// a region reaching its cap (it stops). Each round stops a region or uses up the pool, so there
/// are at most one more round than regions. `rising` and `order` are scratch.
fn fill_pool_and_one(
    a_t: f64,
    a_p: f64,
    cap: &[f64],
    w: &[f64],
    y: &mut [f64],
    rising: &mut [bool],
    order: &mut [usize],
) {
    let n = y.len();
    let (cap, w, rising, order) = (&cap[..n], &w[..n], &mut rising[..n], &mut order[..n]);
    // The regions that order more, by breakpoint. A rising region's `y_j` stays its base until
    // it stops.
    let brk = |j: usize, y0: &[f64]| (cap[j] - y0[j]) / w[j];
    let mut m = 0;
    for j in 0..n {
        rising[j] = w[j] > 0.0;
        if rising[j] {
            let b = brk(j, y);
            let mut at = m;
            while at > 0 && brk(order[at - 1], y) > b {
                order[at] = order[at - 1];
                at -= 1;
            }
            order[at] = j;
            m += 1;
        }
    }
    let order = &order[..m];
    let mut pool_left = true;
    let mut lam = 0.0f64;
    for _ in 0..=m {
        // What the stopped regions (and those that order nothing) hold, the rising ones'
        // bases and orders, and the pool the stopped ones took.
        let (mut y_done, mut b_up, mut w_up, mut over_done) = (0.0, 0.0, 0.0, 0.0);
        for j in 0..n {
            if rising[j] {
                b_up += y[j];
                w_up += w[j];
            } else {
                y_done += y[j];
                over_done += (y[j] - cap[j]).max(0.0);
            }
        }
        if w_up <= 0.0 {
            break;
        }
        let total = (a_t + a_p - y_done - b_up) / w_up;
        let mut next = total.min(1.0);
        let mut pool_event = false;
        if pool_left {
            // Smallest level where `over_done + sum_rising (y_j + l w_j - cap_j)+ = A_P`: walk
            // the breakpoints in order, the slope growing by `w_j` past each.
            let budget = a_p - over_done;
            let (mut slope, mut room) = (0.0, 0.0);
            let mut ups = order.iter().filter(|&&j| rising[j]).peekable();
            while let Some(&j) = ups.next() {
                slope += w[j];
                room += cap[j] - y[j];
                let l = (budget + room) / slope;
                if ups.peek().is_none_or(|&&k| l <= brk(k, y)) {
                    if l <= next {
                        next = l;
                        pool_event = true;
                    }
                    break;
                }
            }
        } else if let Some(&j) = order.iter().find(|&&j| rising[j]) {
            // Without the pool each rising region stops at its own cap.
            next = next.min(brk(j, y));
        }
        lam = lam.max(next);
        let all_stop = next >= 1.0 || total <= next;
        for &j in order {
            if rising[j] && (all_stop || (!pool_left || pool_event) && brk(j, y) <= lam) {
                rising[j] = false;
                y[j] += lam * w[j];
            }
        }
        pool_left &= !pool_event;
    }
    // Regions still rising when the rounds ran out (rounding) stop where the level is.
    for &j in order {
        if rising[j] {
            y[j] += lam * w[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn solved(
        avail: &[f64],
        cap: &[f64],
        cons: &[f64],
        refill: &[f64],
        pool: bool,
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let (k, n) = (avail.len(), cons.len());
        let mut net = Network::new(k, n);
        net.avail[..k].copy_from_slice(avail);
        net.cap[..k * n].copy_from_slice(cap);
        net.cons[..n].copy_from_slice(cons);
        net.refill[..n].copy_from_slice(refill);
        net.solve(k, n, pool);
        (
            net.arrivals[..n].to_vec(),
            net.sold[..k].to_vec(),
            net.flow[..k * n].to_vec(),
        )
    }

    /// A world's network: producers either free (every cap at least the availability, as for
    /// producers no restriction touches) or restricted (caps a random share of the
    /// availability, some links banned).
    fn network() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>)> {
        (1usize..6, 1usize..6).prop_flat_map(|(k, n)| {
            (
                proptest::collection::vec(1.0f64..100.0, k),
                proptest::collection::vec(any::<bool>(), k),
                proptest::collection::vec(
                    prop_oneof![Just(0.0), Just(1.0), 0.0f64..1.0, 1.0f64..3.0],
                    k * n,
                ),
                proptest::collection::vec(prop_oneof![Just(0.0), 1.0f64..100.0], n),
                proptest::collection::vec(prop_oneof![3 => Just(0.0), 1 => 1.0f64..50.0], n),
            )
                .prop_map(move |(avail, free, share, cons, refill)| {
                    let cap = (0..k * n)
                        .map(|x| {
                            let q = x / n;
                            let s = if free[q] { share[x].max(1.0) } else { share[x] };
                            s * avail[q]
                        })
                        .collect();
                    (avail, cap, cons, refill)
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

        /// Pooling the free producers changes nothing but rounding: stage 1's fill ratios (the
        /// refill orders' too, since engine 9 fills them over every flow that delivers
        /// consumption) and stage 2's sold shares are unique, so both must agree; the flows themselves are not unique and
        /// are only held to the caps. Tolerance: `1e-8` of the network's volume (availability
        /// plus orders). The solver accepts a level within `1e-10` of the volume and runs at most
        /// one round per sink (at most 5 here) in each stage, so honest disagreement stays below
        /// about `1e-9`; a wrong pooling rule or closed form shows up as a whole producer's or
        /// region's quantity.
        #[test]
        fn pooled_matches_unpooled((avail, cap, cons, refill) in network()) {
            let (k, n) = (avail.len(), cons.len());
            let volume: f64 = avail.iter().sum::<f64>() + cons.iter().sum::<f64>()
                + refill.iter().sum::<f64>();
            let tol = 1e-8 * volume;
            let (arr0, sold0, flow0) = solved(&avail, &cap, &cons, &refill, false);
            let (arr1, sold1, flow1) = solved(&avail, &cap, &cons, &refill, true);
            for j in 0..n {
                prop_assert!((arr0[j] - arr1[j]).abs() <= tol, "region {j}: {arr0:?} vs {arr1:?}");
            }
            for q in 0..k {
                prop_assert!((sold0[q] - sold1[q]).abs() <= tol, "producer {q}: {sold0:?} vs {sold1:?}");
            }
            for (arr, sold, flow) in [(&arr0, &sold0, &flow0), (&arr1, &sold1, &flow1)] {
                for j in 0..n {
                    prop_assert!(arr[j] <= cons[j] + refill[j] + tol);
                    // The flows deliver each region's total.
                    let got: f64 = (0..k).map(|q| flow[q * n + j]).sum();
                    prop_assert!((got - arr[j]).abs() <= tol, "region {j}: flows {got}, total {}", arr[j]);
                }
                for q in 0..k {
                    prop_assert!(sold[q] <= avail[q] + tol);
                    for j in 0..n {
                        let x = flow[q * n + j];
                        prop_assert!(x >= 0.0 && x <= cap[q * n + j] + tol, "flow {q}->{j}: {x}");
                    }
                }
            }
        }
    }

    /// One bound producer (random caps, some links banned, some above its availability) and
    /// one to three free ones, with and without refill orders: the networks
    /// `stage1_pool_and_one` takes.
    fn bound_and_pool() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>)> {
        (1usize..4, 1usize..14).prop_flat_map(|(free, n)| {
            let k = free + 1;
            (
                proptest::collection::vec(prop_oneof![1.0f64..100.0, 0.01f64..1.0], k),
                proptest::collection::vec(
                    prop_oneof![Just(0.0), Just(1.0), 0.0f64..1.0, 1.0f64..2.0],
                    n,
                ),
                proptest::collection::vec(prop_oneof![Just(0.0), 0.1f64..100.0], n),
                proptest::collection::vec(prop_oneof![2 => Just(0.0), 1 => 0.1f64..50.0], n),
            )
                .prop_map(move |(avail, share, cons, refill)| {
                    let mut cap = vec![0.0; k * n];
                    for j in 0..n {
                        cap[j] = share[j] * avail[0];
                        for q in 1..k {
                            cap[q * n + j] = avail[q];
                        }
                    }
                    (avail, cap, cons, refill)
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// The closed form of stage 1 gives the regions' totals that `FairFill` finds on the
        /// unpooled network, within the solver's tolerance (see `pooled_matches_unpooled`),
        /// and never more than a region ordered or than the producers hold.
        #[test]
        fn stage1_closed_form_matches_the_solver((avail, cap, cons, refill) in bound_and_pool()) {
            let n = cons.len();
            let volume: f64 = avail.iter().sum::<f64>() + cons.iter().sum::<f64>()
                + refill.iter().sum::<f64>();
            let tol = 1e-8 * volume;
            let (arr0, _, _) = solved(&avail, &cap, &cons, &refill, false);
            let (arr1, _, _) = solved(&avail, &cap, &cons, &refill, true);
            for j in 0..n {
                prop_assert!((arr0[j] - arr1[j]).abs() <= tol, "region {j}: {arr0:?} vs {arr1:?}");
                prop_assert!(arr1[j] <= cons[j] + refill[j] + tol);
            }
            prop_assert!(arr1.iter().sum::<f64>() <= avail.iter().sum::<f64>() + tol);
        }
    }

    #[test]
    fn stage1_closed_form_stops_regions_at_the_pool_then_at_the_total() {
        // Exporter T (130) may ship 10 to region 0, 40 to region 1 and 100 to region 2; the pool
        // holds 30. Orders 50, 60, 100 (breakpoints 0.2, 0.67, 1). Regions 0 and 1 draw on the
        // pool past their caps, `(50 l - 10) + (60 l - 40) = 30` at l = 80 / 110 (the total,
        // 160 / 210, comes later): they stop there. Region 2 then rises on T alone, to what is
        // left of the 160: 160 - 110 l = 80 (below its cap of 100 and its order).
        let avail = [130.0, 30.0];
        let cap = [10.0, 40.0, 100.0, 30.0, 30.0, 30.0];
        let (arr, _, _) = solved(&avail, &cap, &[50.0, 60.0, 100.0], &[0.0; 3], true);
        let l = 80.0 / 110.0;
        let want = [50.0 * l, 60.0 * l, 160.0 - 110.0 * l];
        for j in 0..3 {
            assert!((arr[j] - want[j]).abs() < 1e-9, "{arr:?} vs {want:?}");
        }
        // With T at 100 the total binds first (130 / 210): every region stops at that level.
        let (arr, _, _) = solved(&[100.0, 30.0], &cap, &[50.0, 60.0, 100.0], &[0.0; 3], true);
        let l = 130.0 / 210.0;
        for (j, c) in [50.0, 60.0, 100.0].into_iter().enumerate() {
            assert!((arr[j] - c * l).abs() < 1e-9, "{arr:?}");
        }
    }

    #[test]
    fn refill_orders_are_filled_over_every_flow_that_delivers_consumption() {
        // T (100) may ship 100 to region 0 and 30 to region 1; the pool holds 30. Both regions
        // consume 40, which fits (region 1 needs 10 of the pool). Region 1 then orders 40 more
        // for its stock: whatever flow delivered consumption, the pool's other 20 can go to
        // region 1 if T serves region 0, so it gets 20 more (level 0.5), 60 in all. Before
        // engine 9 the refill stage ran on what one consumption flow had left on each link,
        // and a flow that served region 0 from the pool left region 1 nothing more.
        let avail = [100.0, 30.0];
        let cap = [100.0, 30.0, 30.0, 30.0];
        for pool in [true, false] {
            let (arr, _, _) = solved(&avail, &cap, &[40.0, 40.0], &[0.0, 40.0], pool);
            assert!(
                (arr[0] - 40.0).abs() < 1e-9 && (arr[1] - 60.0).abs() < 1e-9,
                "pool {pool}: {arr:?}"
            );
        }
    }

    #[test]
    fn free_producers_sell_the_same_share() {
        // Producer 0 is banned from region 1; producers 1 and 2 are free and split what they
        // sell in proportion to their availability (20 : 60).
        let avail = [50.0, 20.0, 60.0];
        let cap = [50.0, 0.0, 20.0, 20.0, 60.0, 60.0];
        let (arr, sold, _) = solved(&avail, &cap, &[40.0, 70.0], &[0.0, 0.0], true);
        assert!(
            (arr[0] - 40.0).abs() < 1e-9 && (arr[1] - 70.0).abs() < 1e-9,
            "{arr:?}"
        );
        assert!((sold[2] / sold[1] - 3.0).abs() < 1e-9, "{sold:?}");
        assert!((sold.iter().sum::<f64>() - 110.0).abs() < 1e-9);
    }

    #[test]
    fn one_market_when_no_cap_binds() {
        // Every cap non-binding: consumption at 100 / 125, no refill served; sold pro rata.
        let avail = [40.0, 60.0];
        let cap = [40.0, 40.0, 60.0, 90.0];
        let (arr, sold, _) = solved(&avail, &cap, &[50.0, 75.0], &[0.0, 10.0], true);
        assert!(
            (arr[0] - 40.0).abs() < 1e-12 && (arr[1] - 60.0).abs() < 1e-12,
            "{arr:?}"
        );
        assert!(
            (sold[0] - 40.0).abs() < 1e-12 && (sold[1] - 60.0).abs() < 1e-12,
            "{sold:?}"
        );
    }

    #[test]
    fn bound_exporter_ships_what_the_pool_cannot() {
        // Exporter 0 (100) may ship 30 to region 1 and anything to region 0; the free producer
        // (20) is the pool. Regions want 60 and 50: region 1 gets 30 + 20 = 50, region 0 60.
        // Stage 2: the pool can sell at most its 20 (level 1), the exporter sells 90 (0.9), 30 of
        // it to region 1 (all the pool cannot cover) and 60 to region 0.
        let avail = [100.0, 20.0];
        let cap = [100.0, 30.0, 20.0, 20.0];
        let (arr, sold, flow) = solved(&avail, &cap, &[60.0, 50.0], &[0.0, 0.0], true);
        assert!(
            (arr[0] - 60.0).abs() < 1e-9 && (arr[1] - 50.0).abs() < 1e-9,
            "{arr:?}"
        );
        assert!(
            (sold[0] - 90.0).abs() < 1e-9 && (sold[1] - 20.0).abs() < 1e-9,
            "{sold:?}"
        );
        assert!(
            (flow[1] - 30.0).abs() < 1e-9 && (flow[3] - 20.0).abs() < 1e-9,
            "{flow:?}"
        );
    }
}
