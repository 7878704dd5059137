//! One trial: the period loop of MODEL.md section 4, run twice (a baseline pass without shocks or
//! policies, then the scenario). Pure: no IO, no clock, no allocation per trial (every buffer
//! lives in a reusable `Workspace`).
//!
//! Each rule of the model is one file: `shocks` (1), `capacity` and `entry` (2), `demand` (3),
//! `production` (4), `allocation` (5), `distribution` and `inventory` (6), `output` (7),
//! `adaptation` (8), `prices` (9); `record` turns a trial into its result row (with indirect
//! losses, 11). See `docs/model.md`.

pub mod adaptation;
pub mod allocation;
pub mod capacity;
pub mod demand;
pub mod distribution;
pub mod entry;
pub mod inventory;
pub mod maxflow;
pub mod network;
pub mod output;
pub mod prices;
pub mod production;
pub mod record;
pub mod shocks;
pub mod trace;

pub use trace::{CellBalance, CommodityBalance, Trace};

use crate::model::{LinkBasis, MShockKind, Model};
use network::Network;

/// The engine's version, recorded in shard files so `merge` never mixes results of different
/// engines: bump when results change for the same inputs.
pub const ENGINE_VERSION: u32 = 9;

/// Per-thread mutable state of a trial, sized once from the model and reused for every trial.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Drawn parameter values, by `Px`.
    pub vals: Vec<f64>,

    // Per producer.
    pub cap0: Vec<f64>,
    pub outage: Vec<f64>,
    pub capacity: Vec<f64>,
    pub util: Vec<f64>,
    pub planned: Vec<f64>,
    pub avail: Vec<f64>,
    /// Output the producer can make this period (planned, limited by inputs); `avail` adds its
    /// finished-goods stock `fg` to it.
    pub made: Vec<f64>,
    pub fg: Vec<f64>,
    pub fg_target: Vec<f64>,
    pub sold: Vec<f64>,
    /// Access share `alpha[p * n_regions + r]`.
    pub alpha: Vec<f64>,
    /// Shipments `x[p * n_regions + r]` this period.
    pub flow: Vec<f64>,

    // Per commodity.
    pub restricted: Vec<bool>,
    /// `link_basis[p * n_regions + r]`: what the access share caps on that link.
    pub link_basis: Vec<LinkBasis>,

    // Per region x commodity cell.
    pub dref: Vec<f64>,
    pub sect_need: Vec<f64>,
    pub prod_need: Vec<f64>,
    pub recycle_share: Vec<f64>,
    pub recycled: Vec<f64>,
    pub refill_req: Vec<f64>,
    pub demand: Vec<f64>,
    pub arrivals: Vec<f64>,
    pub fill: Vec<f64>,
    pub inv: Vec<f64>,
    pub inv_target: Vec<f64>,
    /// The stock a cell's buyers hold at the start of a trial (0 where no inventory is
    /// declared): with the target, the level above which they use stock before ordering.
    pub inv_open: Vec<f64>,
    /// This period's stock above that level that the buyers use before ordering
    /// (`demand::compute`): part of the cell's supply in `distribution`, drawn from the stock.
    pub surplus: Vec<f64>,
    pub refill_cap: Vec<f64>,
    pub inv_draw: Vec<f64>,
    pub stock_release: Vec<f64>,
    pub refilled: Vec<f64>,
    pub returned: Vec<f64>,
    pub delivered: Vec<f64>,
    pub unmet: Vec<f64>,
    pub unmet_prev: Vec<bool>,
    /// Per commodity: `unmet_prev` holds for some region (capacity's scratch).
    pub unmet_any: Vec<bool>,
    pub unmet_sum: Vec<f64>,
    pub need_sum: Vec<f64>,
    pub price: Vec<f64>,
    pub price_peak: Vec<f64>,
    /// Periods in which the price target hit `max_price_multiple` (or its inverse).
    pub at_cap: Vec<u32>,
    /// Precautionary extra stock target and its order rate cap (announced restrictions).
    pub prec_target: Vec<f64>,
    pub prec_cap: Vec<f64>,
    /// Stock buyers held when their precaution began (NaN before): the cover is added to it.
    pub prec_base: Vec<f64>,
    /// State reserves: this period's orders per cell, and per shock its order and what it has
    /// bought so far in the trial (zero for other shocks).
    pub reserve_need: Vec<f64>,
    pub reserve_req: Vec<f64>,
    pub reserve_bought: Vec<f64>,
    /// What state reserves received in each cell this period.
    pub reserved: Vec<f64>,
    /// Baseline availability `z` and producers' sold share, by `t * cells + x`, from the
    /// no-shock, no-policy pass of the same trial (the reference of the v2 price index).
    pub base_z: Vec<f64>,
    pub base_sold: Vec<f64>,
    /// Baseline pro-rata flow towards consumption, by `(t * producers + p) * regions + r`: the
    /// reference of flow-basis caps, so a quota is a share of what would have been shipped.
    pub base_x0: Vec<f64>,
    /// Per producer: some flow-basis restriction hits it, so its `base_x0` is ever read.
    pub needs_x0: Vec<bool>,
    /// This period's availability and sold share (NaN where undefined).
    pub z: Vec<f64>,
    pub sold_share: Vec<f64>,

    // Per commodity: price-driven entry.
    /// Capacity (per-period units) committed in period `t`, by `c * horizon + t`.
    pub entry_commit: Vec<f64>,
    pub entry_total: Vec<f64>,
    pub entry_online: Vec<f64>,
    /// Baseline world market per period (reference demand summed over regions).
    pub market: Vec<f64>,
    /// Per producer: share of its commodity's entry capacity it receives.
    pub entry_share: Vec<f64>,
    /// The baseline pass is running: no shocks, no policies, prices at 1.
    pub baseline: bool,
    /// Some cell may hold stock above its buyers' level (`demand::surplus`): set once a sector
    /// returns unused inputs or a precautionary target is raised, for the rest of the trial.
    /// Until then no stock can exceed that level, and demand skips the search.
    pub surplus_on: bool,

    // Per buyer slot (`Model::buyers`).
    pub req: Vec<f64>,
    pub got: Vec<f64>,

    // Per sector input.
    pub base_demand: Vec<f64>,
    pub gross: Vec<f64>,
    pub net: Vec<f64>,
    pub got_sector: Vec<f64>,
    pub sub: Vec<f64>,
    pub short_run: Vec<u32>,
    pub sub_max: Vec<f64>,
    pub sub_lag: Vec<f64>,
    pub sub_rate: Vec<f64>,
    /// Demand multiplier from the price response this period.
    pub price_mult: Vec<f64>,
    /// The cell (sector's region x input commodity) of each sector input.
    pub si_cell: Vec<usize>,

    // Per recipe line.
    pub need_prod: Vec<f64>,
    pub got_prod: Vec<f64>,
    /// Inputs a producer received and did not use, kept for the next period; `held_start` is
    /// what it holds when a pass begins (the no-shock steady state, `settle_held_inputs`).
    pub held_in: Vec<f64>,
    pub held_start: Vec<f64>,

    // Per sector.
    pub surge: Vec<f64>,
    pub y: Vec<f64>,
    pub loss_sum: Vec<f64>,
    pub loss_peak: Vec<f64>,
    pub disrupted: Vec<u32>,
    pub first_disrupted: Vec<usize>,
    pub value_lost: Vec<f64>,

    // Per stockpile and stockpile group.
    pub stock: Vec<f64>,
    pub group_initial: Vec<f64>,
    pub empty_at: Vec<usize>,
    /// Per cell: some stockpile sits there.
    pub has_stockpile: Vec<bool>,
    /// Per cell: index of its inventory's groups of firms (`usize::MAX`: one pooled stock).
    pub tranche_of: Vec<usize>,
    /// Per group of firms (`k * TRANCHES + j`): stock, share of the cell's stock and target, and
    /// this period's draw.
    pub tr_stock: Vec<f64>,
    pub tr_w: Vec<f64>,
    pub tr_draw: Vec<f64>,
    /// Per group of firms: its opening stock.
    pub tr_open: Vec<f64>,

    /// The allocation network of a restricted commodity (its solver and scratch).
    pub alloc_net: Network,
    /// Scratch of the allocation: one commodity's column over regions, and per-region sums
    /// (available, then sold).
    pub col: Vec<f64>,
    pub reg_sums: Vec<f64>,
    /// The distribution step's cells and tiers (built once from the model).
    pub dist_plan: distribution::Plan,
    /// The price index's memos of `ln` and `exp`, keyed by argument bits (`prices::Memo`).
    pub price_memo: prices::Memo,
    /// Filled only by `trial_trace` (outside the hot path).
    pub trace: Option<Trace>,
    /// The baseline pass stops computing once its state repeats bit for bit (`baseline_repeats`)
    /// and copies its last period to the rest of the horizon. On by default; tests turn it off
    /// to check that the results are identical.
    pub baseline_skip: bool,
    /// Baseline periods the last trial copied rather than computed.
    pub baseline_skipped: usize,
    /// The baseline's carried state after the previous period, as bits (`baseline_repeats`).
    pub base_snap: Vec<u64>,
}

