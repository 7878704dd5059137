//! TOML text -> spanned tree -> validated `Scenario` (all errors at once, with spans).
//!
//! `load` reads a scenario (or a world file on its own), loads the world it names relative to
//! its own folder, merges the two (scenario entries override world entries with the same key),
//! resolves every id to an index, checks every distribution against its field's range, orders
//! the commodity graph and reports every problem with file, line, column, key and a hint.

pub mod checks;
pub mod diagnostic;
pub mod graph;
pub mod kinds;
pub mod limits;
pub mod lookup;
pub mod merge;
pub mod meta;
pub mod numbers;
pub mod params;
pub mod policies;
pub mod reader;
pub mod set;
pub mod shocks;
pub mod suggest;
pub mod text;
pub mod tree;
pub mod types;
pub mod world;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use diagnostic::{Diagnostic, Severity};
pub use limits::memory_estimate;
pub use types::*;

use diagnostic::{Diags, Loc};
use tree::{Node, Val};

/// How to load: `--set` overrides and which policies to keep.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Parameters replaced by a number (`--set PATH=VALUE`); a path no parameter of the
    /// scenario has is an error with a did-you-mean.
    pub set: Vec<set::SetValue>,
    /// When `Some`, only the `[[policy]]` entries whose `id` is listed are read (the levers of
    /// `chokepoint portfolio`: a package without a lever, a lever alone). The others are dropped
    /// before validation, as if deleted from the file, so nothing they change (a priority, an
    /// added producer) remains.
    pub keep_policies: Option<Vec<String>>,
    /// A `--set` path no parameter has is not an error but listed in `Loaded::unset` (for
    /// `compare`, where a path may belong to one side only; the command checks the union).
    pub lenient_set: bool,
    /// The world file's text, given instead of read from disk (a result directory's copy, for
    /// `chokepoint merge`); `None` reads the file the scenario names.
    pub world_text: Option<String>,
}

/// A valid scenario and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub scenario: Scenario,
    pub warnings: Vec<Diagnostic>,
    /// `--set` paths no parameter took (only with `LoadOptions::lenient_set`).
    pub unset: Vec<String>,
}

/// Why a scenario could not be loaded: every error and warning, in file order.
#[derive(Debug, Clone)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    /// Every diagnostic rendered, separated by blank lines.
    pub fn render(&self, color: bool) -> String {
        render_all(&self.diagnostics, color)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for LoadError {}

/// Renders diagnostics one after another, each followed by a blank line.
pub fn render_all(diags: &[Diagnostic], color: bool) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&d.render(color));
        out.push_str("\n\n");
    }
    out
}

/// Loads and validates the scenario (or world) file at `path`.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    load_with(path, &LoadOptions::default())
}

/// `load` with `--set` overrides and a policy filter.
pub fn load_with(path: &Path, opts: &LoadOptions) -> Result<Loaded, LoadError> {
    match read_text(path) {
        Ok(text) => load_str_with(&text, path, opts),
        Err(msg) => Err(LoadError {
            diagnostics: vec![Diagnostic::file_level(Severity::Error, path, msg)],
        }),
    }
}

/// Largest scenario or world file read (16 MiB; the largest shipped world is a few KiB).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Checks, before opening it, that `path` can be read as a scenario or world file: it exists, is
/// a regular file (not a directory, device, named pipe or socket, which could block or never end)
/// and holds at most `MAX_FILE_BYTES`. The message names the path and the reason.
pub fn readable(path: &Path) -> Result<std::fs::Metadata, String> {
    let cannot = |why: &str| format!("cannot read {}: {why}", path.display());
    let m = std::fs::metadata(path).map_err(|e| cannot(&io_reason(&e)))?;
    let t = m.file_type();
    if !t.is_file() {
        return Err(cannot(&not_regular(&t)));
    }
    // Files under /proc and /sys look regular (size 0) but are generated on reading, and some
    // block: refuse them by place before opening.
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if ["/proc", "/sys", "/dev"]
        .iter()
        .any(|d| real.starts_with(d))
    {
        return Err(cannot(&format!(
            "it is a system file under {}, not a regular file; copy what you need into a \
             scenario file",
            real.components().take(2).collect::<PathBuf>().display()
        )));
    }
    if m.len() > MAX_FILE_BYTES {
        return Err(cannot(&format!(
            "{} bytes is above the {} MiB limit for a scenario or world file",
            m.len(),
            MAX_FILE_BYTES >> 20
        )));
    }
    Ok(m)
}

