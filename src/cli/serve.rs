//! `assetui serve`: the Scenario-compatible server on its own, or with
//! `--provider twelvelabs` the TwelveLabs-compatible one. The first line on
//! stdout is `listening on http://HOST:PORT/v1` (`/v1.3` for TwelveLabs);
//! SIGINT and SIGTERM stop it cleanly.

use std::io::Write;
use std::time::Duration;

use super::args::ServeArgs;
use super::CliError;
use crate::server::{self, ServerConfig};

/// `provider`: the global `--provider` (or `ASSETUI_PROVIDER`): which API
/// to serve, Scenario's (under `/v1`, the default) or TwelveLabs' (`/v1.3`).
pub async fn run(
    a: ServeArgs,
    provider: Option<crate::provider::ProviderKind>,
) -> Result<(), CliError> {
    if provider == Some(crate::provider::ProviderKind::TwelveLabs) {
        return run_twelvelabs(a).await;
    }
    let auth = a
        .auth
        .as_deref()
        .map(super::args::parse_auth)
        .transpose()
        .map_err(|e| CliError::Usage(format!("--auth: {e}")))?;
    let config = ServerConfig {
        addr: a.addr,
        data_dir: a.data,
        scale: a.scale,
        auth,
        faults: a.faults.unwrap_or_default(),
        latency: Duration::from_millis(a.latency),
        url_ttl: Duration::from_secs(a.url_ttl.max(1)),
        large_asset: a.large_asset,
        small_assets: a.small_assets,
        replace_every: a.replace_every,
        // `--data` is the user's: a store that cannot be read stops here
        on_bad_data: server::OnBadData::Fail,
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

/// `assetui serve --provider twelvelabs`.
async fn run_twelvelabs(a: ServeArgs) -> Result<(), CliError> {
    let scenario_only = [
        ("--large-asset", a.large_asset.is_some()),
        ("--small-assets", a.small_assets.is_some()),
        ("--replace-every", a.replace_every.is_some()),
    ];
    if let Some((flag, _)) = scenario_only.iter().find(|(_, given)| *given) {
        return Err(CliError::Usage(format!(
            "{flag} applies to the Scenario server only, not to --provider twelvelabs"
        )));
    }
    if a.auth.as_deref().is_some_and(str::is_empty) {
        return Err(CliError::Usage(
            "--auth: expected the API key that x-api-key must carry".into(),
        ));
    }
    let config = server::twelvelabs::TlConfig {
        addr: a.addr,
        data_dir: a.data,
        scale: a.scale,
        auth: a.auth,
        faults: a.faults.unwrap_or_default(),
        latency: Duration::from_millis(a.latency),
        url_ttl: Duration::from_secs(a.url_ttl.max(1)),
        ..Default::default()
    };
    let running = server::twelvelabs::start(config)
        .await
        .map_err(CliError::Failed)?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", running.base_url)?;
        out.flush()?;
    }
    let count = running
        .state
        .lib
        .read()
        .map(|l| l.assets.len())
        .unwrap_or(0);
    eprintln!("serving {count} TwelveLabs assets; Ctrl-C to stop");
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
