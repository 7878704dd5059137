//! Reading one TOML table by hand: typed getters that report wrong types, missing keys and
//! unknown keys (with a did-you-mean) under a readable key path.

use super::diagnostic::{Diags, Loc};
use super::numbers::{self, Allowed};
use super::suggest::did_you_mean;
use super::tree::{Entry, Node, Table, Val};
use super::types::Param;
use crate::sample::Dist;

/// A string value and where it was written.
#[derive(Debug, Clone)]
pub struct Name {
    pub text: String,
    pub loc: Loc,
}

/// One table being read, e.g. the third `[[producer]]`.
pub struct Fields<'a> {
    pub table: &'a Table,
    /// Where to point when a required key is missing.
    pub loc: Loc,
    /// Key path prefix, e.g. `producer "ndfeb_magnet/CN"`.
    pub path: String,
}

impl<'a> Fields<'a> {
    /// `node` must be a table; reports otherwise.
    pub fn of(node: &'a Node, path: &str, d: &mut Diags) -> Option<Self> {
        match &node.val {
            Val::Table(table) => Some(Fields {
                table,
                // For `[[x]]` entries the parser's span is the header line.
                loc: node.loc.clone(),
                path: path.to_string(),
            }),
            other => {
                d.error(
                    &node.loc,
                    path,
                    format!("expected a table, found {}", other.type_name()),
                )
                .allowed("a table: `[name]`, `[[name]]` or `{ key = value, ... }`");
                None
            }
        }
    }

    pub fn key(&self, k: &str) -> String {
        if self.path.is_empty() {
            k.to_string()
        } else {
            format!("{}.{k}", self.path)
        }
    }

    /// Reports every key not in `allowed`; `what` names the table in the message.
    pub fn check_keys(&self, allowed: &[&str], what: &str, d: &mut Diags) {
        for e in &self.table.entries {
            if !allowed.contains(&e.key.as_str()) {
                d.error(
                    &e.key_loc,
                    &self.key(&e.key),
                    format!("unknown key `{}` in {what}", e.key),
                )
                .allowed(format!("keys: {}", allowed.join(", ")))
                .hint(did_you_mean(&e.key, allowed));
            }
        }
    }

    /// The inline table at `k` (e.g. `entry = { ... }`), its keys checked against `allowed`;
    /// `None` when absent or not a table (reported).
    pub fn subtable(&self, k: &str, allowed: &[&str], what: &str, d: &mut Diags) -> Option<Self> {
        let sub = Fields::of(self.get(k)?, &self.key(k), d)?;
        sub.check_keys(allowed, what, d);
        Some(sub)
    }

    pub fn get(&self, k: &str) -> Option<&'a Node> {
        self.table.get(k)
    }

    pub fn req(&self, k: &str, d: &mut Diags) -> Option<&'a Node> {
        let n = self.get(k);
        if n.is_none() {
            d.error(&self.loc, &self.path, format!("missing required key `{k}`"))
                .hint(format!("add `{k} = ...` to this table"));
        }
        n
    }

    /// An optional string; a `name` or `unit` is held to `MAX_NAME_CHARS`.
    pub fn string(&self, k: &str, d: &mut Diags) -> Option<Name> {
        let n = self.get(k)?;
        let s = as_string(n, &self.key(k), d)?;
        if matches!(k, "name" | "unit") {
            let len = s.text.chars().count();
            if len > MAX_NAME_CHARS {
                d.error(
                    &s.loc,
                    &self.key(k),
                    format!("a {k} of {len} characters is too long"),
                )
                .allowed(format!("at most {MAX_NAME_CHARS} characters"))
                .hint("names are printed in tables and charts; put longer text in `description`");
                return None;
            }
        }
        Some(s)
    }

    pub fn req_string(&self, k: &str, d: &mut Diags) -> Option<Name> {
        let n = self.req(k, d)?;
        as_string(n, &self.key(k), d)
    }

    /// A required id: a non-empty string without dots or spaces (ids become parameter paths).
    pub fn id(&self, k: &str, d: &mut Diags) -> Option<Name> {
        let name = self.req_string(k, d)?;
        check_id(&name, &self.key(k), d).then_some(name)
    }

    /// An optional id-like name (`lever`): checked as an id when present.
    pub fn id_opt(&self, k: &str, d: &mut Diags) -> Option<Name> {
        let name = self.string(k, d)?;
        check_id(&name, &self.key(k), d).then_some(name)
    }

    /// A numeric parameter with stable path `param_path`; `default` when absent (`None` =
    /// required). On error returns a NaN placeholder: the load fails anyway, and NaN makes
    /// every later comparison false so no follow-on warning fires.
    pub fn param(
        &self,
        k: &str,
        param_path: &str,
        allowed: &Allowed,
        default: Option<f64>,
        d: &mut Diags,
    ) -> Param {
        let over = d.set_value(param_path);
        let n = match (over.as_ref().or(self.get(k)), default) {
            (Some(n), _) => n,
            (None, Some(v)) => return Param::fixed(param_path, v),
            (None, None) => {
                d.error(&self.loc, &self.path, format!("missing required key `{k}`"))
                    .allowed(format!("`{k}`: {}", allowed.text))
                    .hint(format!("add `{k} = ...` to this table"));
                return Param::fixed(param_path, f64::NAN);
            }
        };
        let dist = numbers::dist(n, &self.key(k), allowed, d).unwrap_or(Dist::Const(f64::NAN));
        Param::new(param_path, dist)
    }

    pub fn opt_param(
        &self,
        k: &str,
        param_path: &str,
        allowed: &Allowed,
        d: &mut Diags,
    ) -> Option<Param> {
        let over = d.set_value(param_path);
        let n = over.as_ref().or(self.get(k))?;
        let dist = numbers::dist(n, &self.key(k), allowed, d).unwrap_or(Dist::Const(f64::NAN));
        Some(Param::new(param_path, dist))
    }

    /// A whole number in `lo..=hi`; `default` when absent.
    pub fn int(
        &self,
        k: &str,
        lo: i64,
        hi: i64,
        default: Option<i64>,
        d: &mut Diags,
    ) -> Option<i64> {
        let n = match (self.get(k), default) {
            (Some(n), _) => n,
            (None, Some(v)) => return Some(v),
            (None, None) => {
                self.req(k, d);
                return None;
            }
        };
        as_int(n, &self.key(k), lo, hi, d)
    }

    /// A list of strings; a single string is read as a one-item list.
    pub fn string_list(&self, k: &str, d: &mut Diags) -> Option<Vec<Name>> {
        let n = self.get(k)?;
        string_list(n, &self.key(k), d)
    }

    /// The entries of a `{ key = value }` table (empty when absent or not a table).
    pub fn map(&self, k: &str, d: &mut Diags) -> &'a [Entry] {
        let Some(n) = self.get(k) else { return &[] };
        match &n.val {
            Val::Table(t) => &t.entries,
            other => {
                d.error(
                    &n.loc,
                    &self.key(k),
                    format!("expected a table, found {}", other.type_name()),
                )
                .allowed("a table `{ commodity_id = value, ... }`");
                &[]
            }
        }
    }
}

