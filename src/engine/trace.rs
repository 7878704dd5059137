//! Per-period balances of a trial, for tests and debugging (`engine::trial_trace`). Recorded only
//! when a workspace carries a `Trace`; the hot path never does.

use super::Workspace;
use crate::model::Model;

/// One region-commodity cell in one period. Supply side: `arrivals + recycled + inventory_draw +
/// stockpile_release`; use side: `delivered + refilled + reserved`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellBalance {
    pub t: usize,
    pub region: usize,
    pub commodity: usize,
    pub demand: f64,
    pub arrivals: f64,
    pub recycled: f64,
    pub inventory_draw: f64,
    pub stockpile_release: f64,
    pub delivered: f64,
    pub refilled: f64,
    /// Bought by state reserves (held out of the market).
    pub reserved: f64,
    pub returned: f64,
    pub unmet: f64,
    /// Inventory at the start of the period.
    pub inventory: f64,
}

/// One commodity in one period: what producers made (= sold) and what regions received.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CommodityBalance {
    pub t: usize,
    pub commodity: usize,
    pub available: f64,
    pub produced: f64,
    pub shipped: f64,
    /// Largest excess of a flow over its access cap `alpha * A` (should be ~0).
    pub max_access_excess: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    pub cells: Vec<CellBalance>,
    pub commodities: Vec<CommodityBalance>,
    /// Sector output share per period, `t * n_sectors + s`.
    pub output: Vec<f64>,
    /// Price index per period and cell, `t * cells + rc`.
    pub price: Vec<f64>,
    pub metrics: Vec<f64>,
    pub series: Vec<f32>,
}

impl Trace {
    pub fn clear(&mut self) {
        self.cells.clear();
        self.commodities.clear();
        self.output.clear();
        self.price.clear();
    }
}

pub fn record(m: &Model, ws: &mut Workspace, t: usize) {
    let Some(mut tr) = ws.trace.take() else {
        return;
    };
    let nr = m.n_regions;
    for r in 0..nr {
        for c in 0..m.n_commodities {
            let x = m.rc(r, c);
            tr.cells.push(CellBalance {
                t,
                region: r,
                commodity: c,
                demand: ws.demand[x],
                arrivals: ws.arrivals[x],
                recycled: ws.recycled[x],
                inventory_draw: ws.inv_draw[x],
                stockpile_release: ws.stock_release[x],
                delivered: ws.delivered[x],
                refilled: ws.refilled[x],
                reserved: ws.reserved[x],
                returned: ws.returned[x],
                unmet: ws.unmet[x],
                inventory: ws.inv[x],
            });
        }
    }
    for c in 0..m.n_commodities {
        let prods = &m.producer_list[m.producers_of[c].clone()];
        let (mut a, mut produced, mut shipped, mut excess) = (0.0, 0.0, 0.0, 0.0f64);
        for &p in prods {
            a += ws.avail[p];
            produced += ws.sold[p];
            for r in 0..nr {
                let f = ws.flow[p * nr + r];
                shipped += f;
                excess = excess.max(f - ws.alpha[p * nr + r] * ws.avail[p]);
            }
        }
        tr.commodities.push(CommodityBalance {
            t,
            commodity: c,
            available: a,
            produced,
            shipped,
            max_access_excess: excess,
        });
    }
    tr.output.extend_from_slice(&ws.y);
    tr.price.extend_from_slice(&ws.price);
    ws.trace = Some(tr);
}
