//! The interactive browser's event loop: one `select!` over terminal
//! input, worker messages, signals, the spinner tick and the frame
//! deadline. Each message goes through the [`Driver`] (`update()`, then the
//! commands to the workers), as in the headless browser the tests drive;
//! the screen is drawn only when something changed.

use std::time::{Duration, Instant};

use crossterm::event::Event;
use tokio::sync::mpsc;

use crate::app::keymap::Keymap;
use crate::app::{Msg, State};
use crate::cli::args::GlobalArgs;
use crate::cli::{context, CliError};
use crate::clipboard;
use crate::config::DownloadSettings;
use crate::download::queue::{Config as QueueConfig, Queue, DEFAULT_JOBS};
use crate::driver::Driver;
use crate::graphics::{self, ProtocolChoice};
use crate::term::Tui;
use crate::worker::api::ApiWorker;
use crate::worker::images::{DiskCache, ImagePipeline};
use crate::worker::{images_into, Control, Workers};

/// Frames for worker messages (pages, thumbnails, a download's progress)
/// are at most this often (60 a second, a display's pace); more changes in
/// between are merged. A key, a click or a resize is drawn at once: the
/// user is waiting for it. At 8 ms, moving through rows while thumbnails
/// arrived and a download ran drew some 120 frames a second, whose writes
/// and their kernel work took the cores a key's frame then waited for
/// (issue 21, item 4).
const MIN_FRAME: Duration = Duration::from_millis(16);
const SPINNER: Duration = Duration::from_millis(100);
/// Thumbnails fetched and decoded at once.
const IMAGE_JOBS: usize = 6;
/// Disk cache of fetched renditions.
const DISK_CACHE_BYTES: u64 = 256 << 20;

/// What the browser takes from the config file.
struct BrowserConfig {
    keymap: Keymap,
    clipboard: clipboard::Mode,
    downloads: DownloadSettings,
    image_protocol: Option<ProtocolChoice>,
    /// `density` (the list at start) and where `v` writes it.
    density: crate::app::layout::Density,
    /// `theme`: auto asks the terminal's background at every start.
    theme: crate::ui::theme::Theme,
    path: Option<std::path::PathBuf>,
    /// `[cache] index_max_assets`.
    index_max_assets: u64,
}

/// The keymap with the config file's `[keys]` applied, its `clipboard`
/// choice, `[downloads]` and `image_protocol`.
fn browser_config() -> Result<BrowserConfig, CliError> {
    let defaults = || BrowserConfig {
        keymap: Keymap::default(),
        clipboard: clipboard::Mode::default(),
        downloads: DownloadSettings::default(),
        image_protocol: None,
        density: Default::default(),
        theme: Default::default(),
        path: None,
        index_max_assets: crate::library_index::DEFAULT_MAX_ASSETS,
    };
    let Some(path) = crate::config::default_config_path() else {
        return Ok(defaults());
    };
    let Some(loaded) = crate::config::load(&path)? else {
        return Ok(BrowserConfig {
            path: Some(path),
            ..defaults()
        });
    };
    let overrides = loaded
        .config
        .keys
        .iter()
        .map(|(k, v)| (k.clone(), v.to_vec()))
        .collect();
    let keymap = Keymap::with_overrides(&overrides)
        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
    Ok(BrowserConfig {
        keymap,
        clipboard: loaded.config.clipboard.unwrap_or_default(),
        downloads: loaded.config.downloads,
        image_protocol: loaded.config.image_protocol,
        density: loaded.config.density.unwrap_or_default(),
        theme: loaded.config.theme.unwrap_or_default(),
        path: Some(path),
        index_max_assets: loaded
            .config
            .cache
            .index_max_assets
            .unwrap_or(crate::library_index::DEFAULT_MAX_ASSETS),
    })
}

/// The local index of this library (provider, base URL, profile), or
/// `None`: for the built-in demo library (always there), without a cache
/// directory, or with `[cache] index_max_assets = 0`.
fn local_index(
    global: &GlobalArgs,
    resolved: &crate::config::Resolved,
    max_assets: u64,
) -> Option<crate::library_index::Local> {
    if max_assets == 0 || context::uses_demo(global, resolved) {
        return None;
    }
    let path = crate::library_index::default_path()?;
    let key = crate::library_index::LibraryKey::new(
        resolved.provider.as_str(),
        &resolved.base_url,
        resolved.profile.as_deref(),
    );
    Some(crate::library_index::Local::new(
        &path,
        resolved.provider,
        key,
    ))
}

