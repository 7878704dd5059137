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
    let Workspace {
        vals,
        got_sector,
        gross,
        sub,
        net,
        si_cell,
        y: ys,
        returned,
        surplus_on,
        ..
    } = &mut *ws;
    for (sec, y_out) in m.sectors.iter().zip(ys.iter_mut()) {
        let inputs = sec.inputs.clone();
        let n = inputs.len();
        let sis = &m.sector_inputs[inputs.clone()][..n];
        let got = &got_sector[inputs.clone()][..n];
        let (gross, sub) = (&gross[inputs.clone()][..n], &sub[inputs.clone()][..n]);
        let (net, cells) = (&net[inputs.clone()][..n], &si_cell[inputs][..n]);
        let mut y = 1.0f64;
        let mut penalty = 0.0;
        for k in 0..n {
            let r = input_ratio(got[k], gross[k], sub[k]);
            if sis[k].essential {
                y = y.min(r);
            } else {
                penalty += vals[sis[k].weight as usize].max(0.0) * (1.0 - r);
            }
        }
        let y = (y - penalty).max(0.0);
        *y_out = y;
        for k in 0..n {
            let used = got[k].min(y * net[k]);
            let unused = got[k] - used;
            if unused > 0.0 {
                returned[cells[k]] += unused;
                *surplus_on = true;
            }
        }
    }
}
