//! Step 7: sector output. Leontief in essential inputs,
//! `y = min_c min(1, (delivered_c + substituted_c) / demand_c)` with `demand_c` the gross demand
//! (after surge, before substitution); each non-essential input then lowers output by its weight
//! times its shortfall (floored at zero). Inputs the sector could not use at that output go back
//! to the region's inventory.

use super::Workspace;
use crate::model::Model;

/// Share of gross demand `g` met by `delivered` plus a substituted share `sub`.
pub fn input_ratio(delivered: f64, g: f64, sub: f64) -> f64 {
    if g <= 0.0 {
        1.0
    } else {
        ((delivered + sub * g) / g).min(1.0)
    }
}

pub fn sector_output(m: &Model, ws: &mut Workspace) {
    for (s, sec) in m.sectors.iter().enumerate() {
        let mut y = 1.0f64;
        let mut penalty = 0.0;
        for i in sec.inputs.clone() {
            let r = input_ratio(ws.got_sector[i], ws.gross[i], ws.sub[i]);
            if m.sector_inputs[i].essential {
                y = y.min(r);
            } else {
                penalty += ws.vals[m.sector_inputs[i].weight as usize].max(0.0) * (1.0 - r);
            }
        }
        let y = (y - penalty).max(0.0);
        ws.y[s] = y;
        for i in sec.inputs.clone() {
            let used = ws.got_sector[i].min(y * ws.net[i]);
            let unused = ws.got_sector[i] - used;
            if unused > 0.0 {
                ws.returned[ws.si_cell[i]] += unused;
            }
        }
    }
}
