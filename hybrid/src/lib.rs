//! duet-hybrid (see DESIGN.md).
