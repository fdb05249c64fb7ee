//! The `assetui` binary: parses the command line, sets up logging, runs the
//! command and turns any failure into one line on stderr and an exit code.

use clap::Parser;

use assetui::cli::{self, Cli};

fn main() {
    let cli = Cli::parse();
    // the browser owns the terminal: it logs to a file (browser.rs)
    if cli.command.is_some() {
        assetui::logging::init_stderr(cli.global.verbose);
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if cli.command.is_none() {
        // the browser's UI runs on this thread; the workers yield to it
        builder.on_thread_start(assetui::ui_first::lower_this_thread);
    }
    let runtime = match builder.build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("assetui: error: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            None => assetui::browser::run(&cli.global).await,
            Some(command) => cli::run(cli.global, command).await,
        }
    });
    // do not wait for idle pooled connections or blocking reads
    runtime.shutdown_background();
    if let Err(e) = result {
        let code = e.exit_code();
        if code != 0 {
            eprintln!("assetui: error: {}", cli::error_line(&e.to_string()));
        }
        std::process::exit(code);
    }
}
