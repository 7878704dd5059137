//! Bytes out: JSON, CSV, charts, HTML. The only layer that knows output formats.

pub mod compare;
pub mod format;
