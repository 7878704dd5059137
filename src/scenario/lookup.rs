//! Resolving ids written in files to indices, with did-you-mean on a miss.

use super::diagnostic::Diags;
use super::reader::Name;
use super::suggest::did_you_mean;
use super::types::{CommodityIx, RegionIx, SectorIx};

/// The ids defined so far, in index order.
#[derive(Debug, Default)]
pub struct Ids {
    pub regions: Vec<String>,
    pub commodities: Vec<String>,
    /// (id, region) per sector.
    pub sectors: Vec<(String, RegionIx)>,
}

impl Ids {
    pub fn region(&self, name: &Name, key: &str, d: &mut Diags) -> Option<RegionIx> {
        find(&self.regions, name, key, "region", d)
    }

    pub fn commodity(&self, name: &Name, key: &str, d: &mut Diags) -> Option<CommodityIx> {
        find(&self.commodities, name, key, "commodity", d)
    }

    /// The sector `name` in `region`.
    pub fn sector(
        &self,
        name: &Name,
        region: RegionIx,
        key: &str,
        d: &mut Diags,
    ) -> Option<SectorIx> {
        if let Some(i) = self
            .sectors
            .iter()
            .position(|(id, r)| *r == region && *id == name.text)
        {
            return Some(i);
        }
        let here: Vec<&str> = self
            .sectors
            .iter()
            .filter(|(_, r)| *r == region)
            .map(|(id, _)| id.as_str())
            .collect();
        let elsewhere: Vec<&str> = self
            .sectors
            .iter()
            .filter(|(id, _)| *id == name.text)
            .map(|(_, r)| self.regions[*r].as_str())
            .collect();
        let region_id = &self.regions[region];
        let diag = d
            .error(
                &name.loc,
                key,
                format!("no sector \"{}\" in region \"{region_id}\"", name.text),
            )
            .allowed(format!("a sector of {region_id}"));
        if elsewhere.is_empty() {
            diag.hint(did_you_mean(&name.text, &here));
        } else {
            diag.hint(format!(
                "\"{}\" exists in {}; sectors are defined per region",
                name.text,
                elsewhere.join(", ")
            ));
        }
        None
    }
}

fn find(ids: &[String], name: &Name, key: &str, what: &str, d: &mut Diags) -> Option<usize> {
    if let Some(i) = ids.iter().position(|x| *x == name.text) {
        return Some(i);
    }
    let all: Vec<&str> = ids.iter().map(String::as_str).collect();
    let hint = if all.is_empty() {
        format!(
            "no {what} is defined: add [[{what}]] tables, or name a world file with `world = \"...\"` in [scenario]"
        )
    } else {
        did_you_mean(&name.text, &all)
    };
    d.error(&name.loc, key, format!("unknown {what} \"{}\"", name.text))
        .allowed(format!("a {what} id defined in the world or scenario"))
        .hint(hint);
    None
}
