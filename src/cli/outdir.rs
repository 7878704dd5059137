//! Result directories that are either complete or absent. Files are written into a staging
//! directory beside the target (same parent, so the final rename is atomic) and moved into place
//! only when everything is written. Dropping a `Staging` without `commit` removes it, so an error
//! or an interrupt leaves no half-written result, and an earlier result is only moved aside once the
//! new one is complete.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A scenario file's stem for default output names (`results/<prefix><stem>`), or `fallback`
/// when the path has none.
pub fn stem(path: &Path, fallback: &str) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| fallback.into())
}

/// A chart that could not be written is an output error; one that could not be drawn says how to
/// skip charts.
impl From<crate::report::charts::ChartError> for OutputError {
    fn from(e: crate::report::charts::ChartError) -> Self {
        use crate::report::charts::ChartError;
        match e {
            ChartError::Io { path, source } => OutputError::Io {
                path,
                error: source,
            },
            ChartError::Draw { path, message } => OutputError::Io {
                path,
                error: io::Error::other(format!(
                    "{message}; rerun with --no-charts to skip charts"
                )),
            },
        }
    }
}

/// File every result directory holds; `--force` only replaces directories that have it, so a
/// mistyped `--out` never deletes unrelated files.
pub const MARKER: &str = "run.json";

/// Why results could not be put in place.
#[derive(Debug)]
pub enum OutputError {
    /// The target exists and `--force` was not given.
    Exists(PathBuf),
    /// The target exists but is not a result directory (a file, or a directory without run.json).
    NotAResult(PathBuf),
    /// The target path has no usable final component (`/`, `..`).
    BadPath(PathBuf),
    /// The target is a symbolic link (`--force` never replaces one).
    Symlink(PathBuf),
    Io {
        path: PathBuf,
        error: io::Error,
    },
    /// A chart could not be drawn or written (the message names the file).
    Charts(String),
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Exists(p) => write!(
                f,
                "output directory {} already exists; pass --force to replace it or choose another --out",
                p.display()
            ),
            OutputError::NotAResult(p) => write!(
                f,
                "{} exists and is not a chokepoint result directory (no {MARKER}); refusing to replace it, choose another --out",
                p.display()
            ),
            OutputError::BadPath(p) => write!(
                f,
                "cannot write results to {}: name a directory such as results/my-run",
                p.display()
            ),
            OutputError::Symlink(p) => write!(
                f,
                "{} is a symbolic link; refusing to replace it: pass the directory it points to as --out, or remove the link",
                p.display()
            ),
            OutputError::Io { path, error } => {
                write!(
                    f,
                    "cannot write {}: {}",
                    path.display(),
                    super::term::reason(error)
                )
            }
            OutputError::Charts(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for OutputError {}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |error| OutputError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Checks that results may be written to `target`: it is absent, or `force` is set and it is an
/// earlier result (or an empty directory). Returns the absolute target path.
pub fn check_target(target: &Path, force: bool) -> Result<PathBuf, OutputError> {
    let abs = std::path::absolute(target).map_err(io_err(target))?;
    if abs.file_name().is_none() {
        return Err(OutputError::BadPath(target.to_path_buf()));
    }
    match fs::symlink_metadata(&abs) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(abs),
        Err(e) => Err(io_err(target)(e)),
        Ok(m) if m.file_type().is_symlink() => Err(OutputError::Symlink(target.to_path_buf())),
        Ok(_) if !force => Err(OutputError::Exists(target.to_path_buf())),
        Ok(m) if !m.is_dir() => Err(OutputError::NotAResult(target.to_path_buf())),
        Ok(_) => {
            let empty = fs::read_dir(&abs).map_err(io_err(target))?.next().is_none();
            if empty || abs.join(MARKER).is_file() {
                Ok(abs)
            } else {
                Err(OutputError::NotAResult(target.to_path_buf()))
            }
        }
    }
}

/// Hidden directories beside `target` left by a run that was killed before it could clean up
/// (`kill -9`, a power cut): `.NAME.partial-*` (a staging directory, complete if it holds
/// `run.json`) and `.NAME.old-*` (an earlier result moved aside by `--force`, in `.NAME.old-*/NAME`).
/// A run still in progress for the same target has one too; nothing tells them apart.
pub fn leftovers(target: &Path) -> Vec<PathBuf> {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return Vec::new();
    };
    let name = name.to_string_lossy();
    let prefixes = [format!(".{name}.partial-"), format!(".{name}.old-")];
    let Ok(entries) = fs::read_dir(if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    }) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            prefixes.iter().any(|p| n.starts_with(p.as_str()))
                && e.file_type().is_ok_and(|t| t.is_dir())
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// What to say about `leftovers` of `target` (shown as the user wrote it), and how to recover.
pub fn leftovers_note(target: &Path, shown: &Path, found: &[PathBuf], removed: bool) -> String {
    let mut s = String::new();
    for dir in found {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        if removed {
            s.push_str(&format!(
                "warning: removed {}, left by a run that was killed (--force)\n",
                dir.display()
            ));
            continue;
        }
        let what = if name.contains(".old-") {
            let inner = dir.join(target.file_name().unwrap_or_default());
            format!(
                "an earlier result moved aside by --force (it is in {}; `mv` it to {} to restore it)",
                inner.display(),
                shown.display()
            )
        } else if dir.join(MARKER).is_file() {
            format!(
                "a complete result that was never moved into place (`mv` it to {} to use it)",
                shown.display()
            )
        } else {
            "an unfinished result".to_string()
        };
        s.push_str(&format!(
            "warning: found {}, left by a run that was killed: {what}\n",
            dir.display()
        ));
    }
    if !removed && !found.is_empty() {
        s.push_str(
            "  unless another run is writing there now, delete it, or pass --force to remove it\n",
        );
    }
    s
}

