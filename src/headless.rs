//! The browser without a terminal: the same loop step ([`Driver`]), the
//! same workers, driven by injected keys, drawn on ratatui's `TestBackend`.
//! Used by the app-flow tests, the snapshot tests and the frame benchmark.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use ratatui_image::picker::Picker;
use tokio::sync::mpsc;

use crate::api::Client;
use crate::app::keymap::Keymap;
use crate::app::{self, Msg, State};
use crate::driver::Driver;
use crate::provider::Service;
use crate::worker::api::ApiWorker;
use crate::worker::images::ImagePipeline;
use crate::worker::{images_into, Control, Workers};

pub struct Headless {
    pub state: State,
    driver: Driver,
    rx: mpsc::UnboundedReceiver<Msg>,
    /// What was copied: (what, route, prepared text). The system clipboard
    /// is not touched: a native copy succeeds unless `native_fails`.
    pub copied: Vec<(&'static str, crate::clipboard::Route, String)>,
    /// Where a copy goes first (as `clipboard = auto` would pick it).
    pub route: crate::clipboard::Route,
    pub native_fails: bool,
    pub quit: bool,
}

impl Headless {
    /// A browser on `client`, `width`×`height` cells; images drawn with
    /// `picker` (halfblocks keeps tests deterministic) or off with `None`.
    /// Call inside a tokio runtime; then [`Headless::start`].
    pub fn new(client: Client, picker: Option<Picker>, width: u16, height: u16) -> Headless {
        Headless::with_service(Service::Scenario(client), picker, width, height)
    }

    /// [`Headless::new`] on any provider's service.
    pub fn with_service(
        service: Service,
        picker: Option<Picker>,
        width: u16,
        height: u16,
    ) -> Headless {
        let (tx, rx) = mpsc::unbounded_channel();
        let images = picker.clone().map(|p| {
            ImagePipeline::spawn(reqwest::Client::new(), p, None, 4, images_into(tx.clone()))
        });
        let caps = service.provider().capabilities();
        let workers = Workers::new(ApiWorker::new(service, tx.clone()), images, tx);
        let mut driver = Driver::with_workers(workers);
        driver.record();
        let state = State::new(
            "test".into(),
            Keymap::default(),
            picker.is_some(),
            48,
            width,
            height,
        );
        let mut state = state;
        state.caps = caps;
        Headless {
            state,
            driver,
            rx,
            copied: Vec::new(),
            route: crate::clipboard::Route::Osc52,
            native_fails: false,
            quit: false,
        }
    }

    /// Keeps what the browser lists in the local index `local` and, as
    /// the browser does at start, shows its first page marked cached.
    /// Call before [`Headless::start`]; the writer is returned so a test
    /// can wait for its writes ([`crate::library_index::Writer::flush`]).
    pub fn use_index(
        &mut self,
        local: crate::library_index::Local,
        max_assets: u64,
    ) -> Result<crate::library_index::Writer, String> {
        let writer = crate::library_index::Writer::start(&local, max_assets)?;
        crate::library_index::show_first_page(&mut self.state, &local);
        if let Some(ws) = self.driver.workers_mut() {
            ws.api.set_index(local, writer.clone());
        }
        Ok(writer)
    }

    pub fn start(&mut self) {
        let controls = self.driver.start(&mut self.state);
        self.perform(controls);
    }

    /// Where settings changed at run time are written (`v`'s density), as
    /// the browser's config file.
    pub fn set_config_path(&mut self, path: std::path::PathBuf) {
        if let Some(ws) = self.driver.workers_mut() {
            ws.config_path = Some(path);
        }
    }

    /// Commands dispatched so far, as text, for tests that check what was
    /// asked.
    pub fn sent(&self) -> &[String] {
        self.driver.recorded()
    }

    /// Forgets the commands recorded so far.
    pub fn forget_sent(&mut self) {
        self.driver.forget();
    }