impl Workspace {
    pub fn new(m: &Model) -> Workspace {
        let np = m.producers.len();
        let nr = m.n_regions;
        let cells = nr * m.n_commodities;
        let nsi = m.sector_inputs.len();
        let ns = m.sectors.len();
        let mut tranche_of = vec![usize::MAX; cells];
        let mut n_tr = 0;
        for inv in m.inventories.iter().filter(|i| i.dispersion.is_some()) {
            tranche_of[inv.rc] = n_tr;
            n_tr += 1;
        }
        let n_tr = n_tr * inventory::TRANCHES;
        Workspace {
            vals: vec![0.0; m.params.specs.len()],
            cap0: vec![0.0; np],
            outage: vec![1.0; np],
            capacity: vec![0.0; np],
            util: vec![0.0; np],
            planned: vec![0.0; np],
            avail: vec![0.0; np],
            made: vec![0.0; np],
            fg: vec![0.0; np],
            fg_target: vec![0.0; np],
            sold: vec![0.0; np],
            alpha: vec![1.0; np * nr],
            flow: vec![0.0; np * nr],
            restricted: vec![false; m.n_commodities],
            link_basis: vec![LinkBasis::Output; np * nr],
            dref: vec![0.0; cells],
            sect_need: vec![0.0; cells],
            prod_need: vec![0.0; cells],
            recycle_share: vec![0.0; cells],
            recycled: vec![0.0; cells],
            refill_req: vec![0.0; cells],
            demand: vec![0.0; cells],
            arrivals: vec![0.0; cells],
            fill: vec![1.0; cells],
            inv: vec![0.0; cells],
            inv_target: vec![0.0; cells],
            inv_open: vec![0.0; cells],
            surplus: vec![0.0; cells],
            refill_cap: vec![0.0; cells],
            inv_draw: vec![0.0; cells],
            stock_release: vec![0.0; cells],
            refilled: vec![0.0; cells],
            returned: vec![0.0; cells],
            delivered: vec![0.0; cells],
            unmet: vec![0.0; cells],
            unmet_prev: vec![false; cells],
            unmet_any: vec![false; m.n_commodities],
            unmet_sum: vec![0.0; cells],
            need_sum: vec![0.0; cells],
            price: vec![1.0; cells],
            price_peak: vec![1.0; cells],
            at_cap: vec![0; cells],
            prec_target: vec![0.0; cells],
            prec_cap: vec![0.0; cells],
            prec_base: vec![f64::NAN; cells],
            reserve_need: vec![0.0; cells],
            reserve_req: vec![0.0; m.shocks.len()],
            reserve_bought: vec![0.0; m.shocks.len()],
            reserved: vec![0.0; cells],
            base_z: vec![f64::NAN; cells * m.horizon],
            base_sold: vec![f64::NAN; cells * m.horizon],
            base_x0: vec![0.0; m.horizon * np * nr],
            needs_x0: (0..np)
                .map(|p| {
                    m.shocks.iter().any(|sh| match &sh.kind {
                        MShockKind::Restriction {
                            producers, basis, ..
                        } => *basis == LinkBasis::Flow && producers.contains(&p),
                        _ => false,
                    })
                })
                .collect(),
            z: vec![f64::NAN; cells],
            sold_share: vec![f64::NAN; cells],
            entry_commit: vec![0.0; m.n_commodities * m.horizon],
            entry_total: vec![0.0; m.n_commodities],
            entry_online: vec![0.0; m.n_commodities],
            market: vec![0.0; m.n_commodities],
            entry_share: vec![0.0; np],
            baseline: false,
            surplus_on: false,
            req: vec![0.0; m.buyers.len()],
            got: vec![0.0; m.buyers.len()],
            base_demand: vec![0.0; nsi],
            gross: vec![0.0; nsi],
            net: vec![0.0; nsi],
            got_sector: vec![0.0; nsi],
            sub: vec![0.0; nsi],
            short_run: vec![0; nsi],
            sub_max: vec![0.0; nsi],
            sub_lag: vec![0.0; nsi],
            sub_rate: vec![0.0; nsi],
            price_mult: vec![1.0; nsi],
            si_cell: m
                .sector_inputs
                .iter()
                .map(|si| m.rc(m.sectors[si.sector].region, si.commodity))
                .collect(),
            need_prod: vec![0.0; m.recipe.len()],
            got_prod: vec![0.0; m.recipe.len()],
            held_in: vec![0.0; m.recipe.len()],
            held_start: vec![0.0; m.recipe.len()],
            surge: vec![1.0; ns],
            y: vec![1.0; ns],
            loss_sum: vec![0.0; ns],
            loss_peak: vec![0.0; ns],
            disrupted: vec![0; ns],
            first_disrupted: vec![0; ns],
            value_lost: vec![0.0; ns],
            stock: vec![0.0; m.stockpiles.len()],
            group_initial: vec![0.0; m.stockpile_groups.len()],
            empty_at: vec![0; m.stockpile_groups.len()],
            has_stockpile: (0..cells)
                .map(|x| m.stockpiles.iter().any(|sp| sp.rc == x))
                .collect(),
            tranche_of,
            tr_stock: vec![0.0; n_tr],
            tr_w: vec![0.0; n_tr],
            tr_draw: vec![0.0; n_tr],
            tr_open: vec![0.0; n_tr],
            alloc_net: Network::new(m.max_producers_per_commodity, nr),
            col: vec![0.0; nr],
            reg_sums: vec![0.0; 2 * nr],
            dist_plan: distribution::Plan::new(m),
            price_memo: prices::Memo::new(m),
            trace: None,
            baseline_skip: true,
            baseline_skipped: 0,
            base_snap: vec![
                0;
                2 * np
                    + 2 * m.recipe.len()
                    + 2 * cells
                    + 2 * n_tr
                    + 2 * nsi
                    + m.stockpiles.len()
                    + m.stockpile_groups.len()
            ],
        }
    }
}