/// Removes the `leftovers` of `target`; returns those removed.
pub fn remove_leftovers(target: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let found = leftovers(target);
    for dir in &found {
        fs::remove_dir_all(dir).map_err(io_err(dir))?;
    }
    Ok(found)
}

/// `check_target`, then the `leftovers` beside the target: reported on `err` with how to
/// recover them, or removed (and reported) with `force`. Returns the absolute target path.
pub fn prepare(target: &Path, force: bool, err: &mut dyn Write) -> Result<PathBuf, OutputError> {
    let abs = check_target(target, force)?;
    let found = if force {
        remove_leftovers(&abs)?
    } else {
        leftovers(&abs)
    };
    let _ = err.write_all(leftovers_note(&abs, target, &found, force).as_bytes());
    Ok(abs)
}

/// A directory being filled with results for `target`.
#[derive(Debug)]
pub struct Staging {
    dir: tempfile::TempDir,
    target: PathBuf,
    /// The path as the user gave it, for messages.
    shown: PathBuf,
    force: bool,
}

impl Staging {
    /// Checks the target (see `check_target`), creates its parent directories and an empty
    /// staging directory beside it.
    pub fn new(target: &Path, force: bool) -> Result<Self, OutputError> {
        let abs = check_target(target, force)?;
        let parent = abs
            .parent()
            .ok_or_else(|| OutputError::BadPath(target.to_path_buf()))?;
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        let name = abs.file_name().unwrap_or_default().to_string_lossy();
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.partial-"))
            .tempdir_in(parent)
            .map_err(io_err(parent))?;
        Ok(Staging {
            dir,
            target: abs,
            shown: target.to_path_buf(),
            force,
        })
    }

    /// The staging directory (removed unless committed).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `bytes` to `name` inside the staging directory.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.dir.path().join(name);
        fs::write(&path, bytes).map_err(|error| OutputError::Io {
            path: self.shown.join(name),
            error,
        })
    }

    /// Streams `name` inside the staging directory through `fill`.
    pub fn write_with(
        &self,
        name: &str,
        fill: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
    ) -> Result<(), OutputError> {
        let shown = |error| OutputError::Io {
            path: self.shown.join(name),
            error,
        };
        let file = fs::File::create(self.dir.path().join(name)).map_err(shown)?;
        let mut w = io::BufWriter::new(file);
        fill(&mut w).map_err(shown)?;
        io::Write::flush(&mut w).map_err(shown)
    }

    /// Moves the staged results to the target. With `force`, an earlier result is moved aside
    /// first and deleted only once the new one is in place (restored if the move fails).
    pub fn commit(self) -> Result<(), OutputError> {
        check_target(&self.shown, self.force)?;
        let parent = self.target.parent().unwrap_or(Path::new("."));
        let name = self
            .target
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let old = if fs::symlink_metadata(&self.target).is_ok() {
            let holder = tempfile::Builder::new()
                .prefix(&format!(".{name}.old-"))
                .tempdir_in(parent)
                .map_err(io_err(parent))?;
            let aside = holder.path().join(&*name);
            fs::rename(&self.target, &aside).map_err(io_err(&self.shown))?;
            Some((holder, aside))
        } else {
            None
        };
        let staged = self.dir.path().to_path_buf();
        if let Err(error) = fs::rename(&staged, &self.target) {
            if let Some((_, aside)) = &old {
                // Put the earlier result back; the staging directory is dropped with `self.dir`.
                let _ = fs::rename(aside, &self.target);
            }
            return Err(OutputError::Io {
                path: self.shown,
                error,
            });
        }
        // The staged directory now is the target: stop TempDir from deleting it.
        let _ = self.dir.keep();
        // `holder` drops here and deletes the earlier result.
        drop(old);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_named_as_such() {
        let e = OutputError::Io {
            path: "results/x/metrics.csv".into(),
            error: io::Error::from(io::ErrorKind::StorageFull),
        };
        assert_eq!(
            e.to_string(),
            "cannot write results/x/metrics.csv: no space left on device; free some space or write elsewhere"
        );
    }

    #[test]
    fn leftovers_are_found_beside_the_target_only() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("res");
        for d in [
            ".res.partial-1",
            ".res.old-2",
            ".resx.partial-3",
            ".other.old-4",
        ] {
            fs::create_dir(tmp.path().join(d)).unwrap();
        }
        let found: Vec<_> = leftovers(&target)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(found, [".res.old-2", ".res.partial-1"]);
        assert_eq!(remove_leftovers(&target).unwrap().len(), 2);
        assert!(leftovers(&target).is_empty());
        assert!(tmp.path().join(".resx.partial-3").is_dir());
    }
}
