//! Names of the per-trial result columns, and where each block starts. Built once per run; the
//! trial loop writes by offset.
//!
//! Metrics, in order: per sector `sector.<region>.<sector>.{mean_loss, peak_loss,
//! periods_disrupted, first_disrupted, value_lost}`; `region.<region>.value_lost`;
//! `world.value_lost`; `unmet.<region>.<commodity>`; `price.<region>.<commodity>.peak`;
//! `stockpile.<region>.<commodity>.empty_at`; then (v2) `sector.<region>.<sector>.total_value_lost`,
//! `region.<region>.total_value_lost`, `world.total_value_lost` (direct plus indirect losses) and
//! `price.<region>.<commodity>.at_cap` (share of periods the price target hit its cap), and
//! `reserve.<shock>.bought` (units a state reserve bought in the run). Series: `output.<region>.<sector>`,
//! `price.<region>.<commodity>`, `flow.<exporter>.<importer>.<commodity>`, then the same flows in
//! the baseline pass (no shocks, no policies), `baseline_flow.<exporter>.<importer>.<commodity>`.

use super::Model;
use crate::scenario::Scenario;

/// Scalar metrics per sector, in this order.
pub const SECTOR_METRICS: [&str; 5] = [
    "mean_loss",
    "peak_loss",
    "periods_disrupted",
    "first_disrupted",
    "value_lost",
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutputNames {
    pub metrics: Vec<String>,
    pub series: Vec<String>,
    pub params: Vec<String>,
    /// Offsets of metric blocks.
    pub m_region: usize,
    pub m_world: usize,
    pub m_unmet: usize,
    pub m_price: usize,
    pub m_stockpile: usize,
    pub m_total: usize,
    pub m_at_cap: usize,
    pub m_reserve: usize,
    /// Offsets of series blocks.
    pub s_price: usize,
    pub s_flow: usize,
    pub s_flow_base: usize,
}

impl OutputNames {
    pub fn build(sc: &Scenario, m: &Model) -> OutputNames {
        let nc = m.n_commodities;
        let cell = |x: usize| format!("{}.{}", sc.regions[x / nc].id, sc.commodities[x % nc].id);
        let mut metrics = Vec::new();
        for s in &sc.sectors {
            for k in SECTOR_METRICS {
                metrics.push(format!("sector.{}.{}.{k}", sc.regions[s.region].id, s.id));
            }
        }
        let m_region = metrics.len();
        for r in &sc.regions {
            metrics.push(format!("region.{}.value_lost", r.id));
        }
        let m_world = metrics.len();
        metrics.push("world.value_lost".to_string());
        let m_unmet = metrics.len();
        for &x in &m.demand_cells {
            metrics.push(format!("unmet.{}", cell(x)));
        }
        let m_price = metrics.len();
        for &x in &m.price_cells {
            metrics.push(format!("price.{}.peak", cell(x)));
        }
        let m_stockpile = metrics.len();
        for &x in &m.stockpile_groups {
            metrics.push(format!("stockpile.{}.empty_at", cell(x)));
        }
        let m_total = metrics.len();
        for s in &sc.sectors {
            metrics.push(format!(
                "sector.{}.{}.total_value_lost",
                sc.regions[s.region].id, s.id
            ));
        }
        for r in &sc.regions {
            metrics.push(format!("region.{}.total_value_lost", r.id));
        }
        metrics.push("world.total_value_lost".to_string());
        let m_at_cap = metrics.len();
        for &x in &m.price_cells {
            metrics.push(format!("price.{}.at_cap", cell(x)));
        }
        let m_reserve = metrics.len();
        for &k in &m.reserves {
            metrics.push(format!("reserve.{}.bought", sc.shocks[k].id));
        }

        let mut series = Vec::new();
        for s in &sc.sectors {
            series.push(format!("output.{}.{}", sc.regions[s.region].id, s.id));
        }
        let s_price = series.len();
        for &x in &m.price_cells {
            series.push(format!("price.{}", cell(x)));
        }
        let s_flow = series.len();
        for f in &m.flows {
            let p = &m.producers[f.producer];
            series.push(format!(
                "flow.{}.{}.{}",
                sc.regions[p.region].id, sc.regions[f.importer].id, sc.commodities[p.commodity].id
            ));
        }

        let s_flow_base = series.len();
        for k in s_flow..s_flow_base {
            let rest = series[k]["flow.".len()..].to_string();
            series.push(format!("baseline_flow.{rest}"));
        }

        let params = m
            .params
            .reported
            .iter()
            .map(|&i| m.params.specs[i as usize].path.clone())
            .collect();

        OutputNames {
            metrics,
            series,
            params,
            m_region,
            m_world,
            m_unmet,
            m_price,
            m_stockpile,
            m_total,
            m_at_cap,
            m_reserve,
            s_price,
            s_flow,
            s_flow_base,
        }
    }
}