/// The browser's download queue: files go to the configured directory;
/// what a dead process left in the journal carries on.
fn start_downloads(
    service: &crate::provider::Service,
    settings: &DownloadSettings,
) -> Result<Queue, String> {
    let client = match service {
        crate::provider::Service::Scenario(c) => c,
        // no file downloads there: the queue holds the uploads, which
        // write nothing and keep no journal
        crate::provider::Service::TwelveLabs(_) => {
            let config = QueueConfig::new(settings.dir_or_default());
            return Queue::start_on(service.clone(), config, false)
                .map_err(|e| format!("transfers queue: {e}"));
        }
    };
    let out = settings.dir_or_default();
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let out = out
        .canonicalize()
        .map_err(|e| format!("{}: {e}", out.display()))?;
    let mut config = QueueConfig::new(out);
    config.jobs = settings
        .jobs
        .map(usize::from)
        .unwrap_or(DEFAULT_JOBS)
        .max(1);
    if let Some(t) = &settings.name {
        config.template = t.clone();
    }
    config.journal_dir = crate::download::journal::default_dir();
    Queue::start(client.clone(), config, true).map_err(|e| format!("download journal: {e}"))
}

/// The clipboard as the UI task reaches it: OSC 52 is written to the
/// terminal here; the system clipboard answers from its own thread.
struct Clip {
    mode: clipboard::Mode,
    route: clipboard::Route,
    native: std::cell::OnceCell<clipboard::Native>,
    tx: mpsc::UnboundedSender<Msg>,
}

impl Clip {
    fn new(mode: clipboard::Mode, tx: mpsc::UnboundedSender<Msg>) -> Clip {
        Clip {
            mode,
            route: clipboard::route(mode, |k| std::env::var(k).ok()),
            native: std::cell::OnceCell::new(),
            tx,
        }
    }

    fn copy(&self, what: &'static str, text: &str, route: Option<clipboard::Route>, tui: &mut Tui) {
        let payload = clipboard::prepare(text);
        let cut = payload.cut;
        match route.unwrap_or(self.route) {
            clipboard::Route::Osc52 => {
                let result = tui
                    .write_raw(clipboard::osc52(&payload).as_bytes())
                    .map_err(|e| e.to_string());
                let _ = self.tx.send(Msg::Copied(clipboard::Copied {
                    what,
                    via: clipboard::Route::Osc52,
                    cut,
                    result,
                    text: String::new(),
                    fallback: false,
                }));
            }
            clipboard::Route::Native => {
                let tx = self.tx.clone();
                let fallback = self.mode == clipboard::Mode::Auto;
                let kept = payload.text.clone();
                self.native.get_or_init(clipboard::Native::spawn).copy(
                    payload.text,
                    move |result| {
                        let _ = tx.send(Msg::Copied(clipboard::Copied {
                            what,
                            via: clipboard::Route::Native,
                            cut,
                            result,
                            text: kept,
                            fallback,
                        }));
                    },
                );
            }
        }
    }
}

/// Approximate memory of one encoded image cell.
fn bytes_per_cell(picker: Option<&graphics::Drawer>) -> usize {
    use ratatui_image::picker::ProtocolType;
    match picker.map(|d| &d.picker) {
        Some(p) if p.protocol_type() != ProtocolType::Halfblocks => {
            let f = p.font_size();
            // RGBA, base64 or sixel-encoded: about 5.3 bytes per pixel
            (f.width as usize * f.height as usize * 16) / 3
        }
        _ => 48,
    }
}

fn http_for_images() -> Result<reqwest::Client, CliError> {
    reqwest::Client::builder()
        .user_agent(concat!("assetui/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the HTTP client: {e}")))
}

/// The terminal probe as the loop sees it.
enum Probe {
    /// Not started: it starts right after the first frame.
    Due,
    /// Queries written; the answers are read on a blocking thread.
    Listening(tokio::task::JoinHandle<graphics::Detection>),
    /// Done (or never needed): the picker is known.
    Done,
}

