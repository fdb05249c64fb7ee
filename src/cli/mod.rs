//! The non-interactive commands. Each is a thin layer over `api::Client`:
//! parse, call, print. Exit codes: 0 success, 1 an API, network or file
//! error (one line on stderr), 2 a usage error.

pub mod args;
mod cache;
pub(crate) mod context;
mod doctor;
mod download;
mod edit;
mod library;
mod login;
pub(crate) mod output;
mod read;
pub(crate) mod render;
mod serve;
mod sync;
mod tree;
mod twelvelabs;

use std::io;

pub use args::{Cli, Command};
pub use output::error_line;

use crate::api::ApiError;
use crate::config::ConfigError;

/// Why a command failed, and so which exit code it gets.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Wrong use of the command line: exit 2.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// Something else went wrong (already phrased for the user): exit 1.
    #[error("{0}")]
    Failed(String),
    /// stdout closed early (`| head`): not an error for the user.
    #[error("broken pipe")]
    BrokenPipe,
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            CliError::BrokenPipe => 0,
            _ => 1,
        }
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            CliError::Failed(format!("cannot write the output: {e}"))
        }
    }
}

/// Runs one command to completion (without one, `assetui` is the
/// browser: `main.rs` starts it, so the commands need nothing of it).
pub async fn run(global: args::GlobalArgs, command: Command) -> Result<(), CliError> {
    match command {
        Command::Completions(a) => {
            use clap::CommandFactory;
            use std::io::Write;
            // into memory first: clap_complete panics on a failed write,
            // and `| head` closes the pipe early
            let mut script = Vec::new();
            clap_complete::generate(a.shell, &mut Cli::command(), "assetui", &mut script);
            let mut out = io::stdout().lock();
            out.write_all(&script)?;
            out.flush()?;
            Ok(())
        }
        Command::Login(_) => login::run(&global).await,
        Command::Serve(a) => serve::run(a, global.provider).await,
        Command::Doctor(a) => doctor::run(&global, a).await,
        Command::Cache(a) => cache::run(a),
        command => {
            let ctx = context::connect(&global).await?;
            if let context::Service::TwelveLabs(client) = &ctx.service {
                return on_twelvelabs(client, command).await;
            }
            match command {
                Command::List(a) => read::list(&ctx, a).await,
                Command::Get(a) => read::get(&ctx, a).await,
                Command::Search(a) => read::search(&ctx, a).await,
                Command::Tag(a) => edit::tag(&ctx, a).await,
                Command::Upload(a) => edit::upload(&ctx, a).await,
                Command::Delete(a) => edit::delete(&ctx, a).await,
                Command::Download(a) => download::run(&ctx, a).await,
                Command::Tags(a) => library::tags(&ctx, a).await,
                Command::Collections(a) => library::collections(&ctx, a).await,
                Command::Collect(a) => edit::collect(&ctx, a).await,
                Command::Tree(a) => tree::run(&ctx, a).await,
                Command::Sync(a) => sync::run(&ctx, a).await,
                Command::Indexes(_) => Err(CliError::Usage(
                    "indexes are TwelveLabs': add --provider twelvelabs".into(),
                )),
                Command::Login(_)
                | Command::Completions(_)
                | Command::Serve(_)
                | Command::Doctor(_)
                | Command::Cache(_) => Ok(()),
            }
        }
    }
}

/// A command on TwelveLabs: the ones it serves, else one line naming why.
async fn on_twelvelabs(
    client: &assetui_twelvelabs::Client,
    command: Command,
) -> Result<(), CliError> {
    match command {
        Command::List(a) => twelvelabs::list(client, a).await,
        Command::Get(a) => twelvelabs::get(client, a).await,
        Command::Search(a) => twelvelabs::search(client, a).await,
        Command::Tag(a) => twelvelabs::tag(client, a).await,
        Command::Upload(a) => twelvelabs::upload(client, a).await,
        Command::Delete(a) => twelvelabs::delete(client, a).await,
        Command::Indexes(a) => twelvelabs::indexes(client, a).await,
        Command::Tags(_) => Err(CliError::Usage(
            "TwelveLabs has user metadata, not tags: `assetui get ID` shows it".into(),
        )),
        Command::Collections(_) | Command::Collect(_) => Err(CliError::Usage(
            "TwelveLabs has no collections (it has indexes: `assetui indexes`)".into(),
        )),
        Command::Download(_) => Err(CliError::Usage(
            "downloads speak Scenario only in this version".into(),
        )),
        Command::Tree(_) => Err(CliError::Usage(
            "TwelveLabs keeps no parent or root assets: there is no family tree".into(),
        )),
        Command::Sync(_) => Err(CliError::Usage(
            "sync downloads, which speak Scenario only in this version".into(),
        )),
        Command::Login(_)
        | Command::Completions(_)
        | Command::Serve(_)
        | Command::Doctor(_)
        | Command::Cache(_) => Ok(()),
    }
}
