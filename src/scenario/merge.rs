//! Combining a world file and a scenario file into one document. A scenario entry whose key
//! matches a world entry (region id; commodity id; producer by commodity and region; sector by
//! id and region; inventory by region and commodity) overrides that entry key by key; other
//! entries are added. Values keep the file they came from, so problems are reported there.

use super::diagnostic::Diags;
use super::suggest::did_you_mean;
use super::tree::{Node, Val};

/// Top-level keys of a world file.
pub const WORLD_KEYS: [&str; 6] = [
    "world",
    "region",
    "commodity",
    "producer",
    "sector",
    "inventory",
];
/// Top-level keys of a scenario file.
pub const SCENARIO_KEYS: [&str; 9] = [
    "scenario",
    "world",
    "region",
    "commodity",
    "producer",
    "sector",
    "inventory",
    "shock",
    "policy",
];

/// The entity lists of the combined document, in file order (world entries first).
#[derive(Debug, Default)]
pub struct Doc {
    pub scenario: Option<Node>,
    pub world: Option<Node>,
    pub regions: Vec<Node>,
    pub commodities: Vec<Node>,
    pub producers: Vec<Node>,
    pub sectors: Vec<Node>,
    pub inventories: Vec<Node>,
    pub shocks: Vec<Node>,
    pub policies: Vec<Node>,
}

/// The key fields that identify an entry of each overridable list.
fn key_fields(list: &str) -> &'static [&'static str] {
    match list {
        "region" | "commodity" => &["id"],
        "producer" => &["commodity", "region"],
        "sector" => &["id", "region"],
        "inventory" => &["region", "commodity"],
        _ => &[],
    }
}

/// Splits one file's top-level table into `doc`; `is_world` marks a file named by `world = ...`.
pub fn add_file(doc: &mut Doc, root: &Node, is_world: bool, d: &mut Diags) {
    let Val::Table(t) = &root.val else { return };
    let allowed: &[&str] = if is_world {
        &WORLD_KEYS
    } else {
        &SCENARIO_KEYS
    };
    for e in &t.entries {
        let k = e.key.as_str();
        if !allowed.contains(&k) {
            let diag = d.error(&e.key_loc, k, format!("unknown top-level key `{k}`"));
            if !is_world && super::meta::SCENARIO_TABLE_KEYS.contains(&k) {
                diag.allowed(format!("tables: {}", allowed.join(", ")))
                    .hint(format!(
                        "`{k}` belongs in the [scenario] table: put `[scenario]` on a line above it"
                    ));
            } else if is_world && SCENARIO_KEYS.contains(&k) {
                diag.allowed(format!("in a world file: {}", WORLD_KEYS.join(", ")))
                    .hint(format!(
                        "a world file holds only data; move `{k}` to the scenario file"
                    ));
            } else {
                diag.allowed(format!("tables: {}", allowed.join(", ")))
                    .hint(did_you_mean(k, allowed));
            }
            continue;
        }
        match k {
            "scenario" => doc.scenario = Some(e.node.clone()),
            "world" if !is_world && matches!(e.node.val, Val::Str(_)) => {
                d.error(
                    &e.key_loc,
                    k,
                    "`world = \"...\"` belongs in the [scenario] table",
                )
                .allowed("`[world]` as a table of name, year, description, source")
                .hint("put `[scenario]` on a line above `world = ...`");
            }
            "world" => merge_world_table(doc, &e.node),
            _ => {
                let Some(items) = entries(&e.node, k, d) else {
                    continue;
                };
                let list = match k {
                    "region" => &mut doc.regions,
                    "commodity" => &mut doc.commodities,
                    "producer" => &mut doc.producers,
                    "sector" => &mut doc.sectors,
                    "inventory" => &mut doc.inventories,
                    "shock" => &mut doc.shocks,
                    _ => &mut doc.policies,
                };
                let world_len = list.len();
                let mut overridden = Vec::new();
                for item in items {
                    merge_entry(
                        list,
                        world_len,
                        &mut overridden,
                        item,
                        key_fields(k),
                        is_world,
                    );
                }
            }
        }
    }
}

/// The tables of a `[[list]]` (or `list = [ {...}, ... ]`).
fn entries<'a>(node: &'a Node, k: &str, d: &mut Diags) -> Option<&'a [Node]> {
    match &node.val {
        Val::Array(items) => Some(items),
        other => {
            d.error(
                &node.loc,
                k,
                format!(
                    "expected a list of `[[{k}]]` tables, found {}",
                    other.type_name()
                ),
            )
            .allowed(format!("one `[[{k}]]` header per entry"))
            .hint(format!(
                "write `[[{k}]]` (double brackets) above each entry"
            ));
            None
        }
    }
}

fn merge_world_table(doc: &mut Doc, node: &Node) {
    match (&mut doc.world, &node.val) {
        (
            Some(Node {
                val: Val::Table(w), ..
            }),
            Val::Table(t),
        ) => {
            for e in &t.entries {
                w.set(e.clone());
            }
        }
        _ => doc.world = Some(node.clone()),
    }
}

/// The string values of `fields` in `node`, when all are present strings.
fn key_of(node: &Node, fields: &[&str]) -> Option<Vec<String>> {
    let Val::Table(t) = &node.val else {
        return None;
    };
    fields
        .iter()
        .map(|f| match t.get(f).map(|n| &n.val) {
            Some(Val::Str(s)) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// Adds `item`: when it comes from the scenario and matches one of the first `world_len`
/// (world) entries not yet overridden, its keys replace that entry's keys; otherwise it is
/// appended (so a second override of the same entry is reported as a duplicate by validation).
fn merge_entry(
    list: &mut Vec<Node>,
    world_len: usize,
    overridden: &mut Vec<bool>,
    item: &Node,
    fields: &[&str],
    is_world: bool,
) {
    overridden.resize(world_len, false);
    if !is_world
        && !fields.is_empty()
        && let (Some(key), Val::Table(t)) = (key_of(item, fields), &item.val)
    {
        let hit = (0..world_len)
            .find(|&i| !overridden[i] && key_of(&list[i], fields).as_ref() == Some(&key));
        if let Some(i) = hit
            && let Val::Table(w) = &mut list[i].val
        {
            for e in &t.entries {
                w.set(e.clone());
            }
            overridden[i] = true;
            return;
        }
    }
    list.push(item.clone());
}
