//! The browser's state machine: [`State`], the messages that change it
//! ([`Msg`]), the commands it asks for ([`Cmd`]), the keymap, and
//! [`update()`], which is pure: no I/O, no awaiting, no terminal.

pub(crate) mod action;
pub(crate) mod bulk;
pub(crate) mod downloads;
pub(crate) mod filters;
pub(crate) mod fuzzy;
pub mod images;
pub(crate) mod input;
pub mod inspector;
pub mod keymap;
pub mod layout;
pub mod library;
pub mod list;
pub(crate) mod msg;
pub(crate) mod picker;
pub mod safety;
pub(crate) mod search;
pub(crate) mod selection;
pub mod state;
pub(crate) mod tags;
pub mod tree;
pub(crate) mod update;
// issue 18: messages you can read, keys you can find
pub mod help;
pub mod messages;
pub mod palette;

pub use action::Action;
pub use msg::{AssetPurpose, Cmd, Msg};
pub use state::State;
pub use update::{init, show_cached, update};