/// Where one trial's results go: slices of the run's preallocated arrays.
pub struct TrialOut<'a> {
    /// `Model::n_metrics()` values.
    pub metrics: &'a mut [f64],
    /// `Model::n_params()` values.
    pub params: &'a mut [f64],
    /// `Model::n_series() x horizon` values.
    pub series: &'a mut [f32],
}

/// Runs global trial `trial` of seed `seed` and writes its row into `out`. Allocates nothing.
pub fn run_trial(m: &Model, ws: &mut Workspace, seed: u64, trial: u64, out: TrialOut<'_>) {
    m.params.draw(seed, trial, &mut ws.vals);
    // The baseline pass: the same trial without shocks or policies, whose availability, sold
    // shares and pro-rata flows are the references of the price index and of flow-basis caps.
    ws.baseline = true;
    settle_held_inputs(m, ws);
    ws.baseline_skipped = 0;
    for t in 0..m.horizon {
        // Period 0 is the settling's last run.
        if t > 0 {
            period(m, ws, t);
        }
        record::baseline_flows(m, ws, t, out.series);
        adaptation::update(ws);
        inventory::close_period(m, ws, t);
        // From period 1 on a baseline period is the same function of the carried state (period
        // 0 alone leaves utilisation as drawn): once that state repeats, so does every period.
        // The comparison runs after period 0 too, to take the first snapshot.
        if ws.baseline_skip && baseline_repeats(ws) && t > 0 {
            repeat_baseline(m, ws, t, out.series);
            break;
        }
    }
    ws.baseline = false;
    start_trial(m, ws);
    for t in 0..m.horizon {
        period(m, ws, t);
        entry::update(m, ws, t);
        adaptation::update(ws);
        record::period(m, ws, t, out.series);
        if ws.trace.is_some() {
            trace::record(m, ws, t);
        }
        inventory::close_period(m, ws, t);
    }
    record::finish(m, ws, out.metrics, out.params);
    debug_assert!(
        out.metrics.iter().all(|v| v.is_finite()),
        "trial {trial}: {}",
        {
            let i = out.metrics.iter().position(|v| !v.is_finite()).unwrap_or(0);
            let name = m.names.metrics.get(i).map_or("?", |s| s.as_str());
            format!("metric {i} ({name}) is {}, not finite", out.metrics[i])
        }
    );
}

