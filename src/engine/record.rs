//! A trial's result row: per-period series and loss accumulators, then the scalar metrics and the
//! drawn parameters (layout in `model::names`).

use super::Workspace;
use crate::model::{DISRUPTED_BELOW, Model};

pub fn period(m: &Model, ws: &mut Workspace, t: usize, series: &mut [f32]) {
    let h = m.horizon;
    let ppy = m.periods_per_year;
    for (s, sec) in m.sectors.iter().enumerate() {
        let y = ws.y[s];
        let loss = 1.0 - y;
        ws.loss_sum[s] += loss;
        ws.loss_peak[s] = ws.loss_peak[s].max(loss);
        if y < DISRUPTED_BELOW {
            ws.disrupted[s] += 1;
            ws.first_disrupted[s] = ws.first_disrupted[s].min(t);
        }
        ws.value_lost[s] += ws.vals[sec.value_added as usize] / ppy * loss;
        series[s * h + t] = y as f32;
    }
    let base = m.names.s_price;
    for (i, &x) in m.price_cells.iter().enumerate() {
        series[(base + i) * h + t] = ws.price[x] as f32;
    }
    let base = m.names.s_flow;
    let nr = m.n_regions;
    for (i, f) in m.flows.iter().enumerate() {
        series[(base + i) * h + t] = ws.flow[f.producer * nr + f.importer] as f32;
    }
}

/// The baseline pass's shipments along each reported flow (`baseline_flow.*`): what would have
/// been shipped without shocks or policies, the level the flow charts mark.
pub fn baseline_flows(m: &Model, ws: &Workspace, t: usize, series: &mut [f32]) {
    let (h, nr, base) = (m.horizon, m.n_regions, m.names.s_flow_base);
    for (i, f) in m.flows.iter().enumerate() {
        series[(base + i) * h + t] = ws.flow[f.producer * nr + f.importer] as f32;
    }
}

pub fn finish(m: &Model, ws: &Workspace, metrics: &mut [f64], params: &mut [f64]) {
    let h = m.horizon as f64;
    let n = &m.names;
    for s in 0..m.sectors.len() {
        let o = 5 * s;
        metrics[o] = if h > 0.0 { ws.loss_sum[s] / h } else { 0.0 };
        metrics[o + 1] = ws.loss_peak[s];
        metrics[o + 2] = f64::from(ws.disrupted[s]);
        metrics[o + 3] = ws.first_disrupted[s] as f64;
        metrics[o + 4] = ws.value_lost[s];
    }
    let mut world = 0.0;
    for r in 0..m.n_regions {
        let mut v = 0.0;
        for (s, sec) in m.sectors.iter().enumerate() {
            if sec.region == r {
                v += ws.value_lost[s];
            }
        }
        metrics[n.m_region + r] = v;
        world += v;
    }
    metrics[n.m_world] = world;
    for (i, &x) in m.demand_cells.iter().enumerate() {
        metrics[n.m_unmet + i] = if ws.need_sum[x] > 0.0 {
            ws.unmet_sum[x] / ws.need_sum[x]
        } else {
            0.0
        };
    }
    for (i, &x) in m.price_cells.iter().enumerate() {
        metrics[n.m_price + i] = ws.price_peak[x];
    }
    for g in 0..m.stockpile_groups.len() {
        metrics[n.m_stockpile + g] = ws.empty_at[g] as f64;
    }
    // Direct plus indirect (downstream) losses; the multiplier never changes quantities.
    let ns = m.sectors.len();
    let mut world = 0.0;
    for r in 0..m.n_regions {
        metrics[n.m_total + ns + r] = 0.0;
    }
    for (s, sec) in m.sectors.iter().enumerate() {
        let k = sec.indirect.map_or(0.0, |x| ws.vals[x as usize].max(0.0));
        let total = ws.value_lost[s] * (1.0 + k);
        metrics[n.m_total + s] = total;
        metrics[n.m_total + ns + sec.region] += total;
        world += total;
    }
    metrics[n.m_total + ns + m.n_regions] = world;
    for (i, &x) in m.price_cells.iter().enumerate() {
        metrics[n.m_at_cap + i] = if h > 0.0 {
            f64::from(ws.at_cap[x]) / h
        } else {
            0.0
        };
    }
    for (i, &k) in m.reserves.iter().enumerate() {
        metrics[n.m_reserve + i] = ws.reserve_bought[k];
    }
    for (k, &p) in m.params.reported.iter().enumerate() {
        params[k] = ws.vals[p as usize];
    }
}
