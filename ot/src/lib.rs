//! duet-ot (see DESIGN.md).