    /// Does what the loop must do itself, as the browser does, minus the
    /// terminal.
    fn perform(&mut self, controls: Vec<Control>) {
        for control in controls {
            match control {
                Control::Quit => self.quit = true,
                Control::Suspend | Control::Continue => {}
                Control::Copy { what, text, route } => self.copy(what, &text, route),
            }
        }
    }

    /// A copy as the browser makes it, minus the real clipboard: routes
    /// start at `self.route`; a failing system clipboard is simulated.
    fn copy(&mut self, what: &'static str, text: &str, route: Option<crate::clipboard::Route>) {
        use crate::clipboard::{prepare, Copied, Route};
        let payload = prepare(text);
        let via = route.unwrap_or(self.route);
        let failed = via == Route::Native && self.native_fails;
        if !failed {
            self.copied.push((what, via, payload.text.clone()));
        }
        self.send(Msg::Copied(Copied {
            what,
            via,
            cut: payload.cut,
            result: if failed {
                Err("no system clipboard here".into())
            } else {
                Ok(())
            },
            text: if via == Route::Native {
                payload.text
            } else {
                String::new()
            },
            fallback: via == Route::Native,
        }));
    }

    /// Starts a download queue writing into `config.out`, as the browser
    /// does at start; returns a handle on it for the test.
    pub fn attach_downloads(
        &mut self,
        client: Client,
        config: crate::download::queue::Config,
    ) -> crate::download::queue::Queue {
        let queue = crate::download::queue::Queue::start(client, config, false)
            .expect("the download queue starts");
        self.attach_queue(queue.clone());
        queue
    }

    /// Attaches a transfers queue started by the test (TwelveLabs' holds
    /// uploads: [`crate::download::queue::Queue::start_on`]).
    pub fn attach_queue(&mut self, queue: crate::download::queue::Queue) {
        if let Some(ws) = self.driver.workers_mut() {
            ws.attach_downloads(queue);
        }
    }

    /// Feeds one message through `update()` and dispatches its commands.
    pub fn send(&mut self, msg: Msg) {
        let controls = self.driver.feed(&mut self.state, msg);
        self.perform(controls);
    }

    pub fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    pub fn char(&mut self, c: char) {
        let mods = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        self.send(Msg::Key(KeyEvent::new(KeyCode::Char(c), mods)));
    }

    pub fn ctrl(&mut self, c: char) {
        self.send(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )));
    }

    /// A key with modifiers (`Ctrl-←`, `Alt-→`).
    pub fn key_with(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.send(Msg::Key(KeyEvent::new(code, mods)));
    }

    /// Types each character of `text`.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.char(c);
        }
    }

    /// Handles worker messages until `done` holds, or fails after
    /// `timeout` naming what it waited for.
    pub async fn wait_for(
        &mut self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&State) -> bool,
    ) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(&self.state) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(msg)) => self.send(msg),
                Ok(None) => return Err(format!("{what}: the workers stopped")),
                Err(_) => return Err(format!("{what}: not within {timeout:?}")),
            }
        }
        Ok(())
    }

    /// Handles whatever messages are already waiting, without blocking.
    pub fn drain(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            self.send(msg);
        }
    }

    /// Draws the screen into a buffer the size of the state's terminal.
    pub fn render(&self) -> Buffer {
        let backend = TestBackend::new(self.state.width, self.state.height);
        let mut terminal = match Terminal::new(backend) {
            Ok(t) => t,
            Err(e) => match e {},
        };
        let _ = terminal.draw(|f| crate::ui::draw(&self.state, f));
        terminal.backend().buffer().clone()
    }

    /// The screen as text, one line per row, trailing spaces trimmed.
    pub fn screen(&self) -> String {
        buffer_text(&self.render())
    }
}