/// Producers' held inputs at the no-shock steady state, so that a trial starts there: a
/// producer whose buyers take less than its planned output keeps the inputs of the idle part,
/// and from then on orders only what it uses. Period 0 of the baseline is repeated, each time
/// from the held inputs the last repeat left, until they repeat bit for bit; each repeat settles
/// one more stage of the supply chain (downstream first), so it takes at most one more repeat
/// than there are commodities. Leaves the workspace as the baseline pass's period 0 leaves it:
/// the last repeat started from `held_start` and is that period.
fn settle_held_inputs(m: &Model, ws: &mut Workspace) {
    ws.held_start.fill(0.0);
    for _ in 0..=m.n_commodities {
        start_trial(m, ws);
        period(m, ws, 0);
        if ws.held_in == ws.held_start {
            return;
        }
        ws.held_start.copy_from_slice(&ws.held_in);
    }
    // Not settled within the bound: the pass starts from the last held inputs.
    start_trial(m, ws);
    period(m, ws, 0);
}

/// Compares the baseline's carried state with the snapshot of the previous period, bit for bit,
/// and stores it as the new snapshot. Returns whether it repeated.
///
/// The carried state is everything a baseline period reads that an earlier period wrote: per
/// producer `util` (capacity's ramp) and `fg` (finished goods); per recipe line `held_in` and
/// `got_prod` (written before it is read when the inputs' commodities come first in
/// `topo_order`; compared in case they do not); per cell `inv` and `unmet_prev`; per group of
/// firms `tr_stock` and `tr_draw` (zeroed at each close); per sector input `sub` and
/// `short_run` (adaptation); per stockpile `stock` (none in the baseline) and per stockpile
/// group `empty_at`. Not compared: what the baseline pass never writes (`price`, `alpha`,
/// `link_basis`, `prec_*`, `reserve_*`, `entry_*`, `outage`, `surge` are reset or constant in
/// it); scratch that every period writes before reading it (`capacity`, `planned`, `made`,
/// `avail`, `sold`, `flow`, `arrivals`, `fill`, `demand` and the other per-cell needs, `req`,
/// `got`, `got_sector`, `refilled`, `delivered`, `unmet`, `returned`, `inv_draw`, `z`,
/// `sold_share`, `y`, ...), which is then a function of the carried state too; the
/// flag `surplus_on`, which only decides whether demand looks for a surplus (with it off
/// there is none to find), never a value; the
/// accumulators `need_sum`, `unmet_sum` and `reserve_bought`, which the baseline never reads
/// and `start_trial` resets before the scenario pass; and the per-period outputs, which
/// `repeat_baseline` copies.
fn baseline_repeats(ws: &mut Workspace) -> bool {
    fn swap(snap: &mut [u64], at: &mut usize, bits: impl ExactSizeIterator<Item = u64>) -> bool {
        let s = &mut snap[*at..*at + bits.len()];
        *at += s.len();
        let mut same = true;
        for (old, new) in s.iter_mut().zip(bits) {
            same &= *old == new;
            *old = new;
        }
        same
    }
    fn bits(v: &[f64]) -> impl ExactSizeIterator<Item = u64> + '_ {
        v.iter().map(|x| x.to_bits())
    }
    let snap = &mut ws.base_snap[..];
    let at = &mut 0;
    let mut same = swap(snap, at, bits(&ws.util));
    same &= swap(snap, at, bits(&ws.fg));
    same &= swap(snap, at, bits(&ws.held_in));
    same &= swap(snap, at, bits(&ws.got_prod));
    same &= swap(snap, at, bits(&ws.inv));
    same &= swap(snap, at, ws.unmet_prev.iter().map(|&u| u64::from(u)));
    same &= swap(snap, at, bits(&ws.tr_stock));
    same &= swap(snap, at, bits(&ws.tr_draw));
    same &= swap(snap, at, bits(&ws.sub));
    same &= swap(snap, at, ws.short_run.iter().map(|&n| u64::from(n)));
    same &= swap(snap, at, bits(&ws.stock));
    same &= swap(snap, at, ws.empty_at.iter().map(|&e| e as u64));
    debug_assert_eq!(*at, snap.len(), "every slot of the snapshot is compared");
    same
}

