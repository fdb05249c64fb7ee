//! `tags` and `collections`.

use std::io::{self, Write};

use super::args::JsonOnly;
use super::context::Context;
use super::output::{self, Column, JsonWriter, Table};
use super::render::short_date;
use super::CliError;

pub async fn tags(ctx: &Context, a: JsonOnly) -> Result<(), CliError> {
    let listing = ctx.scenario("this command")?.tags().await?;
    warn(listing.warning.as_deref());
    let mut tags = listing.items;
    if a.json {
        let mut w = JsonWriter::new(io::stdout().lock(), false);
        for t in &tags {
            w.push(t)?;
        }
        w.finish()?;
        return Ok(());
    }
    tags.sort_by(|a, b| {
        let count = |t: &crate::api::models::Tag| {
            t.item_count.as_ref().and_then(|n| n.as_u64()).unwrap_or(0)
        };
        count(b)
            .cmp(&count(a))
            .then_with(|| a.tag_name.cmp(&b.tag_name))
    });
    let mut table = Table::new(vec![
        Column {
            header: "TAG",
            min: 8,
            flexible: true,
        },
        Column {
            header: "ASSETS",
            min: 6,
            flexible: false,
        },
    ]);
    for t in &tags {
        table.row(vec![
            t.tag_name.clone().unwrap_or_default(),
            t.item_count
                .as_ref()
                .map(|n| n.to_string())
                .unwrap_or_default(),
        ]);
    }
    print_table(table, "tags")
}

pub async fn collections(ctx: &Context, a: JsonOnly) -> Result<(), CliError> {
    let listing = ctx.scenario("this command")?.collections().await?;
    warn(listing.warning.as_deref());
    let collections = listing.items;
    if a.json {
        let mut w = JsonWriter::new(io::stdout().lock(), false);
        for c in &collections {
            w.push(c)?;
        }
        w.finish()?;
        return Ok(());
    }
    let mut table = Table::new(vec![
        Column {
            header: "ID",
            min: 8,
            flexible: false,
        },
        Column {
            header: "NAME",
            min: 8,
            flexible: true,
        },
        Column {
            header: "ASSETS",
            min: 6,
            flexible: false,
        },
        Column {
            header: "UPDATED",
            min: 10,
            flexible: false,
        },
    ]);
    for c in &collections {
        table.row(vec![
            c.id.clone().unwrap_or_default(),
            c.name.clone().unwrap_or_default(),
            c.asset_count
                .as_ref()
                .map(|n| n.to_string())
                .unwrap_or_default(),
            c.updated_at.as_deref().map(short_date).unwrap_or_default(),
        ]);
    }
    print_table(table, "collections")
}

/// A list cut short (a cap, a token cycle) says so on stderr.
fn warn(warning: Option<&str>) {
    if let Some(w) = warning {
        eprintln!("assetui: warning: {}", output::error_line(w));
    }
}

fn print_table(table: Table, what: &str) -> Result<(), CliError> {
    if table.is_empty() {
        eprintln!("no {what}");
        return Ok(());
    }
    io::stdout()
        .lock()
        .write_all(table.render(output::table_width()).as_bytes())?;
    Ok(())
}