/// A buffer's symbols as lines of text.
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut x = 0;
        while x < area.width {
            let symbol = buf[(x, y)].symbol();
            line.push_str(symbol);
            // a wide character covers the next cell too: ratatui leaves
            // that cell as it was, which is not on the screen
            x += crate::text::width(symbol).max(1) as u16;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A generated library of `n` assets, alike but for id, name and type
/// (five types): the frame benchmark's list and its guard test.
pub fn synthetic_assets(n: usize) -> Vec<crate::api::models::Asset> {
    use crate::api::models::Asset;
    const TYPES: &[&str] = &[
        "inference-txt2img",
        "upscale",
        "uploaded",
        "img2img",
        "texture-normal",
    ];
    let base: Asset = serde_json::from_value(serde_json::json!({
        "id": "asset_template",
        "authorId": "user_ada",
        "ownerId": "proj_main",
        "createdAt": "2026-03-14T09:26:53.589Z",
        "updatedAt": "2026-03-15T10:00:00.000Z",
        "privacy": "private",
        "kind": "image",
        "mimeType": "image/png",
        "tags": ["fantasy", "castle", "dawn", "hero-shot"],
        "collectionIds": ["col_heroes"],
        "url": "https://cdn.example.test/a/file.png?sig=abc",
        "thumbnail": {"assetId": "t", "url": "https://cdn.example.test/a/thumb.webp?sig=abc"},
        "preview": {"assetId": "p", "url": "https://cdn.example.test/a/preview.webp?sig=abc"},
        "metadata": {
            "type": "inference-txt2img",
            "name": "Castle at dawn",
            "prompt": "A weathered stone castle on a cliff at dawn, mist rolling over the moat,\nvolumetric light through the towers, ultra detailed, matte painting, 35mm",
            "negativePrompt": "blurry, lowres, watermark, text",
            "seed": "1234567890",
            "modelId": "model_fantasy-landscapes-v2",
            "width": 1024,
            "height": 768,
            "guidance": 7.5,
            "numInferenceSteps": 30,
            "scheduler": "EulerAncestralDiscreteScheduler"
        },
        "properties": {"width": 1024, "height": 768, "size": 1834221}
    }))
    .unwrap_or_default();
    (0..n)
        .map(|i| {
            let mut a = base.clone();
            a.id = format!("asset_{i:07}");
            if let Some(m) = a.metadata.as_mut() {
                m.name = Some(format!("Castle at dawn #{i}"));
                m.asset_type =
                    serde_json::from_value(serde_json::json!(TYPES[i % TYPES.len()])).ok();
            }
            a
        })
        .collect()
}

/// A browser state `width`×`height` with [`synthetic_assets`]`(n)` fed
/// through `update()` as pages of 1000, every page in (the list is
/// complete), and one collection known. No workers: the caller sends keys
/// with `app::update` and draws with `ui::draw`.
pub fn loaded_state(n: usize, images: bool, width: u16, height: u16) -> State {
    use crate::api::models::{AssetListResponse, Collection};
    use crate::app::list::Loading;
    const PAGE: usize = 1000;
    let mut state = State::new("bench".into(), Keymap::default(), images, 48, width, height);
    let _ = app::update(
        &mut state,
        Msg::Collections(Ok(vec![Collection {
            id: Some("col_heroes".into()),
            name: Some("Heroes".into()),
            ..Collection::default()
        }])),
    );
    let assets = synthetic_assets(n);
    let pages: Vec<&[crate::api::models::Asset]> = assets.chunks(PAGE).collect();
    let last = pages.len().saturating_sub(1);
    for (i, page) in pages.into_iter().enumerate() {
        state.list.loading = Loading::Fetching;
        let generation = state.list.generation;
        let _ = app::update(
            &mut state,
            Msg::Page {
                generation,
                result: Ok(crate::provider::scenario::list_page(AssetListResponse {
                    assets: page.to_vec(),
                    next_pagination_token: (i < last).then(|| format!("page{}", i + 1)),
                    ..AssetListResponse::default()
                })),
            },
        );
    }
    state
}

/// Waits a moment for messages; for tests that check nothing arrives.
pub async fn settle(h: &mut Headless, quiet: Duration) {
    while let Ok(Some(msg)) = tokio::time::timeout(quiet, h.rx.recv()).await {
        h.send(msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::measured;

    /// The strings each frame measures while the same keys go to a list of
    /// `n` assets at 200×50: one count per key of `script`.
    fn measured_per_frame(n: usize, images: bool, script: &str) -> Vec<u64> {
        let mut state = loaded_state(n, images, 200, 50);
        assert_eq!(state.list.entries.len(), n);
        let mut terminal = match Terminal::new(TestBackend::new(200, 50)) {
            Ok(t) => t,
            Err(e) => match e {},
        };
        let mut counts = Vec::new();
        for c in script.chars() {
            if c == '!' {
                // the search's answer: every asset, in one page
                let generation = state.list.generation;
                let hits = synthetic_assets(n);
                let paging = crate::api::params::SearchPaging::Page {
                    page: 1,
                    hits_per_page: 1000,
                };
                let page = crate::api::models::SearchResponse {
                    total_hits: Some((n as u64).into()),
                    hits,
                    ..Default::default()
                };
                let _ = app::update(
                    &mut state,
                    Msg::SearchPage {
                        generation,
                        paging,
                        result: Ok(crate::provider::scenario::search_page(paging, page)),
                    },
                );
                continue;
            }
            let mods = match c {
                'a' => KeyModifiers::CONTROL,
                c if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
                _ => KeyModifiers::NONE,
            };
            let _ = app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char(c), mods)));
            measured::take();
            let _ = terminal.draw(|f| crate::ui::draw(&state, f));
            counts.push(measured::take());
        }
        counts
    }

    /// A frame costs what the visible rows cost: with 100 or 100 000
    /// assets loaded, every frame (list, list with thumbnails, grid, raw
    /// JSON, a selection, search marks) measures the same strings. The
    /// one-line list once measured four fields of every loaded row.
    #[test]
    fn a_frame_measures_what_is_visible() {
        // move; select one, then all (Ctrl-a: counts in the bars); raw
        // JSON and back; search like this asset (`!`: every asset comes
        // back), mark one, move; the grid
        let script = "jjj jaJjJs!j+jjvjj";
        for images in [false, true] {
            let small = measured_per_frame(100, images, script);
            let large = measured_per_frame(100_000, images, script);
            assert!(small.iter().all(|c| *c > 0), "{small:?}");
            assert_eq!(small, large, "images: {images}");
        }
    }

    /// The inspector is laid out when its asset changes, not on every
    /// frame: redrawing an asset of 400 fields measures no more strings
    /// than redrawing one of a few (only the visible lines are drawn).
    #[test]
    fn a_frame_does_not_lay_the_inspector_out_again() {
        let frame_cost = |fields: usize| {
            let mut state = loaded_state(10, false, 200, 50);
            let mut asset = state.list.entries[0].asset.scenario().unwrap().clone();
            let mut metadata = serde_json::json!({ "name": asset.name() });
            for i in 0..fields {
                metadata[format!("field{i}")] = serde_json::json!(format!("value {i}"));
            }
            asset.metadata = Some(serde_json::from_value(metadata).unwrap());
            let generation = state.inspector.generation;
            let _ = app::update(
                &mut state,
                Msg::Asset {
                    purpose: crate::app::AssetPurpose::Detail(generation),
                    id: asset.id.clone(),
                    result: Ok(Box::new(asset.into())),
                },
            );
            let mut terminal = match Terminal::new(TestBackend::new(200, 50)) {
                Ok(t) => t,
                Err(e) => match e {},
            };
            let _ = terminal.draw(|f| crate::ui::draw(&state, f));
            measured::take();
            let _ = terminal.draw(|f| crate::ui::draw(&state, f));
            (
                measured::take(),
                state
                    .inspector
                    .line_count(state.geometry.details.width as usize),
            )
        };
        let (short, short_lines) = frame_cost(2);
        let (long, long_lines) = frame_cost(400);
        assert!(long_lines > short_lines + 300, "{short_lines} {long_lines}");
        assert!(short > 0);
        assert_eq!(short, long);
    }
}
