//! Every integration test in one binary: one link of the whole workspace
//! instead of one per file, and one place for the shared support code
//! (`support/`: the recording server and the pseudo-terminal). Each module
//! is what was a test file; `cargo test NAME` still picks tests by name
//! (`cargo test download_queue::` runs one module).

mod support;

mod app_bounds;
mod app_edits;
mod app_flow;
mod app_safety;
mod app_sync;
mod app_uploads;
mod cli;
mod cli_bounds;
mod client_bounds;
mod client_retry;
mod client_wire;
mod config;
mod demo_state;
mod doctor;
mod download_cli;
mod download_faults;
mod download_hostile;
mod download_queue;
mod e2e_download;
mod e2e_pty;
mod image_pipeline;
mod lineage;
mod live_service;
mod models_decode;
mod offline;
mod server_api;
mod server_ops;
mod server_search;
mod structure;
mod sync_cli;
mod twelvelabs;
mod twelvelabs_server;
mod twelvelabs_uploads;
mod ui_snapshots;