/// Runs the browser until the user quits or a signal arrives.
///
/// The first frame is drawn at once; then the terminal is asked what it
/// can draw (or its remembered answers are read), and only then does
/// crossterm's input stream start: the keys typed meanwhile come from the
/// probe, in order. The workers (and so any image) start once both the
/// connection and the picker are there.
pub async fn run(global: &GlobalArgs) -> Result<(), CliError> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "the browser needs a terminal; for scripts use `assetui list`, `get`, `search` \
             (see `assetui --help`)"
                .into(),
        ));
    }
    let log = crate::logging::init_file(global.verbose);
    let config = browser_config()?;
    crate::ui::theme::set(config.theme);
    let (choice, choice_source) =
        graphics::resolve_choice(global.image_protocol, config.image_protocol);
    let download_settings = config.downloads;
    let resolved = context::settings(global)?;
    let provider = resolved.provider;
    let index_max_assets = config.index_max_assets;
    let mut index = local_index(global, &resolved, index_max_assets);
    // what the index was asked to keep is written before the process ends
    let mut index_writer: Option<crate::library_index::Writer> = None;
    // connect in the background: the first frame does not wait for it
    let connect_global = global.clone();
    let mut connecting =
        tokio::spawn(
            async move { context::connect_resolved(&connect_global, resolved, false).await },
        );

    let mut tui = Tui::enter().map_err(|e| CliError::Failed(format!("terminal: {e}")))?;
    // before anything that takes time: a signal must restore the terminal
    let mut sigterm = signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut sighup = signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut sigint = signal(tokio::signal::unix::SignalKind::interrupt())?;
    tracing::info!(choice = choice.name(), from = choice_source.describe(), log = ?log, "browser starting");
    let (w, h) = tui.size();
    let mut state = State::new(
        "connecting…".into(),
        config.keymap,
        choice != ProtocolChoice::None,
        bytes_per_cell(None),
        w,
        h,
    );
    state.caps = provider.capabilities();
    state.set_density(config.density);
    if let Some(local) = &index {
        // the last listing at once, before the first frame
        crate::library_index::show_first_page(&mut state, local);
    }
    let config_path = config.path.clone();
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let clip = Clip::new(config.clipboard, tx.clone());
    let mut driver = Driver::new();
    let started = driver.start(&mut state);
    if let Some(r) = perform(started, &mut tui, &clip) {
        return r;
    }
    let mut _context: Option<context::Context> = None;

    let mut picker: Option<graphics::Drawer> = None;
    // the graphics answers (remembered per terminal) and, for theme auto,
    // the background (asked at every start: the user may have changed it)
    let want = graphics::Want {
        graphics: choice.wants_answers(),
        fresh: false,
        background: config.theme == crate::ui::theme::Theme::Auto,
    };
    let mut probe = if want.graphics || want.background {
        Probe::Due
    } else {
        picker = graphics::picker(choice).map(graphics::Drawer::from);
        Probe::Done
    };
    // crossterm's reader: it must not exist while the probe reads
    let mut events: Option<crate::term_input::Input> = None;

    let mut dirty = true;
    let mut full_redraw = false;
    let mut input_waiting = false;
    let mut last_frame = Instant::now() - MIN_FRAME;
    let mut next_tick = Instant::now() + SPINNER;
    let mut connected = false;
    let mut replay: Vec<Msg> = Vec::new();
    let outcome: Result<(), CliError> = 'main: loop {
        if dirty && (input_waiting || last_frame.elapsed() >= MIN_FRAME) {
            // the terminal may have been resized after the last `Resize`
            // event handled (it comes through the input stream, behind keys):
            // lay the frame out for the size it has now
            let (w, h) = tui.size();
            if (w, h) != (state.width, state.height) {
                full_redraw = true;
                let controls = driver.feed(&mut state, Msg::Resize(w, h));
                if let Some(r) = perform(controls, &mut tui, &clip) {
                    break r;
                }
            }
            let mut stale = false;
            let drawn = tui.draw(full_redraw, |f| {
                let area = f.area();
                // a resize between the size check and the draw: draw
                // nothing rather than a layout that does not fit
                if (area.width, area.height) == (state.width, state.height) {
                    crate::ui::draw(&state, f)
                } else {
                    stale = true;
                }
            });
            if let Err(e) = drawn {
                break Err(CliError::Failed(format!("terminal: {e}")));
            }
            full_redraw = stale;
            dirty = stale;
            input_waiting = false;
            last_frame = Instant::now();
        }
        if matches!(probe, Probe::Due) {
            // after the first frame, and between frames: the queries go
            // through the same writer as the frames, never inside one
            let detecting = graphics::start_detect(want, |_, query| tui.write_raw(query));
            probe = match detecting {
                graphics::Detecting::Done(found) => {
                    replay.extend(probed(found, choice, &mut state, &mut picker));
                    Probe::Done
                }
                graphics::Detecting::Listening(l) => {
                    Probe::Listening(tokio::task::spawn_blocking(move || l.finish()))
                }
            };
        }
        if matches!(probe, Probe::Done) && events.is_none() {
            match crate::term_input::Input::start() {
                Ok(input) => events = Some(input),
                Err(e) => break Err(CliError::Failed(format!("terminal input: {e}"))),
            }
        }
        if !replay.is_empty() {
            // keys typed during the probe come first, in order
            input_waiting = true;
            dirty = true;
            for m in std::mem::take(&mut replay) {
                let controls = driver.feed(&mut state, m);
                if let Some(r) = perform(controls, &mut tui, &clip) {
                    break 'main r;
                }
            }
            continue;
        }
        let frame_due = dirty.then(|| tokio::time::Instant::from_std(last_frame + MIN_FRAME));
        let tick_due = state
            .busy()
            .then(|| tokio::time::Instant::from_std(next_tick));
        let listening = matches!(probe, Probe::Listening(_));
        let msg = tokio::select! {
            ev = next_event(&mut events), if events.is_some() => match ev {
                Some(Ok(Event::Key(k))) => Msg::Key(k),
                Some(Ok(Event::Mouse(m))) => Msg::Mouse(m),
                Some(Ok(Event::Resize(w, h))) => {
                    full_redraw = true;
                    Msg::Resize(w, h)
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => break Err(CliError::Failed(format!("terminal input: {e}"))),
                None => break Ok(()),
            },
            Some(msg) = rx.recv() => msg,
            found = probe_done(&mut probe), if listening => {
                let found = found.unwrap_or_else(|e| graphics::Detection {
                    answers: None,
                    found: graphics::Found::NotProbed(format!("the probe failed: {e}")),
                    keys: Vec::new(),
                    previous: None,
                    not_asked: Some(format!("the probe failed: {e}")),
                });
                probe = Probe::Done;
                replay.extend(probed(found, choice, &mut state, &mut picker));
                dirty = true;
                continue;
            },
            joined = &mut connecting, if !connected && matches!(probe, Probe::Done) => {
                connected = true;
                match joined {
                    Ok(Ok(ctx)) => {
                        state.source = ctx.label.clone();
                        state.demo = ctx.is_demo();
                        for n in &ctx.notices {
                            if n.warning {
                                state.warn(n.text.clone());
                            } else {
                                state.info(n.text.clone());
                            }
                        }
                        let mut api = ApiWorker::new(ctx.service.clone(), tx.clone());
                        if let Some(local) = index.take() {
                            match crate::library_index::Writer::start(&local, index_max_assets) {
                                Ok(writer) => {
                                    index_writer = Some(writer.clone());
                                    api.set_index(local, writer);
                                }
                                Err(e) => tracing::warn!(error = %e, "library index not kept"),
                            }
                        }
                        let images = match &picker {
                            Some(p) => Some(ImagePipeline::spawn(
                                http_for_images()?,
                                p.clone(),
                                crate::dirs::cache_dir()
                                    .and_then(|d| DiskCache::open(d.join("renditions"), DISK_CACHE_BYTES).ok()),
                                IMAGE_JOBS,
                                images_into(tx.clone()),
                            )),
                            None => None,
                        };
                        let mut ws = Workers::new(api, images, tx.clone());
                        ws.config_path = config_path.clone();
                        if let Some(t) = &download_settings.name {
                            ws.sync_template = t.clone();
                        }
                        match start_downloads(&ctx.service, &download_settings) {
                            Ok(q) => ws.attach_downloads(q),
                            Err(why) => {
                                tracing::warn!(%why, "no download queue");
                                state.downloads.unavailable = Some(crate::sanitize::line(&why, 200));
                            }
                        }
                        let controls = driver.attach(ws);
                        if let Some(r) = perform(controls, &mut tui, &clip) {
                            break 'main r;
                        }
                        _context = Some(ctx);
                    }
                    Ok(Err(e)) => break Err(e),
                    Err(e) => break Err(CliError::Failed(format!("connecting: {e}"))),
                }
                dirty = true;
                continue;
            },
            _ = sleep_until(frame_due), if frame_due.is_some() => continue,
            _ = sleep_until(tick_due), if tick_due.is_some() => {
                next_tick = Instant::now() + SPINNER;
                Msg::Tick
            },
            _ = sigterm.recv() => break Ok(()),
            _ = sighup.recv() => break Ok(()),
            _ = sigint.recv() => break Ok(()),
        };
        let mut batch = vec![msg];
        // drain what else is waiting before drawing once
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
            if batch.len() >= 256 {
                break;
            }
        }
        input_waiting |= batch
            .iter()
            .any(|m| matches!(m, Msg::Key(_) | Msg::Mouse(_) | Msg::Resize(..)));
        for m in batch {
            let controls = driver.feed(&mut state, m);
            if let Some(r) = perform(controls, &mut tui, &clip) {
                break 'main r;
            }
        }
        dirty = true;
    };
    // no key read after the terminal is given back
    drop(events);
    drop(tui);
    drop(driver);
    if let Some(writer) = index_writer {
        writer.flush();
    }
    outcome
}

