//! The one integration test binary (see STYLE.md): one module per area.

mod report;
