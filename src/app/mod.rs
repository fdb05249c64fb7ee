//! The browser's state machine: [`State`], the messages that change it
//! ([`Msg`]), the commands it asks for ([`Cmd`]), the keymap, and
//! [`update()`], which is pure: no I/O, no awaiting, no terminal.

pub mod action;
pub mod bulk;
pub mod downloads;
pub mod filters;
pub mod fuzzy;
pub mod images;
pub mod input;
pub mod inspector;
pub mod keymap;
pub mod layout;
pub mod list;
pub mod msg;
pub mod picker;
pub mod search;
pub mod selection;
pub mod state;
pub mod tags;
pub mod update;

pub use action::Action;
pub use msg::{AssetPurpose, Cmd, Msg};
pub use state::State;
pub use update::{init, update};
