//! Which sectors and commodities get charts: affected sectors (some loss in some trial), worst
//! first by mean value lost, capped so a large world does not produce hundreds of charts; and the
//! commodities that an export restriction names, with their exporters.

use crate::run::RunResults;
use crate::scenario::{CommodityIx, RegionIx, Scenario, SectorIx, ShockKind};

/// At most this many sectors get a loss distribution and a fan chart.
pub const MAX_SECTOR_CHARTS: usize = 8;
/// At most this many restricted commodities get price and flow charts.
pub const MAX_COMMODITY_CHARTS: usize = 6;
/// At most this many rows in the value-lost-by-sector overview.
pub const MAX_OVERVIEW_ROWS: usize = 20;
/// A sector counts as affected when its mean output loss exceeds this share in some trial; below
/// it (a millionth of output) a loss is rounding noise, not a shortage.
pub const LOSS_EPS: f64 = 1e-6;

/// A commodity named by at least one export restriction.
#[derive(Debug, Clone, PartialEq)]
pub struct Restricted {
    pub commodity: CommodityIx,
    /// Exporters restricting it, in shock order.
    pub exporters: Vec<RegionIx>,
    /// Regions targeted by any of those restrictions.
    pub targets: Vec<RegionIx>,
}

/// What the charts cover.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Sectors charted, worst first.
    pub sectors: Vec<SectorIx>,
    /// Number of affected sectors (mean loss above `LOSS_EPS` in at least one trial).
    pub affected: usize,
    /// Every affected sector, worst first.
    pub all_affected: Vec<SectorIx>,
    /// Restricted commodities charted, in order of first restriction.
    pub restricted: Vec<Restricted>,
    /// Number of restricted commodities before the cap.
    pub restricted_total: usize,
}

/// Name of a per-sector metric, e.g. `sector.US.ev.mean_loss`.
pub fn sector_metric(scenario: &Scenario, s: SectorIx, field: &str) -> String {
    let sec = &scenario.sectors[s];
    format!(
        "sector.{}.{}.{}",
        scenario.regions[sec.region].id, sec.id, field
    )
}

/// Per-trial values of a metric, if the run reported it.
pub fn metric(results: &RunResults, name: &str) -> Option<Vec<f64>> {
    results.metric_index(name).map(|m| results.metric_values(m))
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Affected sectors, worst first: by mean value lost, then mean loss, then scenario order.
pub fn affected_sectors(scenario: &Scenario, results: &RunResults) -> Vec<SectorIx> {
    let mut ranked: Vec<(SectorIx, f64, f64)> = (0..scenario.sectors.len())
        .filter_map(|s| {
            let loss = metric(results, &sector_metric(scenario, s, "mean_loss"))?;
            if !loss.iter().any(|&l| l > LOSS_EPS) {
                return None;
            }
            let value = metric(results, &sector_metric(scenario, s, "value_lost"))
                .map(|v| mean(&v))
                .unwrap_or(0.0);
            Some((s, value, mean(&loss)))
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then(b.2.total_cmp(&a.2))
            .then(a.0.cmp(&b.0))
    });
    ranked.into_iter().map(|r| r.0).collect()
}

/// Restricted commodities in order of first mention, with exporters and targets merged.
pub fn restricted(scenario: &Scenario) -> Vec<Restricted> {
    let mut out: Vec<Restricted> = Vec::new();
    for shock in &scenario.shocks {
        let ShockKind::ExportRestriction {
            exporter,
            commodities,
            targets,
            ..
        } = &shock.kind
        else {
            continue;
        };
        for &c in commodities {
            let pos = match out.iter().position(|r| r.commodity == c) {
                Some(p) => p,
                None => {
                    out.push(Restricted {
                        commodity: c,
                        exporters: Vec::new(),
                        targets: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            let r = &mut out[pos];
            if !r.exporters.contains(exporter) {
                r.exporters.push(*exporter);
            }
            for t in targets {
                if !r.targets.contains(t) {
                    r.targets.push(*t);
                }
            }
        }
    }
    out
}

/// The charted sectors and commodities.
pub fn select(scenario: &Scenario, results: &RunResults) -> Selection {
    let sectors = affected_sectors(scenario, results);
    let affected = sectors.len();
    let mut restricted = restricted(scenario);
    let restricted_total = restricted.len();
    restricted.truncate(MAX_COMMODITY_CHARTS);
    Selection {
        sectors: sectors.iter().copied().take(MAX_SECTOR_CHARTS).collect(),
        affected,
        all_affected: sectors,
        restricted,
        restricted_total,
    }
}