/// The baseline state after period `t` repeated that after `t - 1`: every later period would
/// compute exactly what period `t` did, so its per-period outputs are copied to them.
fn repeat_baseline(m: &Model, ws: &mut Workspace, t: usize, series: &mut [f32]) {
    let cells = ws.price.len();
    let slab = m.producers.len() * m.n_regions;
    for u in t + 1..m.horizon {
        ws.base_z.copy_within(t * cells..(t + 1) * cells, u * cells);
        ws.base_sold
            .copy_within(t * cells..(t + 1) * cells, u * cells);
        ws.base_x0.copy_within(t * slab..(t + 1) * slab, u * slab);
        // `flow` still holds period `t`'s shipments.
        record::baseline_flows(m, ws, u, series);
    }
    ws.baseline_skipped = m.horizon - 1 - t;
}

/// One period: shocks (1), capacity (2), demand (3), then per commodity in topological order
/// production (4), trade (5), distribution (6) and the price index (9), then sector output (7).
/// Entry commitments (2) and adaptation (8) follow in `run_trial`, for the next period.
fn period(m: &Model, ws: &mut Workspace, t: usize) {
    shocks::apply(m, ws, t);
    capacity::update(m, ws, t);
    demand::compute(m, ws, t);
    for &c in &m.topo_order {
        production::available(m, ws, c);
        allocation::allocate(m, ws, c, t);
        distribution::distribute(m, ws, c);
        production::consume_inputs(m, ws, c);
        prices::index(m, ws, c, t);
    }
    output::sector_output(m, ws);
}

