//! The views: one module per pane.

pub mod ask;
pub mod controls;
pub mod docs_pane;
pub mod explorer;
pub mod profiles;
pub mod search;
pub mod state_panel;
pub mod timeline;
pub mod transcript;
