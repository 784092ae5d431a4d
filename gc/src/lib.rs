//! duet-gc (see DESIGN.md).