/// Per-trial derived values and the state at the start of period 0.
fn start_trial(m: &Model, ws: &mut Workspace) {
    let ppy = m.periods_per_year;
    let v = &ws.vals;
    for (p, pr) in m.producers.iter().enumerate() {
        ws.cap0[p] = v[pr.capacity as usize] / ppy;
        ws.util[p] = v[pr.utilization as usize];
        ws.fg_target[p] = v[pr.stock as usize].max(0.0) * ws.util[p] * ws.cap0[p];
        ws.fg[p] = ws.fg_target[p];
    }
    ws.dref.fill(0.0);
    for (i, si) in m.sector_inputs.iter().enumerate() {
        let d = v[si.demand as usize] / ppy;
        ws.base_demand[i] = d;
        let r = m.sectors[si.sector].region;
        ws.dref[m.rc(r, si.commodity)] += d;
        ws.sub[i] = 0.0;
        ws.short_run[i] = 0;
        ws.sub_max[i] = 0.0;
        ws.sub_lag[i] = f64::INFINITY;
        ws.sub_rate[i] = 0.0;
    }
    for it in &m.recipe {
        let p = it.producer;
        let pr = &m.producers[p];
        let base_out = v[pr.utilization as usize] * ws.cap0[p];
        ws.dref[m.rc(pr.region, it.commodity)] += v[it.coef as usize] * base_out;
    }
    // Several options for one input: the best of each field applies.
    for &(i, o) in &m.substitutions {
        if ws.baseline && o.policy {
            continue;
        }
        ws.sub_max[i] = ws.sub_max[i].max(v[o.max as usize]).min(1.0);
        ws.sub_lag[i] = ws.sub_lag[i].min(v[o.lag as usize].max(0.0));
        ws.sub_rate[i] = ws.sub_rate[i].max(v[o.rate as usize]);
    }
    inventory::start(m, ws);
    ws.held_in.copy_from_slice(&ws.held_start);
    ws.surplus_on = false;
    ws.surplus.fill(0.0);
    ws.unmet_prev.fill(false);
    ws.unmet_sum.fill(0.0);
    ws.need_sum.fill(0.0);
    ws.price_peak.fill(0.0);
    ws.price.fill(1.0);
    ws.prec_base.fill(f64::NAN);
    ws.reserve_bought.fill(0.0);
    ws.at_cap.fill(0);
    ws.price_mult.fill(1.0);
    entry::start(m, ws);
    ws.loss_sum.fill(0.0);
    ws.loss_peak.fill(0.0);
    ws.disrupted.fill(0);
    ws.first_disrupted.fill(m.horizon);
    ws.value_lost.fill(0.0);
    if let Some(tr) = ws.trace.as_mut() {
        tr.clear();
    }
}

/// Runs one trial and returns its per-period balances (for tests and debugging; allocates).
pub fn trial_trace(m: &Model, seed: u64, trial: u64) -> Trace {
    let mut ws = Workspace::new(m);
    ws.trace = Some(Trace::default());
    let mut metrics = vec![0.0; m.n_metrics()];
    let mut params = vec![0.0; m.n_params()];
    let mut series = vec![0.0f32; m.n_series() * m.horizon];
    run_trial(
        m,
        &mut ws,
        seed,
        trial,
        TrialOut {
            metrics: &mut metrics,
            params: &mut params,
            series: &mut series,
        },
    );
    let mut tr = ws.trace.take().unwrap_or_default();
    tr.metrics = metrics;
    tr.series = series;
    tr
}
