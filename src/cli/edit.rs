//! `tag`, `upload`, `delete` and `collect`: commands that change the
//! library, through [`crate::edits`] as the browser's keys do.

use std::io::{self, BufRead, IsTerminal, Write};

use super::args::{CollectArgs, DeleteArgs, TagArgs, UploadArgs};
use super::context::Context;
use super::output::JsonWriter;
use super::CliError;
use crate::api::params::UpdateTagsRequest;
use crate::sanitize;

pub async fn tag(ctx: &Context, a: TagArgs) -> Result<(), CliError> {
    if !a.set.is_empty() || !a.unset.is_empty() {
        return Err(CliError::Usage(
            "--set and --unset are TwelveLabs' user metadata; Scenario has --add and --remove"
                .into(),
        ));
    }
    if a.add.is_empty() && a.remove.is_empty() {
        return Err(CliError::Usage(
            "nothing to do: give --add TAG and/or --remove TAG".into(),
        ));
    }
    let request = UpdateTagsRequest {
        add: a.add,
        delete: a.remove,
        strict: a.strict.then_some(true),
    };
    let mut json = a.json.then(|| JsonWriter::new(io::stdout().lock(), false));
    let mut failures = Vec::new();
    for (id, result) in
        crate::edits::tag_each(ctx.scenario("this command")?, &a.ids, &request).await
    {
        match result {
            Ok(reply) => match json.as_mut() {
                Some(w) => w.push(&serde_json::json!({ "id": id, "added": reply.added, "deleted": reply.deleted }))?,
                None => {
                    let mut parts: Vec<String> = reply.added.iter().map(|t| format!("+{t}")).collect();
                    parts.extend(reply.deleted.iter().map(|t| format!("-{t}")));
                    let change = if parts.is_empty() { "unchanged".to_string() } else { parts.join(" ") };
                    println!("{}: {}", sanitize::line(&id, 80), sanitize::line(&change, 1000));
                }
            },
            Err(e) => failures.push(format!("{}: {e}", sanitize::line(&id, 80))),
        }
    }
    if let Some(w) = json {
        w.finish()?;
    }
    fail_if_any(failures, a.ids.len())
}

pub async fn upload(ctx: &Context, a: UploadArgs) -> Result<(), CliError> {
    if !a.url.is_empty() {
        return Err(CliError::Usage(
            "--url is TwelveLabs'; Scenario uploads local files".into(),
        ));
    }
    if a.name.is_some() && a.files.len() > 1 {
        return Err(CliError::Usage(
            "--name applies to one file; upload several without it".into(),
        ));
    }
    let mut json = a.json.then(|| JsonWriter::new(io::stdout().lock(), false));
    let mut failures = Vec::new();
    for path in &a.files {
        let options = crate::edits::UploadOptions {
            name: a.name.clone(),
            collections: a.collection.clone(),
            parent: a.parent.clone(),
            hide: a.hide,
        };
        match crate::edits::upload_file(ctx.scenario("this command")?, path, options).await {
            Ok(asset) => match json.as_mut() {
                Some(w) => w.push(&asset)?,
                None => println!(
                    "{} → {}",
                    sanitize::line(&path.display().to_string(), 200),
                    sanitize::line(&asset.id, 80)
                ),
            },
            // a local problem names the file already
            Err(e @ crate::api::ApiError::Invalid(_)) => failures.push(e.to_string()),
            Err(e) => failures.push(format!(
                "{}: {e}",
                sanitize::line(&path.display().to_string(), 200)
            )),
        }
    }
    if let Some(w) = json {
        w.finish()?;
    }
    fail_if_any(failures, a.files.len())
}

/// Asks on the terminal before deleting `n` assets (unless `yes`); an
/// error without a terminal to ask on. `false`: the user said no.
pub(super) fn confirm_delete(n: usize, yes: bool) -> Result<bool, CliError> {
    let noun = if n == 1 { "asset" } else { "assets" };
    if yes {
        return Ok(true);
    }
    if !io::stdin().is_terminal() || !io::stderr().is_terminal() {
        return Err(CliError::Usage(format!(
            "refusing to delete {n} {noun} without a terminal to ask on; add --yes"
        )));
    }
    eprint!("Delete {n} {noun} for good? [y/N] ");
    io::stderr().flush()?;
    let mut answer = String::new();
    io::stdin().lock().read_line(&mut answer)?;
    if !matches!(answer.trim(), "y" | "Y" | "yes") {
        eprintln!("nothing deleted");
        return Ok(false);
    }
    Ok(true)
}

pub async fn delete(ctx: &Context, a: DeleteArgs) -> Result<(), CliError> {
    let n = a.ids.len();
    let noun = if n == 1 { "asset" } else { "assets" };
    if a.force {
        return Err(CliError::Usage(
            "--force is TwelveLabs' (Scenario deletes without it)".into(),
        ));
    }
    if !confirm_delete(n, a.yes)? {
        return Ok(());
    }
    let done = crate::edits::delete(ctx.scenario("this command")?, &a.ids)
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?;
    eprintln!("deleted {done} {noun}");
    Ok(())
}

pub async fn collect(ctx: &Context, a: CollectArgs) -> Result<(), CliError> {
    let n = crate::edits::collect(
        ctx.scenario("this command")?,
        &a.collection,
        &a.ids,
        a.remove,
    )
    .await
    .map_err(|e| CliError::Failed(e.to_string()))?;
    let shown = sanitize::line(&a.collection, 80);
    if a.json {
        let key = if a.remove { "removed" } else { "added" };
        super::output::print_json(&serde_json::json!({ "collection": a.collection, key: a.ids }))?;
    } else if a.remove {
        eprintln!("removed {n} from {shown}");
    } else {
        eprintln!("added {n} to {shown}");
    }
    Ok(())
}

/// Exit 1 with every failure listed when any item failed.
pub(super) fn fail_if_any(failures: Vec<String>, total: usize) -> Result<(), CliError> {
    if failures.is_empty() {
        return Ok(());
    }
    for f in &failures[..failures.len() - 1] {
        eprintln!("assetui: error: {f}");
    }
    let last = failures.last().cloned().unwrap_or_default();
    if total > 1 {
        Err(CliError::Failed(format!(
            "{last} ({} of {total} failed)",
            failures.len()
        )))
    } else {
        Err(CliError::Failed(last))
    }
}
