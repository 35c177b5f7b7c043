//! The views: one module per pane.

pub mod controls;
pub mod docs_pane;
pub mod explorer;
pub mod kmod;
pub mod search;
pub mod state_panel;
pub mod timeline;
pub mod transcript;
