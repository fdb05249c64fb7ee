//! `assetui cache info|clear`: the local index of the assets the browser
//! has seen (its file, size, bound and the assets of each library), and
//! emptying it. No network: neither needs credentials.

use super::args::{CacheArgs, CacheCommand};
use super::output::{print_json, table_width, Column, Table};
use super::CliError;
use crate::library_index::{self, Index};

pub fn run(args: CacheArgs) -> Result<(), CliError> {
    let path = library_index::default_path()
        .ok_or_else(|| CliError::Failed("no cache directory: set HOME or XDG_CACHE_HOME".into()))?;
    let max = max_assets()?;
    match args.command {
        CacheCommand::Info { json } => info(&path, max, json),
        CacheCommand::Clear => clear(&path),
    }
}

/// `[cache] index_max_assets`, or the default.
fn max_assets() -> Result<u64, CliError> {
    let loaded = match crate::config::default_config_path() {
        Some(p) => crate::config::load(&p)?,
        None => None,
    };
    Ok(loaded
        .and_then(|l| l.config.cache.index_max_assets)
        .unwrap_or(library_index::DEFAULT_MAX_ASSETS))
}

fn info(path: &std::path::Path, max: u64, json: bool) -> Result<(), CliError> {
    let libraries = if path.exists() {
        Index::open(path)
            .map_err(CliError::Failed)?
            .libraries()
            .map_err(CliError::Failed)?
    } else {
        Vec::new()
    };
    let bytes = library_index::file_bytes(path);
    let total: u64 = libraries.iter().map(|l| l.assets).sum();
    if json {
        let value = serde_json::json!({
            "path": path.display().to_string(),
            "bytes": bytes,
            "assets": total,
            "max_assets": max,
            "libraries": libraries.iter().map(|l| serde_json::json!({
                "provider": l.provider,
                "base_url": l.base_url,
                "profile": l.profile,
                "assets": l.assets,
                "written": l.written,
            })).collect::<Vec<_>>(),
        });
        print_json(&value)?;
        return Ok(());
    }
    println!(
        "index: {}",
        crate::sanitize::line(&path.display().to_string(), 500)
    );
    println!(
        "size: {} · {} of at most {} assets",
        crate::text::human_size(bytes),
        total,
        max
    );
    if libraries.is_empty() {
        println!("no library indexed yet (the browser indexes what it lists)");
        return Ok(());
    }
    let mut table = Table::new(vec![
        Column {
            header: "PROVIDER",
            min: 8,
            flexible: false,
        },
        Column {
            header: "BASE URL",
            min: 12,
            flexible: true,
        },
        Column {
            header: "PROFILE",
            min: 7,
            flexible: true,
        },
        Column {
            header: "ASSETS",
            min: 6,
            flexible: false,
        },
    ]);
    for l in &libraries {
        table.row(vec![
            l.provider.clone(),
            l.base_url.clone(),
            l.profile.clone(),
            l.assets.to_string(),
        ]);
    }
    print!("{}", table.render(table_width()));
    Ok(())
}

fn clear(path: &std::path::Path) -> Result<(), CliError> {
    if !path.exists() {
        println!("the index is empty already");
        return Ok(());
    }
    let before = library_index::file_bytes(path);
    let index = Index::open(path).map_err(CliError::Failed)?;
    let assets: u64 = index
        .libraries()
        .map_err(CliError::Failed)?
        .iter()
        .map(|l| l.assets)
        .sum();
    index.clear().map_err(CliError::Failed)?;
    let after = library_index::file_bytes(path);
    println!(
        "cleared {} (the file went from {} to {})",
        crate::provider::plural(assets as usize, "asset", "assets"),
        crate::text::human_size(before),
        crate::text::human_size(after)
    );
    Ok(())
}
