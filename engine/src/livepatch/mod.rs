//! The livepatch core, file by file as in kernel/livepatch/.

pub(crate) mod callbacks;
pub(crate) mod core;
pub(crate) mod hooks_v1;
pub mod kernel_version;
pub(crate) mod patch;
pub(crate) mod registration;
pub(crate) mod shadow;
pub(crate) mod state;
pub(crate) mod state_callbacks;
pub(crate) mod transition;
