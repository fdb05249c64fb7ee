//! Typed models of every answer a browser reads. They lose nothing: every
//! field is optional and left out when absent, numbers that may be
//! fractional are kept as sent (`serde_json::Number`), unknown fields land
//! in `extra`, and enums are open (`Other(String)`), so decoding and
//! encoding again gives the server's JSON back. Strings are raw: sanitize
//! (`assetui_api::sanitize`) before they reach a terminal.

mod assets;
mod common;
mod enums;
mod indexes;
mod metadata;
mod search;
mod upload;

pub use assets::*;
pub use common::{ErrorBody, Page, PageInfo};
pub use enums::*;
pub use indexes::*;
pub use metadata::{MetadataValue, UserMetadata};
pub use search::*;
pub use upload::*;
