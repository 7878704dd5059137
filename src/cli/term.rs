//! Writing to the terminal. Text from scenario files goes out with control characters escaped
//! (`Escaped`), so a hostile name cannot send commands to the terminal; a closed standard output
//! (`chokepoint explain FILE | head -1`) ends the command quietly with `EXIT_PIPE`, and any other
//! write failure (`> /dev/full`) with one line on stderr and `EXIT_OUTPUT`, never a panic.

use std::io::{self, Write};

use super::{EXIT_OUTPUT, EXIT_PIPE};
use crate::report::format::terminal_lines;

/// A writer that escapes every control character except line breaks in what passes through
/// (see `report::format::terminal`). Diagnostics, which escape their own text and may add colour
/// codes, are written to the underlying stream instead.
pub struct Escaped<W>(pub W);

impl<W: Write> Write for Escaped<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(terminal_lines(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Standard error with control characters escaped.
pub fn stderr() -> Escaped<io::Stderr> {
    Escaped(io::stderr())
}

/// Standard output with control characters escaped.
pub fn stdout() -> Escaped<io::Stdout> {
    Escaped(io::stdout())
}

/// Writes `text` to `out` and flushes it; on failure, the exit code (see `stdout_failed`).
pub fn print(out: &mut dyn Write, text: &str, err: &mut dyn Write) -> Result<(), i32> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| stdout_failed(&e, err))
}

/// The exit code after writing to standard output failed with `e`: `EXIT_PIPE` without a word
/// when the reader went away (a closed pipe), else `EXIT_OUTPUT` with the reason on `err`.
pub fn stdout_failed(e: &io::Error, err: &mut dyn Write) -> i32 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return EXIT_PIPE;
    }
    let _ = writeln!(err, "error: cannot write to standard output: {}", reason(e));
    EXIT_OUTPUT
}

/// An IO error in words, naming a full disk as such.
pub fn reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::StorageFull => {
            "no space left on device; free some space or write elsewhere".into()
        }
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_writer_keeps_line_breaks_only() {
        let mut w = Escaped(Vec::new());
        write!(w, "name \u{1b}[2J\r\nnext").unwrap();
        assert_eq!(String::from_utf8(w.0).unwrap(), "name \\e[2J\\r\nnext");
    }

    #[test]
    fn a_closed_pipe_is_quiet_and_a_full_disk_says_so() {
        let mut err = Vec::new();
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        assert_eq!(stdout_failed(&pipe, &mut err), EXIT_PIPE);
        assert!(err.is_empty());
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert_eq!(stdout_failed(&full, &mut err), EXIT_OUTPUT);
        assert!(
            String::from_utf8(err)
                .unwrap()
                .contains("no space left on device")
        );
    }
}
