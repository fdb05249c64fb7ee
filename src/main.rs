//! The `assetui` binary: parses the command line, sets up logging, runs the
//! command and turns any failure into one line on stderr and an exit code.

use clap::Parser;

use assetui::cli::{self, Cli};

fn main() {
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("assetui: error: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = runtime.block_on(cli::run(cli));
    // do not wait for idle pooled connections or blocking reads
    runtime.shutdown_background();
    if let Err(e) = result {
        let code = e.exit_code();
        if code != 0 {
            eprintln!("assetui: error: {e}");
        }
        std::process::exit(code);
    }
}

/// `-v` and `-vv` log to stderr (the interactive browser logs to a file).
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => "assetui=debug",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("ASSETUI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
