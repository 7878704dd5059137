//! An owned TOML tree where every key and value keeps its file and byte span, built from
//! `toml::de::DeTable` (which borrows its input and orders keys alphabetically). Entries keep
//! file order so diagnostics come out in reading order.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::Loc;

#[derive(Debug, Clone)]
pub enum Val {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime(String),
    Array(Vec<Node>),
    Table(Table),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub loc: Loc,
    pub val: Val,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_loc: Loc,
    pub node: Node,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub entries: Vec<Entry>,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.node)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// Sets `key`, replacing an existing value in place (keeps its position).
    pub fn set(&mut self, entry: Entry) {
        match self.entries.iter_mut().find(|e| e.key == entry.key) {
            Some(e) => *e = entry,
            None => self.entries.push(entry),
        }
    }
}

impl Val {
    /// The type in words, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Str(_) => "a string",
            Val::Int(_) => "a whole number",
            Val::Float(_) => "a number",
            Val::Bool(_) => "true/false",
            Val::Datetime(_) => "a date",
            Val::Array(_) => "a list",
            Val::Table(_) => "a table",
        }
    }
}

/// Converts a parsed document into an owned tree tagged with `file`.
pub fn from_document(doc: &Spanned<DeTable<'_>>, file: usize) -> Node {
    Node {
        loc: Loc {
            file,
            span: doc.span(),
        },
        val: Val::Table(table(doc.get_ref(), file)),
    }
}

fn table(t: &DeTable<'_>, file: usize) -> Table {
    let mut entries: Vec<Entry> = t
        .iter()
        .map(|(k, v)| Entry {
            key: k.get_ref().to_string(),
            key_loc: Loc {
                file,
                span: k.span(),
            },
            node: value(v, file),
        })
        .collect();
    entries.sort_by_key(|e| e.key_loc.span.start);
    Table { entries }
}

fn value(v: &Spanned<DeValue<'_>>, file: usize) -> Node {
    let loc = Loc {
        file,
        span: v.span(),
    };
    let val = match v.get_ref() {
        DeValue::String(s) => Val::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Val::Int(n),
            // Too large for i64: keep it as a (possibly infinite) number so range checks report it.
            Err(_) => Val::Float(i.as_str().parse::<f64>().unwrap_or(f64::INFINITY)),
        },
        DeValue::Float(f) => Val::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Val::Bool(*b),
        DeValue::Datetime(d) => Val::Datetime(d.to_string()),
        DeValue::Array(a) => Val::Array(a.iter().map(|x| value(x, file)).collect()),
        DeValue::Table(t) => Val::Table(table(t, file)),
    };
    Node { loc, val }
}