/// Takes the probe's result: the picker (and the memory an image cell
/// takes), and the keys typed meanwhile as messages.
fn probed(
    found: graphics::Detection,
    choice: ProtocolChoice,
    state: &mut State,
    picker: &mut Option<graphics::Drawer>,
) -> Vec<Msg> {
    let env = |k: &str| std::env::var(k).ok();
    // a choice that needs no answers draws as it would without them (the
    // probe asked only the background)
    let answers = found.answers.as_ref().filter(|_| choice.wants_answers());
    let decision = graphics::decide(choice, answers, &env, graphics::Window::current());
    *picker = graphics::drawer_for(&decision);
    crate::ui::theme::background(found.answers.as_ref().and_then(|a| a.background));
    tracing::info!(
        protocol = %graphics::describe_drawer(picker.as_ref()),
        why = %decision.why,
        found = ?found.found,
        "image protocol"
    );
    // no image is asked before the workers start, after this
    state.images = crate::app::images::ImageStore::new(
        crate::app::state::IMAGE_BYTES,
        bytes_per_cell(picker.as_ref()),
    );
    found.keys.into_iter().map(Msg::Key).collect()
}

async fn next_event(
    events: &mut Option<crate::term_input::Input>,
) -> Option<std::io::Result<Event>> {
    match events {
        Some(e) => e.next().await,
        None => std::future::pending().await,
    }
}

async fn probe_done(probe: &mut Probe) -> Result<graphics::Detection, tokio::task::JoinError> {
    match probe {
        Probe::Listening(handle) => handle.await,
        _ => std::future::pending().await,
    }
}

/// Does what the loop must do itself after a step, in order; `Some` ends
/// the loop with that result.
fn perform(controls: Vec<Control>, tui: &mut Tui, clip: &Clip) -> Option<Result<(), CliError>> {
    for control in controls {
        match control {
            Control::Continue => {}
            Control::Copy { what, text, route } => clip.copy(what, &text, route, tui),
            Control::Quit => return Some(Ok(())),
            Control::Suspend => {
                if let Err(e) = tui.suspend() {
                    return Some(Err(CliError::Failed(format!("terminal: {e}"))));
                }
            }
        }
    }
    None
}

fn signal(kind: tokio::signal::unix::SignalKind) -> Result<tokio::signal::unix::Signal, CliError> {
    tokio::signal::unix::signal(kind)
        .map_err(|e| CliError::Failed(format!("cannot watch signals: {e}")))
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