fn not_regular(t: &std::fs::FileType) -> String {
    if t.is_dir() {
        return "it is a directory, not a file".into();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "it is a named pipe (FIFO), not a regular file".into();
        }
        if t.is_char_device() || t.is_block_device() {
            return "it is a device, not a regular file".into();
        }
        if t.is_socket() {
            return "it is a socket, not a regular file".into();
        }
    }
    "not a regular file".into()
}

fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let m = readable(path)?;
    let cannot = |why: &str| format!("cannot read {}: {why}", path.display());
    let file = std::fs::File::open(path).map_err(|e| cannot(&io_reason(&e)))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot(&io_reason(&e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(cannot(&format!(
            "it grew above the {} MiB limit while being read",
            MAX_FILE_BYTES >> 20
        )));
    }
    if m.len() == 0 && !bytes.is_empty() {
        // Files under /proc and /sys report size 0 and are generated on reading.
        return Err(cannot(
            "it reports no size but has content (a /proc or /sys file?), not a regular file; \
             copy what you need into a scenario file",
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Validates `text` as if read from `path` (a `world` key resolves relative to `path`).
pub fn load_str(text: &str, path: &Path) -> Result<Loaded, LoadError> {
    load_str_with(text, path, &LoadOptions::default())
}

/// `load_str`, with the text of the world file the scenario names given instead of read from
/// disk (a result directory's `world.toml` copy): `chokepoint merge` reloads a run from the copies
/// in its shards, from any directory. Paths in messages and in `Meta` stay those given.
pub fn load_with_world(
    text: &str,
    path: &Path,
    world_text: Option<&str>,
) -> Result<Loaded, LoadError> {
    let opts = LoadOptions {
        world_text: world_text.map(str::to_string),
        ..LoadOptions::default()
    };
    load_str_with(text, path, &opts)
}

/// The `--set` overrides as a pseudo file `--set` (one `PATH=VALUE` a line), so a bad value is
/// shown underlined like a value in a scenario file.
fn add_set_file(d: &mut Diags, set: &[set::SetValue]) {
    if set.is_empty() {
        return;
    }
    let mut text = String::new();
    let mut spans = Vec::new();
    for s in set {
        let p0 = text.len();
        text.push_str(&s.path);
        let v0 = text.len() + 1;
        text.push('=');
        text.push_str(&num_text(s.value));
        spans.push((p0..p0 + s.path.len(), v0..text.len()));
        text.push('\n');
    }
    let file = d.add_file(PathBuf::from("--set"), Arc::from(text.as_str()));
    for (s, (pspan, vspan)) in set.iter().zip(spans) {
        d.set.push(diagnostic::SetEntry {
            path: s.path.clone(),
            path_loc: Loc { file, span: pspan },
            node: Node {
                loc: Loc { file, span: vspan },
                val: Val::Float(s.value),
            },
            used: false,
        });
    }
}

/// A number as `--set` shows it back: the shortest text that reads back to the same value.
pub fn num_text(v: f64) -> String {
    format!("{v}")
}

/// Every path `--set` could name in a scenario: its parameters and the policies' costs.
pub fn settable_paths(s: &Scenario) -> Vec<String> {
    let mut out: Vec<String> = params::all(s).iter().map(|p| p.path.clone()).collect();
    out.extend(
        s.policies
            .iter()
            .filter_map(|p| p.cost.as_ref().map(|c| c.value.path.clone())),
    );
    out
}

/// Errors for `--set` paths that no parameter took.
fn report_unused_set(d: &mut Diags, scenario: &Scenario) {
    let known = settable_paths(scenario);
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let unused: Vec<diagnostic::SetEntry> = d.set.iter().filter(|e| !e.used).cloned().collect();
    for e in unused {
        if known.contains(&e.path.as_str()) {
            d.error(
                &e.path_loc,
                &e.path,
                "this parameter is derived, not read from a file, and cannot be set",
            )
            .allowed("a parameter written (or defaulted) in the scenario or world file")
            .hint("set the parameter it is derived from; `chokepoint explain` lists them");
        } else {
            d.error(
                &e.path_loc,
                &e.path,
                format!("no parameter `{}` in this scenario", e.path),
            )
            .allowed("a parameter path as `chokepoint explain` and trials.csv show it")
            .hint(did_you_mean_path(&e.path, &known));
        }
    }
}

/// The closest known path, or where to find them.
pub fn did_you_mean_path(path: &str, known: &[&str]) -> String {
    match suggest::closest(path, known.iter().copied()) {
        Some(c) => format!("did you mean `{c}`?"),
        None => "`chokepoint explain FILE` lists every parameter; trials.csv has a column for each uncertain one".into(),
    }
}

/// `load_str` with `--set` overrides and a policy filter.
pub fn load_str_with(text: &str, path: &Path, opts: &LoadOptions) -> Result<Loaded, LoadError> {
    let mut d = Diags::default();
    let file = d.add_file(path.to_path_buf(), Arc::from(text));
    let Some(root) = parse(&mut d, file) else {
        return Err(LoadError {
            diagnostics: d.sorted(),
        });
    };
    let mut doc = merge::Doc::default();
    let mut world_file = None;
    let mut world_unreadable = false;
    if let Some(w) = world_key(&root) {
        match &w.val {
            Val::Str(rel) => {
                let wpath = path.parent().unwrap_or(Path::new("")).join(rel);
                let read = match opts.world_text.as_deref() {
                    Some(t) => Ok(t.to_string()),
                    None => read_text(&wpath),
                };
                match read {
                    Ok(wtext) => {
                        let wf = d.add_file(wpath.clone(), Arc::from(wtext.as_str()));
                        match parse(&mut d, wf) {
                            Some(wroot) => merge::add_file(&mut doc, &wroot, true, &mut d),
                            None => {
                                return Err(LoadError {
                                    diagnostics: d.sorted(),
                                });
                            }
                        }
                        world_file = Some(wpath);
                    }
                    Err(msg) => {
                        d.error(&w.loc, "scenario.world", msg)
                            .allowed("a path to a world file, relative to this scenario's folder")
                            .hint(format!("looked for {}", wpath.display()));
                        world_unreadable = true;
                    }
                }
            }
            other => {
                d.error(
                    &w.loc,
                    "scenario.world",
                    format!("expected a string, found {}", other.type_name()),
                )
                .allowed("a path in quotes, e.g. \"worlds/2025.toml\"");
            }
        }
    }
    merge::add_file(&mut doc, &root, false, &mut d);
    if let Some(keep) = &opts.keep_policies {
        doc.policies
            .retain(|n| policy_id(n).is_some_and(|id| keep.iter().any(|k| k == id)));
    }
    add_set_file(&mut d, &opts.set);
    if world_unreadable {
        // Without its world every region and commodity the scenario names would be reported as
        // unknown: echoes of the one cause. Report that, and the scenario table's own problems.
        meta::read(doc.scenario.as_ref(), doc.world.as_ref(), path, &mut d);
        return Err(LoadError {
            diagnostics: d.sorted(),
        });
    }
    // (Not after an error, e.g. a world file that cannot be read: that says what is missing.)
    if !d.has_errors()
        && doc.regions.is_empty()
        && doc.commodities.is_empty()
        && doc.sectors.is_empty()
    {
        let loc = doc
            .scenario
            .as_ref()
            .map_or(Loc { file, span: 0..0 }, |s| s.loc.clone());
        let what = if doc.scenario.is_none() && text.trim().is_empty() {
            "the file is empty"
        } else {
            "no world: no [[region]], [[commodity]] or [[sector]]"
        };
        d.error(&loc, "", format!("{what}; nothing to simulate"))
            .allowed(
                "a [scenario] table (name, horizon, trials...) and a world: [[region]], \
                 [[commodity]], [[producer]] and [[sector]] tables, in this file or in a world \
                 file named by `world = \"...\"`",
            )
            .hint("start from one of the files in scenarios/ (see docs/scenario-files.md)");
    }
    let scenario = build(&doc, path, world_file, &mut d);
    let unset: Vec<String> = d
        .set
        .iter()
        .filter(|e| !e.used)
        .map(|e| e.path.clone())
        .collect();
    if !opts.lenient_set {
        report_unused_set(&mut d, &scenario);
    }
    if !d.has_errors()
        && let Some(msg) = limits::check_load(&scenario, scenario.meta.trials)
    {
        let loc = trials_loc(&doc).unwrap_or(Loc { file, span: 0..0 });
        d.error(&loc, "scenario.trials", msg)
            .allowed(format!(
                "a scenario whose streamed statistics fit in {} GiB",
                limits::MEMORY_LIMIT >> 30
            ))
            .hint("shorten the horizon or drop series the study does not need");
    }
    let failed = d.has_errors();
    let diagnostics = d.sorted();
    if failed {
        Err(LoadError { diagnostics })
    } else {
        Ok(Loaded {
            scenario,
            warnings: diagnostics,
            unset,
        })
    }
}

/// Parses file `file` of `d`; reports the first syntax error.
fn parse(d: &mut Diags, file: usize) -> Option<Node> {
    let text = d.files[file].text.clone();
    let (doc, errors) = toml::de::DeTable::parse_recoverable(&text);
    if errors.is_empty() {
        return Some(tree::from_document(&doc, file));
    }
    // Only the first: after it, the parser's recovery often reports echoes (e.g. a
    // "duplicate key" caused by an unclosed header).
    if let Some(e) = errors.into_iter().next() {
        // Point at the start of the problem; a span running over several lines is hard to read.
        let span = e.span().unwrap_or(0..0);
        let line_end = text[span.start.min(text.len())..]
            .find('\n')
            .map_or(text.len(), |i| span.start + i);
        let span = span.start..span.end.min(line_end).max(span.start);
        let msg = e.message().trim().to_string();
        d.error(&Loc { file, span }, "", format!("TOML syntax error: {msg}"))
            .hint("check brackets, quotes and `=` on this line; see https://toml.io");
    }
    None
}

/// The `id` of a `[[policy]]` node, if it has a string one.
fn policy_id(n: &Node) -> Option<&str> {
    let Val::Table(t) = &n.val else { return None };
    match &t.get("id")?.val {
        Val::Str(s) => Some(s),
        _ => None,
    }
}

/// The `world = "..."` value of the `[scenario]` table, if any.
fn world_key(root: &Node) -> Option<&Node> {
    let Val::Table(t) = &root.val else {
        return None;
    };
    let Val::Table(s) = &t.get("scenario")?.val else {
        return None;
    };
    s.get("world")
}

fn trials_loc(doc: &merge::Doc) -> Option<Loc> {
    let s = doc.scenario.as_ref()?;
    let Val::Table(t) = &s.val else { return None };
    Some(
        t.get("trials")
            .map_or_else(|| s.loc.clone(), |n| n.loc.clone()),
    )
}

fn build(doc: &merge::Doc, path: &Path, world_file: Option<PathBuf>, d: &mut Diags) -> Scenario {
    let mut meta = meta::read(doc.scenario.as_ref(), doc.world.as_ref(), path, d);
    meta.world_file = world_file;
    let mut w = world::read(doc, d);
    let shocks = shocks::shocks(doc, &w, &meta, d);
    let policies = policies::policies(doc, &mut w, meta.horizon, d);
    let topo_order = checks::order(&w, &policies, d);
    // Cross-check warnings on a world with errors are mostly echoes of those errors.
    if !d.has_errors() {
        checks::chain_bounds(&w, &topo_order, d);
    }
    if !d.has_errors() {
        checks::warnings(&w, &policies, d);
    }
    Scenario {
        meta,
        regions: w.regions,
        commodities: w.commodities,
        producers: w.producers,
        sectors: w.sectors,
        inventories: w.inventories,
        shocks,
        policies,
        topo_order,
    }
}
