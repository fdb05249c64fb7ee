//! `tag`, `upload` and `delete`: commands that change the library.

use std::io::{self, BufRead, IsTerminal, Write};

use super::args::{DeleteArgs, TagArgs, UploadArgs};
use super::context::Context;
use super::output::JsonWriter;
use super::CliError;
use crate::api::assets::upload_request_from_file;
use crate::api::params::UpdateTagsRequest;
use crate::sanitize;

pub async fn tag(ctx: &Context, a: TagArgs) -> Result<(), CliError> {
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
    for id in &a.ids {
        match ctx.client.update_tags(id, &request).await {
            Ok(reply) => match json.as_mut() {
                Some(w) => w.push(&serde_json::json!({ "id": id, "added": reply.added, "deleted": reply.deleted }))?,
                None => {
                    let mut parts: Vec<String> = reply.added.iter().map(|t| format!("+{t}")).collect();
                    parts.extend(reply.deleted.iter().map(|t| format!("-{t}")));
                    let change = if parts.is_empty() { "unchanged".to_string() } else { parts.join(" ") };
                    println!("{}: {}", sanitize::line(id, 80), sanitize::line(&change, 1000));
                }
            },
            Err(e) => failures.push(format!("{}: {e}", sanitize::line(id, 80))),
        }
    }
    if let Some(w) = json {
        w.finish()?;
    }
    fail_if_any(failures, a.ids.len())
}

pub async fn upload(ctx: &Context, a: UploadArgs) -> Result<(), CliError> {
    if a.name.is_some() && a.files.len() > 1 {
        return Err(CliError::Usage(
            "--name applies to one file; upload several without it".into(),
        ));
    }
    let mut json = a.json.then(|| JsonWriter::new(io::stdout().lock(), false));
    let mut failures = Vec::new();
    for path in &a.files {
        let (p, name) = (path.clone(), a.name.clone());
        let built = tokio::task::spawn_blocking(move || upload_request_from_file(&p, name))
            .await
            .map_err(|e| CliError::Failed(format!("upload: {e}")))?;
        let mut request = match built {
            Ok(r) => r,
            Err(e) => {
                failures.push(e.to_string());
                continue;
            }
        };
        request.collection_ids = a.collection.clone();
        request.parent_id = a.parent.clone();
        request.hide = a.hide.then_some(true);
        match ctx.client.upload(&request).await {
            Ok(asset) => match json.as_mut() {
                Some(w) => w.push(&asset)?,
                None => println!(
                    "{} → {}",
                    sanitize::line(&path.display().to_string(), 200),
                    sanitize::line(&asset.id, 80)
                ),
            },
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

pub async fn delete(ctx: &Context, a: DeleteArgs) -> Result<(), CliError> {
    let n = a.ids.len();
    let noun = if n == 1 { "asset" } else { "assets" };
    if !a.yes {
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
            return Ok(());
        }
    }
    let done =
        ctx.client.delete_assets(&a.ids).await.map_err(|e| {
            CliError::Failed(format!("{e} (the first assets may already be deleted)"))
        })?;
    eprintln!("deleted {done} {noun}");
    Ok(())
}

/// Exit 1 with every failure listed when any item failed.
fn fail_if_any(failures: Vec<String>, total: usize) -> Result<(), CliError> {
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
