//! Bytes out: JSON, CSV, charts, HTML. The only layer that knows output formats.

pub mod charts;
pub mod html;
