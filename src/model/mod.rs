//! Scenario -> compiled flat network (indices, topological order, no strings in hot data).
