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
    if !a.set.is_empty() || !a.unset.is_empty() || a.clear {
        return Err(CliError::Usage(
            "--set, --unset and --clear are TwelveLabs' user metadata; Scenario has --add and --remove"
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
    let bars = !a.json && io::stderr().is_terminal();
    let mut failures = Vec::new();
    for path in &a.files {
        let options = crate::edits::UploadOptions {
            name: a.name.clone(),
            collections: a.collection.clone(),
            parent: a.parent.clone(),
            hide: a.hide,
        };
        let shown = sanitize::line(&path.display().to_string(), 200);
        let bar = bars.then(|| UploadBar::new(&shown));
        let progress: crate::api::uploads::OnProgress = match &bar {
            Some(b) => b.callback(),
            None => crate::edits::no_progress(),
        };
        let result =
            crate::edits::upload_file(ctx.scenario("this command")?, path, options, progress).await;
        if let Some(b) = &bar {
            b.clear();
        }
        match result {
            Ok(asset) => match json.as_mut() {
                Some(w) => w.push(&asset)?,
                None => println!("{shown} → {}", sanitize::line(&asset.id, 80)),
            },
            // a local problem, or a refused import, names the file already
            Err(
                e @ (crate::api::ApiError::Invalid(_) | crate::api::ApiError::UploadFailed { .. }),
            ) => failures.push(e.to_string()),
            Err(e) => failures.push(format!("{shown}: {e}")),
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

/// One file's progress bar on stderr (a terminal only), redrawn in place
/// at most ten times a second: `name [#####.....] 42% 12 MiB/28 MiB`, then
/// the import's status.
pub(super) struct UploadBar {
    state: std::sync::Arc<std::sync::Mutex<BarState>>,
}

struct BarState {
    name: String,
    drawn: bool,
    last: Option<std::time::Instant>,
}

impl UploadBar {
    pub(super) fn new(name: &str) -> UploadBar {
        UploadBar {
            state: std::sync::Arc::new(std::sync::Mutex::new(BarState {
                name: name.to_string(),
                drawn: false,
                last: None,
            })),
        }
    }

    pub(super) fn callback(&self) -> crate::api::uploads::OnProgress {
        let state = self.state.clone();
        std::sync::Arc::new(move |p| {
            use crate::api::uploads::UploadProgress;
            let Ok(mut s) = state.lock() else { return };
            let width = super::output::table_width().unwrap_or(100).clamp(40, 200);
            let tail = match p {
                UploadProgress::Sent { sent, total } => {
                    let now = std::time::Instant::now();
                    let done = sent >= total;
                    if !done
                        && s.last
                            .is_some_and(|t| now - t < std::time::Duration::from_millis(100))
                    {
                        return;
                    }
                    s.last = Some(now);
                    let ratio = (sent as f64 / total.max(1) as f64).min(1.0);
                    let filled = (ratio * 20.0) as usize;
                    format!(
                        "[{}{}] {:>3.0}% {}/{}",
                        "#".repeat(filled),
                        ".".repeat(20 - filled),
                        ratio * 100.0,
                        crate::text::human_size(sent),
                        crate::text::human_size(total)
                    )
                }
                UploadProgress::Status(status) => {
                    format!("sent, {}", sanitize::line(&status, 30))
                }
            };
            let name_w = width.saturating_sub(50).max(12);
            let line = format!(
                "{} {}",
                crate::text::fit(&s.name, name_w),
                crate::text::fit(&tail, width.saturating_sub(name_w + 1))
            );
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
            s.drawn = true;
        })
    }

    /// Erases the bar (the outcome is printed after it).
    pub(super) fn clear(&self) {
        if let Ok(mut s) = self.state.lock() {
            if s.drawn {
                let mut err = io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
                s.drawn = false;
            }
        }
    }
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
    let shown = sanitize::line(&a.collection, 80);
    if a.remove {
        let n = crate::edits::remove_from_collection(
            ctx.scenario("this command")?,
            &a.collection,
            &a.ids,
        )
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?;
        if a.json {
            super::output::print_json(
                &serde_json::json!({ "collection": a.collection, "removed": a.ids }),
            )?;
        } else {
            eprintln!("removed {n} from {shown}");
        }
        return Ok(());
    }
    let outcome =
        crate::edits::add_to_collection(ctx.scenario("this command")?, &a.collection, &a.ids)
            .await?;
    if a.json {
        super::output::print_json(&serde_json::json!({
            "collection": a.collection,
            "added": outcome.added,
            "alreadyThere": outcome.already,
            "failed": outcome.failed,
        }))?;
    }
    let mut line = format!("added {} to {shown}", outcome.added.len());
    if !outcome.already.is_empty() {
        line.push_str(&format!(", {} already there", outcome.already.len()));
    }
    match outcome.error {
        // the error is the one line: it carries the counts
        Some(e) if !outcome.failed.is_empty() => Err(CliError::Failed(format!(
            "{} of {} not added ({line}): {e}",
            outcome.failed.len(),
            a.ids.len()
        ))),
        _ => {
            if !a.json {
                eprintln!("{line}");
            }
            Ok(())
        }
    }
}

/// Exit 1 when any item failed, in one line: the first failure and how
/// many there were (`-v` logs each).
pub(super) fn fail_if_any(failures: Vec<String>, total: usize) -> Result<(), CliError> {
    let Some(first) = failures.first() else {
        return Ok(());
    };
    for f in &failures {
        tracing::info!("failed: {f}");
    }
    Err(CliError::Failed(one_of_many(first, failures.len(), total)))
}

/// `first` alone, or `first (and N more: F of T failed; -v lists each)`:
/// a failure among several, in one line.
pub(super) fn one_of_many(first: &str, failed: usize, total: usize) -> String {
    match (failed, total) {
        (0 | 1, 0 | 1) => first.to_string(),
        (1, _) => format!("{first} (1 of {total} failed)"),
        _ => format!(
            "{first} (and {} more: {failed} of {total} failed; -v lists each)",
            failed - 1
        ),
    }
}
