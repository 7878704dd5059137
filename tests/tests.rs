//! The one integration test binary; each area adds its module here.

mod cli_check;
mod scenario_errors;
mod scenario_props;
mod scenario_valid;