/// Longest id, in characters (ids become file names and parameter paths).
pub const MAX_ID_CHARS: usize = 64;
/// Longest `name` or `unit`, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest string of any other key (`description`, `source`), in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

pub fn as_string(n: &Node, key: &str, d: &mut Diags) -> Option<Name> {
    match &n.val {
        Val::Str(s) if s.chars().count() > MAX_TEXT_CHARS => {
            d.error(
                &n.loc,
                key,
                format!("a text of {} characters is too long", s.chars().count()),
            )
            .allowed(format!("at most {MAX_TEXT_CHARS} characters"))
            .hint("keep long notes in a comment or a separate document");
            None
        }
        Val::Str(s) => Some(Name {
            text: s.clone(),
            loc: n.loc.clone(),
        }),
        other => {
            d.error(
                &n.loc,
                key,
                format!("expected a string, found {}", other.type_name()),
            )
            .allowed("a string in quotes")
            .hint("write the value in double quotes, e.g. `\"CN\"`");
            None
        }
    }
}

/// An id: 1 to `MAX_ID_CHARS` ASCII letters, digits, `_` and `-` (ids become file names and
/// parameter paths such as `sector.US.ev.value_added`).
pub fn check_id(name: &Name, key: &str, d: &mut Diags) -> bool {
    let t = &name.text;
    let len = t.chars().count();
    if len > MAX_ID_CHARS {
        d.error(
            &name.loc,
            key,
            format!("an id of {len} characters is too long"),
        )
        .allowed(format!(
            "an id of at most {MAX_ID_CHARS} letters, digits, `_` or `-`"
        ))
        .hint("ids become file names and parameter paths; put longer text in `name`");
        return false;
    }
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if t.is_empty() || !t.chars().all(ok) {
        let shown = if len > 80 {
            format!("{}...", t.chars().take(80).collect::<String>())
        } else {
            t.clone()
        };
        d.error(&name.loc, key, format!("\"{shown}\" is not a usable id"))
            .allowed(
                "a non-empty id of ASCII letters, digits, `_` and `-` (no dots or spaces), \
                 e.g. \"ndfeb_magnet\"",
            )
            .hint("ids become parameter paths such as `sector.US.ev.value_added`");
        return false;
    }
    true
}

pub fn as_int(n: &Node, key: &str, lo: i64, hi: i64, d: &mut Diags) -> Option<i64> {
    let v = match &n.val {
        Val::Int(i) => *i,
        Val::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => *f as i64,
        Val::Table(_) => {
            d.error(&n.loc, key, "takes a whole number, not a distribution")
                .allowed(format!("a whole number from {lo} to {hi}"))
                .hint("this setting is fixed for the whole run; write a single number");
            return None;
        }
        other => {
            d.error(
                &n.loc,
                key,
                format!("expected a whole number, found {}", other.type_name()),
            )
            .allowed(format!("a whole number from {lo} to {hi}"));
            return None;
        }
    };
    if v < lo || v > hi {
        d.error(&n.loc, key, format!("{v} is out of range"))
            .allowed(format!("a whole number from {lo} to {hi}"));
        return None;
    }
    Some(v)
}

/// A list of strings (a single string is a one-item list); an item listed twice is an error.
pub fn string_list(n: &Node, key: &str, d: &mut Diags) -> Option<Vec<Name>> {
    let list = strings(n, key, d)?;
    let mut ok = true;
    for (i, item) in list.iter().enumerate() {
        if list[..i].iter().any(|x| x.text == item.text) {
            d.error(&item.loc, key, format!("\"{}\" is listed twice", item.text))
                .allowed("each id once")
                .hint("remove the repeated entry");
            ok = false;
        }
    }
    ok.then_some(list)
}

fn strings(n: &Node, key: &str, d: &mut Diags) -> Option<Vec<Name>> {
    match &n.val {
        Val::Str(_) => as_string(n, key, d).map(|s| vec![s]),
        Val::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                out.push(as_string(item, key, d)?);
            }
            Some(out)
        }
        other => {
            d.error(
                &n.loc,
                key,
                format!("expected a list of strings, found {}", other.type_name()),
            )
            .allowed("a list of ids, e.g. [\"US\", \"EU\"]");
            None
        }
    }
}
