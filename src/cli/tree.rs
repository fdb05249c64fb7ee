//! `assetui tree ID`: the asset's family (the same tree as the browser's
//! `L`), with box-drawing, or nested JSON with `--json` (each node's full
//! asset under `asset`, its children under `children`). What could not be
//! placed is said on stderr, one line each.

use std::io::{self, Write};

use super::args::TreeArgs;
use super::context::Context;
use super::output;
use super::CliError;
use crate::lineage::{load, Tree};
use crate::provider::scenario;

pub async fn run(ctx: &Context, a: TreeArgs) -> Result<(), CliError> {
    let client = ctx.scenario("the family tree")?;
    let asset = client.get_asset(&a.id).await?;
    let tree = load::whole(client, scenario::view(asset)).await;
    if a.json {
        output::print_json(&tree.to_json())?;
    } else {
        let mut out = io::stdout().lock();
        out.write_all(render(&tree).as_bytes())?;
        out.flush()?;
    }
    for p in tree.problems() {
        eprintln!("{}", output::error_line(&format!("warning: {p}")));
    }
    Ok(())
}

/// The tree as box-drawn lines: name, type, date and id of each node,
/// sanitized.
pub fn render(tree: &Tree) -> String {
    let mut s = String::new();
    for row in tree.rows(None) {
        let Some(node) = tree.get(&row.id) else {
            continue;
        };
        let a = &node.asset;
        let name = crate::sanitize::line(a.display_name(), 80);
        let kind = crate::sanitize::line(a.type_label.as_deref().unwrap_or("-"), 40);
        let date = match crate::lineage::day(a) {
            d if d.is_empty() => "-".to_string(),
            d => d,
        };
        let id = crate::sanitize::line(&a.id, 80);
        s.push_str(&format!("{}{name}  {kind}  {date}  {id}\n", row.prefix));
    }
    s
}
