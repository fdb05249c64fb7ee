//! `assetui serve`: the Scenario-compatible server on its own. The first
//! line on stdout is `listening on http://HOST:PORT/v1`; SIGINT and SIGTERM
//! stop it cleanly.

use std::io::Write;
use std::time::Duration;

use super::args::ServeArgs;
use super::CliError;
use crate::server::{self, ServerConfig};

pub async fn run(a: ServeArgs) -> Result<(), CliError> {
    let config = ServerConfig {
        addr: a.addr,
        data_dir: a.data,
        scale: a.scale,
        auth: a.auth,
        faults: a.faults.unwrap_or_default(),
        latency: Duration::from_millis(a.latency),
        url_ttl: Duration::from_secs(a.url_ttl.max(1)),
        large_asset: a.large_asset,
        small_assets: a.small_assets,
        replace_every: a.replace_every,
    };
    let running = server::start(config).await.map_err(CliError::Failed)?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", running.base_url)?;
        out.flush()?;
    }
    let count = running.state.lib.read().map(|l| l.len()).unwrap_or(0);
    eprintln!("serving {count} assets; Ctrl-C to stop");
    if let Some(large) = running.state.generated.large() {
        eprintln!(
            "large asset: {} ({} bytes); byte counts at {}/_demo/stats",
            large.id, large.size, running.base_url
        );
    }
    wait_for_signal().await;
    eprintln!("stopping");
    running.stop().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
