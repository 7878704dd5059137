//! Step 8: substitution. An input counts as short when deliveries from every source (trade,
//! recycling, inventory, stockpile) fall below the sector's net demand. After `lag` consecutive
//! short periods, each further short period substitutes `rate` more of the input's demand, up to
//! `max`; substitution stays once built. It applies from the next period's demand.

use super::Workspace;

pub fn update(ws: &mut Workspace) {
    for i in 0..ws.sub.len() {
        if ws.sub_max[i] <= 0.0 || ws.sub_rate[i] <= 0.0 {
            continue;
        }
        let short = ws.net[i] > 0.0 && ws.got_sector[i] < ws.net[i] * (1.0 - 1e-9);
        if !short {
            ws.short_run[i] = 0;
            continue;
        }
        ws.short_run[i] += 1;
        if f64::from(ws.short_run[i]) >= ws.sub_lag[i] {
            ws.sub[i] = (ws.sub[i] + ws.sub_rate[i]).min(ws.sub_max[i]);
        }
    }
}
