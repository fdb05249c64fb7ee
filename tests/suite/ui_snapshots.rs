//! What the browser draws, as text: every screen at 80×24 and 120×40 (and
//! a few at 200×60), single panes cut out of the screen, real halfblock
//! images, and a check that no server string reaches a cell unsanitized.
//!
//! No server and no workers: the state is built directly and fed the
//! messages the workers would send (pages, collections), then drawn with
//! `ui::draw` on ratatui's `TestBackend`. Snapshots are in
//! `tests/snapshots/`; `INSTA_UPDATE=always cargo test --test ui_snapshots`
//! rewrites them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::Terminal;
use serde_json::json;

use assetui::api::models::{Asset, AssetListResponse, Collection, SearchResponse};
use assetui::api::params::SearchPaging;
use assetui::app::inspector::Detail;
use assetui::app::keymap::Keymap;
use assetui::app::list::Loading;
use assetui::app::state::Overlay;
use assetui::app::{self, AssetPurpose, Msg, State};
use assetui::headless::buffer_text;
use assetui::sanitize::is_forbidden;

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

fn asset(v: serde_json::Value) -> Asset {
    serde_json::from_value(v).expect("fixture decodes")
}

fn thumb(id: &str) -> serde_json::Value {
    json!({"assetId": format!("{id}_thumb"), "url": format!("https://cdn.example.test/{id}/thumb.webp?sig=abc")})
}

fn preview(id: &str) -> serde_json::Value {
    json!({"assetId": format!("{id}_prev"), "url": format!("https://cdn.example.test/{id}/preview.webp?sig=abc")})
}

/// A dozen assets of every sort the list meets.
fn fixtures() -> Vec<Asset> {
    vec![
        asset(json!({
            "id": "asset_castle",
            "authorId": "user_ada",
            "ownerId": "proj_main",
            "createdAt": "2026-03-14T09:26:53.589Z",
            "updatedAt": "2026-03-15T10:00:00.000Z",
            "privacy": "private",
            "kind": "image",
            "mimeType": "image/png",
            "source": "inference-txt2img",
            "status": "success",
            "tags": ["fantasy", "castle", "dawn", "hero-shot"],
            "collectionIds": ["col_heroes", "col_env"],
            "url": "https://cdn.example.test/asset_castle/file.png?sig=abc",
            "thumbnail": thumb("asset_castle"),
            "preview": preview("asset_castle"),
            "metadata": {
                "type": "inference-txt2img",
                "name": "Castle at dawn",
                "prompt": "A weathered stone castle on a cliff at dawn, mist rolling over the moat,\nvolumetric light through the towers, ultra detailed, matte painting, 35mm, golden hour, by a master of romantic landscape painting",
                "negativePrompt": "blurry, lowres, watermark, text",
                "seed": "1234567890",
                "modelId": "model_fantasy-landscapes-v2",
                "width": 1024,
                "height": 768,
                "guidance": 7.5,
                "numInferenceSteps": 30,
                "scheduler": "EulerAncestralDiscreteScheduler",
                "generationTimeMs": 5120
            },
            "properties": {"width": 1024, "height": 768, "size": 1834221},
            "somethingNew": {"nested": [1, 2, 3], "flag": true}
        })),
        asset(json!({
            "id": "asset_castle_x4",
            "createdAt": "2026-03-14T09:40:00.000Z",
            "updatedAt": "2026-03-14T09:40:00.000Z",
            "privacy": "private",
            "kind": "image",
            "tags": ["fantasy", "castle"],
            "thumbnail": thumb("asset_castle_x4"),
            "preview": preview("asset_castle_x4"),
            "metadata": {
                "type": "upscale",
                "name": "Castle at dawn (×4)",
                "parentId": "asset_castle",
                "rootParentId": "asset_castle",
                "scalingFactor": 4,
                "width": 4096,
                "height": 3072
            },
            "properties": {"width": 4096, "height": 3072, "size": 27000000}
        })),
        asset(json!({
            "id": "asset_moodboard",
            "createdAt": "2026-02-28T17:03:11.000Z",
            "privacy": "public",
            "kind": "image",
            "mimeType": "image/png",
            "tags": ["reference"],
            "thumbnail": thumb("asset_moodboard"),
            "metadata": {"type": "uploaded", "name": "moodboard-final-v3.png"},
            "properties": {"width": 2000, "height": 1333, "size": 912345}
        })),
        asset(json!({
            "id": "asset_chime",
            "createdAt": "2026-02-20T08:00:00.000Z",
            "privacy": "private",
            "kind": "audio",
            "mimeType": "audio/mpeg",
            "tags": ["sfx", "loop"],
            "collectionIds": ["col_audio"],
            "metadata": {
                "type": "txt2audio",
                "name": "Glass chime loop",
                "prompt": "soft glass chimes in a light breeze, seamless loop",
                "modelId": "model_audio-gen"
            },
            "properties": {"duration": 12.5, "sampleRate": 44100, "channels": 2, "bitrate": 192000, "codecName": "mp3", "classification": "effect", "size": 300123}
        })),
        asset(json!({
            "id": "asset_boulder",
            "createdAt": "2026-02-11T12:30:00.000Z",
            "privacy": "unlisted",
            "kind": "3d",
            "mimeType": "model/gltf-binary",
            "tags": ["prop", "rock"],
            "thumbnail": thumb("asset_boulder"),
            "metadata": {"type": "img23d", "name": "Riverstone boulder", "parentId": "asset_moodboard", "rootParentId": "asset_moodboard"},
            "properties": {"format": "glb", "vertexCount": 48210, "faceCount": 96000, "hasAnimations": false, "dimensions": [1.2, 0.8, 1.0], "size": 5242880}
        })),
        asset(json!({
            "id": "asset_tokyo",
            "createdAt": "2026-01-30T22:15:00.000Z",
            "privacy": "private",
            "kind": "image",
            "tags": ["city", "夜景", "neon"],
            "thumbnail": thumb("asset_tokyo"),
            "preview": preview("asset_tokyo"),
            "metadata": {"type": "inference-txt2img", "name": "東京の夜景 — ネオン街の雨", "prompt": "東京の夜景、雨に濡れたネオン街、シネマティック", "width": 768, "height": 1344},
            "properties": {"width": 768, "height": 1344, "size": 1200000}
        })),
        asset(json!({
            "id": "asset_long",
            "createdAt": "2026-01-21T06:00:00.000Z",
            "privacy": "private",
            "kind": "image",
            "tags": ["test"],
            "thumbnail": thumb("asset_long"),
            "metadata": {"type": "inference-img2img", "name": "An extraordinarily long asset name that goes on and on to test truncation in every pane of the browser even at two hundred columns wide, really, truly, it keeps going", "width": 512, "height": 512},
            "properties": {"width": 512, "height": 512, "size": 400000}
        })),
        asset(json!({
            "id": "asset_prompt_only",
            "createdAt": "2026-01-15T14:45:00.000Z",
            "kind": "image",
            "thumbnail": thumb("asset_prompt_only"),
            "metadata": {"type": "txt2img", "prompt": "\n  portrait of an old lighthouse keeper, oil on canvas\nsecond line of the prompt"},
            "properties": {"width": 896, "height": 1152}
        })),
        asset(json!({
            "id": "asset_skybox",
            "createdAt": "2026-01-10T10:10:10.000Z",
            "privacy": "unlisted",
            "kind": "image",
            "tags": ["sky", "hdr", "360", "clouds", "sunset", "panorama", "environment", "lighting", "outdoor", "warm"],
            "collectionIds": ["col_env", "col_unknown"],
            "thumbnail": thumb("asset_skybox"),
            "metadata": {"type": "skybox-base-360", "name": "Sunset skybox", "width": 6144, "height": 3072},
            "properties": {"width": 6144, "height": 3072, "size": 48000000}
        })),
        asset(json!({
            "id": "asset_normal",
            "createdAt": "2025-12-24T23:59:59.000Z",
            "privacy": "public",
            "kind": "image",
            "tags": ["texture", "pbr"],
            "thumbnail": thumb("asset_normal"),
            "metadata": {"type": "texture-normal", "name": "Cobblestone normal map", "parentId": "asset_cobble", "rootParentId": "asset_cobble"},
            "properties": {"width": 2048, "height": 2048, "size": 6000000}
        })),
        asset(json!({
            "id": "asset_clip",
            "createdAt": "2025-12-01T00:00:00.000Z",
            "privacy": "private",
            "kind": "video",
            "mimeType": "video/mp4",
            "thumbnail": thumb("asset_clip"),
            "firstFrame": {"assetId": "asset_clip_f0", "url": "https://cdn.example.test/asset_clip/f0.png"},
            "metadata": {"type": "img2video", "name": "Waves crashing, 5 s"},
            "properties": {"width": 1280, "height": 720, "duration": 5.04, "frameRate": 24, "nbFrames": 121, "size": 3100000}
        })),
        asset(json!({
            "id": "asset_future",
            "createdAt": "2025-11-05T07:07:07.000Z",
            "kind": "hologram",
            "metadata": {"type": "future-type-x", "name": "From a newer API"},
            "brandNewField": "kept as is"
        })),
    ]
}

fn collections() -> Vec<Collection> {
    [
        ("col_heroes", "Heroes"),
        ("col_env", "Environments"),
        ("col_audio", "Sound design"),
    ]
    .iter()
    .map(|(id, name)| Collection {
        id: Some(id.to_string()),
        name: Some(name.to_string()),
        ..Collection::default()
    })
    .collect()
}

// ---------------------------------------------------------------------------
// Driving the state
// ---------------------------------------------------------------------------

struct Ui {
    state: State,
}

impl Ui {
    /// The browser before any page arrived; collections loaded.
    fn bare(w: u16, h: u16, images: bool, collections: Vec<Collection>) -> Ui {
        let state = State::new("demo library".into(), Keymap::default(), images, 48, w, h);
        let mut ui = Ui { state };
        ui.send(Msg::Collections(Ok(collections)));
        ui
    }

    /// The browser with `assets` as its one and only page.
    fn with(w: u16, h: u16, images: bool, assets: Vec<Asset>) -> Ui {
        let mut ui = Ui::bare(w, h, images, collections());
        ui.page(assets, None);
        ui
    }

    fn new(w: u16, h: u16) -> Ui {
        Ui::with(w, h, true, fixtures())
    }

    fn send(&mut self, msg: Msg) {
        // commands go nowhere: there are no workers
        let _ = app::update(&mut self.state, msg);
    }

    /// Answers the page request of the current list generation.
    fn page(&mut self, assets: Vec<Asset>, next: Option<&str>) {
        self.state.list.loading = Loading::Fetching;
        let generation = self.state.list.generation;
        self.send(Msg::Page {
            generation,
            result: Ok(assetui::provider::scenario::list_page(AssetListResponse {
                assets,
                next_pagination_token: next.map(str::to_string),
                ..AssetListResponse::default()
            })),
        });
    }

    fn fail(&mut self, error: &str) {
        self.state.list.loading = Loading::Fetching;
        let generation = self.state.list.generation;
        self.send(Msg::Page {
            generation,
            result: Err(error.to_string()),
        });
    }

    fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn key_with(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.send(Msg::Key(KeyEvent::new(code, mods)));
    }

    /// Answers the current search with the first `n` browsed assets.
    fn answer_search(&mut self, n: usize) {
        let hits: Vec<Asset> = self
            .state
            .search
            .browsed
            .as_ref()
            .map(|l| {
                l.entries
                    .iter()
                    .take(n)
                    .map(|e| e.asset.scenario().unwrap().clone())
                    .collect()
            })
            .unwrap_or_default();
        let generation = self.state.list.generation;
        let paging = SearchPaging::Page {
            page: 1,
            hits_per_page: 50,
        };
        let page = SearchResponse {
            total_hits: Some((hits.len() as u64).into()),
            hits,
            ..SearchResponse::default()
        };
        self.send(Msg::SearchPage {
            generation,
            paging,
            result: Ok(assetui::provider::scenario::search_page(paging, page)),
        });
    }

    fn ch(&mut self, c: char) {
        let mods = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        self.send(Msg::Key(KeyEvent::new(KeyCode::Char(c), mods)));
    }

    fn typ(&mut self, text: &str) {
        for c in text.chars() {
            self.ch(c);
        }
    }

    fn buffer(&self) -> Buffer {
        let backend = TestBackend::new(self.state.width, self.state.height);
        let mut terminal = Terminal::new(backend).unwrap();
        terminal
            .draw(|f| assetui::ui::draw(&self.state, f))
            .unwrap();
        terminal.backend().buffer().clone()
    }

    fn screen(&self) -> String {
        buffer_text(&self.buffer())
    }

    /// One pane: the screen cut to `area`.
    fn pane(&self, area: Rect) -> String {
        cut(&self.buffer(), area)
    }
}

/// The text of `area` in `buf`, one line per row, trailing spaces trimmed.
fn cut(buf: &Buffer, area: Rect) -> String {
    let area = area.intersection(buf.area);
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------
// Screens
// ---------------------------------------------------------------------------

type Steps = fn(&mut Ui);

fn set_filters_with_keys(u: &mut Ui) {
    u.ch('f');
    u.key(KeyCode::Enter); // Type: picker
    u.typ("upsc");
    u.ch(' ');
    u.key(KeyCode::Enter);
    u.ch('j'); // Privacy: private
    u.key(KeyCode::Enter);
    for _ in 0..3 {
        u.ch('j'); // Collection
    }
    u.key(KeyCode::Enter);
    u.typ("hero");
    u.key(KeyCode::Enter);
    u.ch('j'); // Created from
    u.key(KeyCode::Enter);
    u.typ("2026-01-01");
    u.key(KeyCode::Enter);
    u.key(KeyCode::Esc);
}

/// Every screen: a name and the keys (and answers) that lead to it from a
/// loaded list of `fixtures()`.
fn screens() -> Vec<(&'static str, Steps)> {
    vec![
        ("list", |_| {}),
        ("list_cursor_moved", |u| {
            for _ in 0..4 {
                u.ch('j');
            }
        }),
        ("grid", |u| u.ch('v')),
        ("grid_cursor_moved", |u| {
            u.ch('v');
            u.ch('j');
            u.ch('l');
        }),
        ("inspector_focused_scrolled", |u| {
            u.key(KeyCode::Tab);
            for _ in 0..8 {
                u.ch('j');
            }
        }),
        ("inspector_upscale", |u| u.ch('j')),
        ("inspector_audio", |u| {
            for _ in 0..3 {
                u.ch('j');
            }
        }),
        ("raw_json", |u| u.ch('J')),
        ("raw_json_scrolled", |u| {
            u.ch('J');
            u.key(KeyCode::Tab);
            for _ in 0..12 {
                u.ch('j');
            }
        }),
        ("help", |u| u.ch('?')),
        ("help_scrolled", |u| {
            u.ch('?');
            // letters filter the help; the arrows scroll it
            for _ in 0..80 {
                u.key(KeyCode::Down);
            }
        }),
        ("filters", |u| u.ch('f')),
        ("filters_type_picker", |u| {
            u.ch('f');
            u.key(KeyCode::Enter);
            u.typ("up");
            u.key(KeyCode::Down);
            u.ch(' ');
        }),
        ("filters_collection_picker", |u| {
            u.ch('f');
            for _ in 0..4 {
                u.ch('j');
            }
            u.key(KeyCode::Enter);
            u.typ("en");
        }),
        ("filters_bad_date", |u| {
            u.ch('f');
            for _ in 0..5 {
                u.ch('j');
            }
            u.key(KeyCode::Enter);
            u.typ("2026-13-45");
            u.key(KeyCode::Enter);
        }),
        ("filters_set", |u| {
            set_filters_with_keys(u);
            u.page(vec![fixtures()[1].clone()], None);
            u.ch('f');
        }),
        ("filter_chips", |u| {
            set_filters_with_keys(u);
            u.page(vec![fixtures()[1].clone()], None);
        }),
        ("empty_filtered", |u| {
            u.ch('f');
            u.ch('j');
            u.key(KeyCode::Enter); // privacy: private
            u.key(KeyCode::Esc);
            u.page(Vec::new(), None);
        }),
        ("load_error", |u| {
            u.ch('r'); // reload: the list empties and the page fails
            u.fail("cannot reach https://api.cloud.scenario.com/v1/assets: connection refused (os error 111); check --base-url / SCENARIO_BASE_URL and the network");
        }),
        ("next_page_error", |u| {
            // a second page fails while the first stays on screen
            let first = u.state.list.entries.len();
            u.state.list.loading = Loading::Idle;
            u.state.list.next_token = Some("t2".into());
            u.fail("the service had trouble (503) on GET /assets; try again in a moment");
            assert_eq!(u.state.list.entries.len(), first);
        }),
        ("notice", |u| u.ch('p')),
        ("search_text", |u| {
            // typing, the debounce ran out, the results came: box still open
            u.ch('/');
            u.typ("castle");
            let typed = u.state.search.typed;
            u.send(Msg::SearchDue { typed });
            u.answer_search(2);
            u.key_with(KeyCode::Right, KeyModifiers::CONTROL);
        }),
        ("search_results", |u| {
            u.ch('/');
            u.typ("castle");
            u.key(KeyCode::Enter);
            u.answer_search(2);
        }),
        ("search_image_marks", |u| {
            // like the first asset; one result more like it, one less
            // (an image: similarity compares images)
            u.ch('s');
            u.answer_search(usize::MAX);
            u.ch('j');
            u.ch('+');
            u.ch('j');
            u.ch('-');
            u.ch('/');
            u.key_with(KeyCode::Right, KeyModifiers::ALT);
            u.key_with(KeyCode::Right, KeyModifiers::ALT);
        }),
        ("search_image_marks_grid", |u| {
            u.ch('v');
            u.ch('s');
            u.answer_search(usize::MAX);
            u.ch('l');
            u.ch('+');
            u.ch('l');
            u.ch('-');
        }),
        ("search_completions", |u| {
            u.ch('/');
            u.typ("@~/refs/cas");
            u.send(Msg::Completions {
                input: "@~/refs/cas".into(),
                candidates: (1..=10)
                    .map(|i| format!("@~/refs/castle-{i:02}.png"))
                    .chain(["@~/refs/castles/".to_string()])
                    .collect(),
            });
        }),
        ("search_nothing_found", |u| {
            u.ch('/');
            u.typ("zzz");
            u.key(KeyCode::Enter);
            u.answer_search(0);
        }),
        ("selection", |u| {
            // two picked with Space, then a range of three with V
            u.ch(' ');
            u.ch('j');
            u.ch(' ');
            u.ch('j');
            u.ch('V');
            assert_eq!(u.state.selection.len(), 4);
        }),
        ("selection_grid", |u| {
            u.ch('v');
            u.ch(' ');
            u.ch(' ');
        }),
        ("tag_editor_completions", |u| {
            // two assets; the tags in use arrive; "he" narrows them
            u.ch(' ');
            u.ch(' ');
            u.ch('t');
            u.send(Msg::Tags(Ok(vec![
                ("hero".into(), 12),
                ("headline".into(), 3),
                ("draft".into(), 40),
                ("\u{1b}[31mred\u{7}".into(), 1),
                ("sheep".into(), 2),
            ])));
            u.typ("he");
            u.key(KeyCode::Down);
        }),
        ("tag_editor_removing", |u| {
            u.ch('t');
            u.send(Msg::Tags(Ok(vec![("hero".into(), 12)])));
            u.typ("-");
        }),
        ("delete_confirmation", |u| {
            u.key_with(KeyCode::Char('a'), KeyModifiers::CONTROL);
            u.ch('X');
        }),
        ("collection_choice", |u| {
            u.ch(' ');
            u.ch('a');
        }),
        ("format_choice", |u| u.ch('S')),
        ("upload_prompt", |u| {
            u.ch('U');
            u.typ("~/renders/cas");
            u.key(KeyCode::Tab);
            u.send(Msg::Completions {
                input: "~/renders/cas".into(),
                candidates: (1..=12)
                    .map(|i| format!("~/renders/castle-{i:02}.png"))
                    .collect(),
            });
        }),
        ("details_loading", |u| {
            let generation = u.state.inspector.generation;
            u.send(Msg::Rested { generation });
            assert_eq!(u.state.inspector.detail, Detail::Loading);
        }),
        ("inspector_jumped", |u| {
            // the normal map's parent is not in the list: it is fetched
            for _ in 0..9 {
                u.ch('j');
            }
            u.ch('p');
            let generation = u.state.inspector.generation;
            u.send(Msg::Asset {
                purpose: AssetPurpose::Jump(generation),
                id: "asset_cobble".into(),
                result: Ok(Box::new(
                    asset(json!({
                        "id": "asset_cobble",
                        "createdAt": "2025-12-20T10:00:00.000Z",
                        "kind": "image",
                        "metadata": {"type": "texture", "name": "Cobblestone"},
                        "properties": {"width": 2048, "height": 2048}
                    }))
                    .into(),
                )),
            });
            assert!(u.state.inspector.detached);
        }),
    ]
}

const SIZES: &[(u16, u16)] = &[(80, 24), (120, 40)];

fn run(steps: Steps, w: u16, h: u16, images: bool, assets: Vec<Asset>) -> Ui {
    let mut u = Ui::with(w, h, images, assets);
    steps(&mut u);
    u
}

#[test]
fn every_screen_at_80x24_and_120x40() {
    for (name, steps) in screens() {
        for &(w, h) in SIZES {
            let u = run(steps, w, h, true, fixtures());
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), u.screen());
        }
    }
}

/// The created-after field takes real days only: the message says why a
/// day that does not exist is refused (the old check took any day 01-31).
#[test]
fn the_date_field_refuses_days_that_do_not_exist() {
    let typed = |text: &str| {
        let mut u = Ui::with(120, 40, false, fixtures());
        u.ch('f');
        for _ in 0..5 {
            u.ch('j');
        }
        u.key(KeyCode::Enter);
        u.typ(text);
        u.key(KeyCode::Enter);
        u
    };
    for (day, why) in [
        (
            "2026-02-31",
            "`2026-02-31` is not a date: February 2026 has 28 days",
        ),
        (
            "2025-02-29",
            "`2025-02-29` is not a date: February 2025 has 28 days",
        ),
        (
            "2026-04-31",
            "`2026-04-31` is not a date: April 2026 has 30 days",
        ),
    ] {
        let u = typed(day);
        assert!(u.screen().contains(why), "{day}:\n{}", u.screen());
        assert_eq!(u.state.filters.created_after, None, "{day}");
    }
    let u = typed("2024-02-29");
    assert!(!u.screen().contains("is not a date"), "{}", u.screen());
    assert_eq!(u.state.filters.created_after.as_deref(), Some("2024-02-29"));
}

#[test]
fn loading_first_page() {
    for &(w, h) in SIZES {
        let u = Ui::bare(w, h, true, collections());
        assert_eq!(u.state.list.loading, Loading::Fetching);
        insta::assert_snapshot!(format!("loading_{w}x{h}"), u.screen());
    }
}

#[test]
fn without_images() {
    for &(w, h) in SIZES {
        let u = Ui::with(w, h, false, fixtures());
        insta::assert_snapshot!(format!("list_no_images_{w}x{h}"), u.screen());
        let mut u = Ui::with(w, h, false, fixtures());
        u.ch('v');
        insta::assert_snapshot!(format!("grid_no_images_{w}x{h}"), u.screen());
    }
}

#[test]
fn inspector_hidden_at_80x24() {
    let mut u = Ui::new(80, 24);
    u.ch('i');
    assert!(u.state.geometry.inspector.is_none());
    insta::assert_snapshot!("inspector_hidden_80x24", u.screen());
    u.ch('v');
    insta::assert_snapshot!("inspector_hidden_grid_80x24", u.screen());
}

/// `v` twice: from three-line rows to the grid, then to compact rows (one
/// line each, a small thumbnail): at 80×24 many more than three assets.
#[test]
fn compact_rows_at_80x24() {
    let mut u = Ui::with(80, 24, true, fixtures());
    assert_eq!(u.state.geometry.visible_items(), 3);
    u.ch('v');
    u.ch('v');
    assert_eq!(
        u.state.density,
        assetui::app::layout::Density::Compact,
        "v goes list → grid → compact"
    );
    assert!(u.state.geometry.visible_items() >= 10);
    let screen = u.screen();
    let names = fixtures()
        .iter()
        .filter(|a| {
            a.metadata
                .as_ref()
                .and_then(|m| m.name.as_deref())
                .is_some_and(|n| screen.contains(&n.chars().take(10).collect::<String>()))
        })
        .count();
    assert!(names >= 8, "{names} names on screen:\n{screen}");
    insta::assert_snapshot!("compact_80x24", screen);
}

#[test]
fn wide_terminal_grows_the_preview() {
    let u = Ui::new(200, 60);
    insta::assert_snapshot!("list_200x60", u.screen());
    let mut u = Ui::new(200, 60);
    u.ch('v');
    insta::assert_snapshot!("grid_200x60", u.screen());
}

#[test]
fn single_panes() {
    for &(w, h) in SIZES {
        let u = Ui::new(w, h);
        let g = u.state.geometry;
        insta::assert_snapshot!(format!("pane_list_{w}x{h}"), u.pane(g.list));
        insta::assert_snapshot!(
            format!("pane_inspector_{w}x{h}"),
            u.pane(g.inspector.expect("inspector shown"))
        );
        insta::assert_snapshot!(format!("pane_filter_bar_{w}x{h}"), u.pane(g.filter_bar));
        insta::assert_snapshot!(format!("pane_status_{w}x{h}"), u.pane(g.status));

        let mut chips = Ui::new(w, h);
        set_filters_with_keys(&mut chips);
        chips.page(vec![fixtures()[1].clone()], None);
        insta::assert_snapshot!(
            format!("pane_filter_bar_chips_{w}x{h}"),
            chips.pane(chips.state.geometry.filter_bar)
        );

        let mut notice = Ui::new(w, h);
        notice.ch('p');
        assert!(notice.state.notice.is_some());
        insta::assert_snapshot!(
            format!("pane_status_notice_{w}x{h}"),
            notice.pane(notice.state.geometry.status)
        );

        let mut error = Ui::new(w, h);
        error.ch('r');
        error.fail("the service had trouble (503) on GET /assets; try again in a moment");
        insta::assert_snapshot!(
            format!("pane_status_error_{w}x{h}"),
            error.pane(error.state.geometry.status)
        );
    }
}

// ---------------------------------------------------------------------------
// Sanitizing
// ---------------------------------------------------------------------------

/// Escape sequences, C1 controls, bidi overrides and invisible characters.
const EVIL: &str = "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{1b}[31mred\u{9b}1;1H\u{85}\u{90}dcs\u{1b}\\\u{202e}gnp.exe\u{202c}\u{2066}iso\u{2069}\u{200b}\u{200d}\u{feff}\u{ad}\u{61c}\u{200f}\u{7f}\r\n\tz\u{200d}w\u{200c}j\u{ad}end";

fn evil(s: &str) -> String {
    format!("{s}{EVIL}")
}

/// One asset whose every string holds something a terminal would obey.
fn hostile_asset() -> Asset {
    let e = evil;
    let metadata = json!({
        "type": e("upscale"),
        "kind": e("image"),
        "name": e("name"),
        "prompt": e("prompt line one\nline two"),
        "negativePrompt": e("negative"),
        "seed": e("42"),
        "modelId": e("model"),
        "modelType": e("sd-xl"),
        "baseModelId": e("base"),
        "aspectRatio": e("16:9"),
        "scheduler": e("sched"),
        "parentId": e("parent"),
        "rootParentId": e("root"),
        "parentJobId": e("job"),
        "inferenceId": e("inf"),
        "text": e("text"),
        "style": e("style"),
        "referenceImages": [e("ref")],
        "width": 640,
        "height": 480,
        e("evilKey"): e("evil value"),
        "nested": {e("deep"): [ {e("k"): e("v")} ]}
    });
    let properties = json!({
        "format": e("glb"),
        "codecName": e("mp3"),
        "description": e("desc"),
        "classification": e("music"),
        "transcription": {"text": e("spoken")},
        e("propKey"): e("prop value")
    });
    asset(json!({
        "id": e("asset_evil"),
        "authorId": e("author"),
        "ownerId": e("owner"),
        "createdAt": e("2026-03-01"),
        "updatedAt": e("2026-03-02"),
        "privacy": e("private"),
        "kind": e("image"),
        "mimeType": e("image/png"),
        "source": e("src"),
        "status": e("ok"),
        "url": e("https://x.test/a"),
        "description": e("description"),
        "automaticCaptioning": e("caption"),
        "transcription": e("words"),
        "teamId": e("team"),
        "nsfw": [e("label")],
        "tags": [e("tag1"), e("tag2"), e("tag3")],
        "collectionIds": [e("col"), "col_evil"],
        "editCapabilities": [e("cap")],
        "thumbnail": {"assetId": e("t"), "url": e("https://x.test/t")},
        "preview": {"assetId": e("p"), "url": e("https://x.test/p")},
        "firstFrame": {"assetId": e("f"), "url": e("https://x.test/f")},
        "metadata": metadata,
        "properties": properties,
        e("unknownTopLevel"): e("value"),
        "unknownObject": {e("a"): {e("b"): e("c")}}
    }))
}

fn hostile_collections() -> Vec<Collection> {
    let mut c = collections();
    c.push(Collection {
        id: Some("col_evil".into()),
        name: Some(evil("Evil collection")),
        ..Collection::default()
    });
    c.push(Collection {
        id: Some(evil("col")),
        name: None,
        ..Collection::default()
    });
    c
}

#[test]
fn the_cell_check_sees_what_ratatui_lets_through() {
    // ratatui drops C0 controls and zero-width graphemes, but a joiner
    // after a visible character stays in that character's cell
    let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
    buf.set_string(0, 0, "a\u{200d}b\u{1b}c", ratatui::style::Style::new());
    let bad = forbidden_cells(&buf);
    assert_eq!(bad.len(), 1, "{bad:?}");
}

fn forbidden_cells(buf: &Buffer) -> Vec<(u16, u16, String)> {
    let mut bad = Vec::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let s = buf[(x, y)].symbol();
            if s.chars().any(is_forbidden) {
                bad.push((x, y, s.escape_unicode().to_string()));
            }
        }
    }
    bad
}

/// Every string the state keeps for display, which must be clean before
/// any widget sees it (ratatui drops C0 controls itself, but not bidi or
/// zero-width characters inside a grapheme).
fn displayed_strings(s: &State) -> Vec<String> {
    let mut out = vec![s.source.clone()];
    for e in &s.list.entries {
        let r = &e.row;
        out.extend([
            r.name.clone(),
            r.type_label.clone(),
            r.kind.clone(),
            r.dims.clone(),
            r.created.clone(),
        ]);
        out.extend(r.tags.iter().cloned());
    }
    for section in &s.inspector.sections {
        out.push(section.title.clone());
        for (k, v) in &section.rows {
            out.push(k.clone());
            out.push(v.clone());
        }
    }
    out.extend(s.inspector.json.iter().flatten().cloned());
    out.extend(s.notice.iter().map(|n| n.text.clone()));
    out.extend(s.filters.chips());
    // ids stay raw (they go back to the API); names are shown
    out.extend(s.collections.items.iter().map(|(_, name)| name.clone()));
    // `Loading::Failed` keeps the worker's message as it came (an
    // `ApiError`, sanitized where it is built); only its cells are checked
    out
}

#[test]
fn no_server_string_reaches_a_cell_unsanitized() {
    let assets = || {
        let mut a = vec![hostile_asset()];
        a.extend(fixtures());
        a
    };
    let mut screens = screens();
    screens.push(("raw_json_evil_scrolled", |u| {
        u.ch('J');
        u.key(KeyCode::Tab);
        for _ in 0..30 {
            u.ch('j');
        }
    }));
    screens.push(("jump_parent_evil", |u| {
        u.ch('p');
        u.ch('P');
    }));
    let mut checked = 0;
    for (name, steps) in screens {
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            for images in [true, false] {
                let mut u = Ui::bare(w, h, images, hostile_collections());
                u.page(assets(), None);
                steps(&mut u);
                // the hostile asset must be on screen where it can be
                let buf = u.buffer();
                let bad = forbidden_cells(&buf);
                assert!(
                    bad.is_empty(),
                    "{name} at {w}×{h} (images {images}): forbidden characters in cells {bad:?}\n{}",
                    buffer_text(&buf)
                );
                for text in displayed_strings(&u.state) {
                    // multi-line values (prompts) keep their line breaks
                    assert!(
                        !text.chars().any(|c| c != '\n' && is_forbidden(c)),
                        "{name} at {w}×{h}: unsanitized string in the state: {:?}",
                        text.escape_unicode().to_string()
                    );
                }
                if let Some(Overlay::Filters(pane)) = &u.state.overlay {
                    if let Some(e) = &pane.error {
                        assert!(!e.chars().any(is_forbidden), "{name}: filter error {e:?}");
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100);
    // and the hostile asset really was drawn (its cleaned name shows)
    let mut u = Ui::bare(120, 40, true, hostile_collections());
    u.page(assets(), None);
    let screen = u.screen();
    assert!(screen.contains("name]52;c;cHduZWQ="), "{screen}");
}

/// The message of a failed page, shown in the list's empty state, is
/// sanitized like the status bar's notice: a joiner in a reason or a base
/// URL never reaches the cells.
#[test]
fn a_failed_page_message_is_sanitized() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut u = Ui::bare(w, h, true, collections());
        u.fail(&evil("cannot reach the service"));
        let buf = u.buffer();
        let bad = forbidden_cells(&buf);
        assert!(bad.is_empty(), "{bad:?}\n{}", buffer_text(&buf));
    }
}

#[test]
fn a_tiny_terminal_keeps_the_cursor_bar_inside_the_list() {
    // three-line rows (thumbnails on) in a list one line tall
    let u = Ui::with(30, 8, true, fixtures());
    let screen = u.screen();
    let rows: Vec<&str> = screen.lines().collect();
    // the list's bottom border is whole: the bar of a cut row stops above it
    let top = rows
        .iter()
        .position(|r| r.starts_with("╭ Assets"))
        .unwrap_or_else(|| panic!("the list in\n{screen}"));
    let border = rows[top..]
        .iter()
        .find(|r| r.starts_with('╰'))
        .unwrap_or_else(|| panic!("its bottom border in\n{screen}"));
    assert!(!border.contains('▌'), "{screen}");
    assert!(screen.contains('▌'), "the cursor shows:\n{screen}");
}

#[test]
fn odd_sizes_draw_without_panicking() {
    for (w, h) in [
        (1, 1),
        (20, 5),
        (40, 12),
        (60, 16),
        (99, 30),
        (100, 30),
        (159, 45),
        (160, 45),
    ] {
        for (name, steps) in screens() {
            for images in [true, false] {
                let mut u = Ui::with(w, h, images, fixtures());
                steps(&mut u);
                let text = u.screen();
                assert_eq!(text.lines().count(), h as usize, "{name} at {w}×{h}");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Real images
// ---------------------------------------------------------------------------

/// A gradient PNG, encoded in memory.
fn gradient_png(w: u32, h: u32, tint: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, tint])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("png encodes");
    bytes
}

/// Fills the image store with halfblock renditions of every visible
/// thumbnail and of the preview, as the image worker would.
fn fill_images(u: &mut Ui) {
    use assetui::app::images::Slot;
    use assetui::worker::images::{render_image, ImageKey, Variant};
    let picker = ratatui_image::picker::Picker::halfblocks();
    let g = u.state.geometry;
    let cells = g
        .grid
        .map(|grid| grid.image)
        .unwrap_or(assetui::app::layout::ROW_THUMB);
    let visible = g.visible_items();
    let ids: Vec<String> = u
        .state
        .list
        .entries
        .iter()
        .skip(u.state.list.offset)
        .take(visible)
        .map(|e| e.asset.id.clone())
        .collect();
    for (i, id) in ids.into_iter().enumerate() {
        // landscape and portrait pictures, so the centring shows
        let (w, h) = if i % 2 == 0 { (160, 90) } else { (90, 160) };
        let protocol = render_image(&gradient_png(w, h, (i * 40) as u8), cells, &picker)
            .expect("thumbnail renders");
        let key = ImageKey {
            asset_id: id,
            variant: Variant::Thumbnail,
            cells,
        };
        u.state.images.insert(key, Slot::Ready(protocol.into()));
    }
    if let (Some(p), Some(asset)) = (g.preview, u.state.inspector.asset.clone()) {
        let cells = (p.width, p.height);
        let protocol =
            render_image(&gradient_png(400, 300, 200), cells, &picker).expect("preview renders");
        let key = ImageKey {
            asset_id: asset.id.clone(),
            variant: Variant::Preview,
            cells,
        };
        u.state.images.insert(key, Slot::Ready(protocol.into()));
    }
}

#[test]
fn halfblock_images() {
    let mut u = Ui::new(120, 40);
    fill_images(&mut u);
    let screen = u.screen();
    assert!(screen.contains(['▀', '▄']), "{screen}");
    insta::assert_snapshot!("list_halfblocks_120x40", screen);

    let mut u = Ui::new(120, 40);
    u.ch('v');
    fill_images(&mut u);
    insta::assert_snapshot!("grid_halfblocks_120x40", u.screen());

    let mut u = Ui::new(80, 24);
    fill_images(&mut u);
    insta::assert_snapshot!("list_halfblocks_80x24", u.screen());

    // an overlay clears the images under it
    let mut u = Ui::new(120, 40);
    fill_images(&mut u);
    u.ch('f');
    insta::assert_snapshot!("filters_over_halfblocks_120x40", u.screen());
}

// ---------------------------------------------------------------------------
// Polish: what shows without colour
// ---------------------------------------------------------------------------

/// The rows of `screen` (as `screen()` returns it).
fn rows(screen: &str) -> Vec<&str> {
    screen.lines().collect()
}

/// Column (in chars) where `needle` starts on the line, if it does.
fn col(line: &str, needle: &str) -> Option<usize> {
    line.find(needle).map(|b| line[..b].chars().count())
}

#[test]
fn grid_marks_the_selected_tile_without_colour_and_centres_the_tiles() {
    for &(w, h) in &[(80, 24), (120, 40), (200, 60)] {
        for images in [true, false] {
            let mut u = Ui::with(w, h, images, fixtures());
            u.ch('v');
            u.ch('l');
            let g = u.state.geometry;
            let grid = g.grid.expect("grid");
            let buf = u.buffer();
            // a double frame around the second tile, and only there
            let x0 = g.list_inner.x + grid.left + grid.tile_width;
            let y0 = g.list_inner.y;
            assert_eq!(
                buf[(x0, y0)].symbol(),
                "╔",
                "{w}×{h}\n{}",
                buffer_text(&buf)
            );
            let x1 = x0 + grid.tile_width - 1;
            let y1 = y0 + grid.tile_height - 1;
            assert_eq!(buf[(x1, y1)].symbol(), "╝", "{w}×{h}");
            let frames = buffer_text(&buf).matches('╔').count();
            assert_eq!(frames, 1, "one selected tile at {w}×{h}");
            // centred: the spare columns are split, the right side gets
            // at most one more
            let spare = g.list_inner.width - grid.columns * grid.tile_width;
            assert_eq!(grid.left, spare / 2);
            // clicking a tile still selects that tile
            assert_eq!(g.item_at(x0 + 1, y0 + 1, u.state.list.offset), Some(1));
        }
    }
}

#[test]
fn rows_without_thumbnails_line_up_in_columns() {
    for &(w, h) in &[(60, 20), (80, 24), (120, 40), (200, 60)] {
        let u = Ui::with(w, h, false, fixtures());
        let screen = u.screen();
        let inner = u.state.geometry.list_inner;
        let shown = u.state.list.entries.len().min(inner.height as usize);
        let pane = cut(&u.buffer(), inner);
        let lines: Vec<String> = pane.lines().take(shown).map(str::to_string).collect();
        for l in &lines {
            // the date is the last column, flush right, on every row
            assert_eq!(
                l.chars().count(),
                inner.width as usize,
                "one char a cell: {l:?}"
            );
            let chars: Vec<char> = l.chars().collect();
            let date: String = chars[chars.len() - 10..].iter().collect();
            assert!(
                date.starts_with("20") && date.chars().nth(4) == Some('-'),
                "{l:?} at {w}×{h}\n{screen}"
            );
        }
        // long names are cut with an ellipsis, not pushed into the columns
        assert!(lines.iter().any(|l| l.contains('…')), "{screen}");
        // the kind column lines up
        let kinds: Vec<usize> = lines.iter().filter_map(|l| col(l, "  image  ")).collect();
        assert!(
            kinds.len() > 3 && kinds.iter().all(|&k| k == kinds[0]),
            "{w}×{h}\n{screen}"
        );
        if w == 60 {
            insta::assert_snapshot!("list_no_images_60x20", screen);
        }
    }
}

fn wide_labels_asset() -> Asset {
    asset(json!({
        "id": "asset_labels",
        "createdAt": "2026-03-01T00:00:00.000Z",
        "kind": "audio",
        "mimeType": "audio/wav",
        "editCapabilities": [],
        "metadata": {"type": "txt2audio", "name": "Glass chime",
                     "numInferenceSteps": 30, "generationTimeMs": 5120,
                     "prompt": "bright glass chime arpeggio rising over five notes, soft attack, long shimmering decay, clean UI reward sound effect, no reverb tail",
                     "aVeryLongFlattenedParameterName": 1},
        "properties": {"size": 88244, "duration": 2.0}
    }))
}

#[test]
fn inspector_labels_fit_sections_stand_out_and_file_is_said_once() {
    let u = Ui::with(120, 40, false, vec![wide_labels_asset()]);
    let pane = u.pane(u.state.geometry.inspector.unwrap());
    // names up to 18 columns are whole; longer ones are cut
    assert!(pane.contains("editCapabilities    [] (empty)"), "{pane}");
    assert!(pane.contains("numInferenceSteps   30"), "{pane}");
    assert!(pane.contains("aVeryLongFlattene…"), "{pane}");
    // size and format on one line, not repeated below
    assert!(
        pane.contains("File                86.2 KiB · audio/wav"),
        "{pane}"
    );
    assert!(!pane.contains("88244"), "{pane}");
    assert!(!pane.contains("mimeType"), "{pane}");
    // section titles are rules
    for t in [
        "── Summary ─",
        "── Asset ─",
        "── Generation ─",
        "── Properties ─",
    ] {
        assert!(pane.contains(t), "{t} in\n{pane}");
    }
    insta::assert_snapshot!("inspector_labels_120x40", pane);
}

#[test]
fn raw_json_wraps_long_lines() {
    let mut u = Ui::with(120, 40, false, vec![wide_labels_asset()]);
    u.ch('J');
    let pane = u.pane(u.state.geometry.details);
    // the prompt is longer than the pane: it wraps, its end is still there
    assert!(pane.contains("no reverb tail"), "{pane}");
    assert!(!pane.contains('…'), "{pane}");
    insta::assert_snapshot!("raw_json_wrapped_120x40", pane);
    // at 80×24 scrolling reaches the last line, wrapped rows included
    let mut u = Ui::with(80, 24, false, vec![wide_labels_asset()]);
    u.ch('J');
    u.key(KeyCode::Tab);
    for _ in 0..200 {
        u.ch('j');
    }
    let end = u.pane(u.state.geometry.details);
    assert!(end.trim_end().ends_with('}'), "{end}");
}

#[test]
fn filter_chips_that_do_not_fit_are_counted() {
    let mut u = Ui::new(80, 24);
    set_filters_with_keys(&mut u);
    u.page(vec![fixtures()[1].clone()], None);
    let bar = u.pane(u.state.geometry.filter_bar);
    assert!(bar.contains("collection:Heroes  +1"), "{bar}");
    assert!(!bar.contains("fro"), "no chip is cut: {bar}");
    let mut wide = Ui::new(200, 60);
    set_filters_with_keys(&mut wide);
    wide.page(vec![fixtures()[1].clone()], None);
    let bar = wide.pane(wide.state.geometry.filter_bar);
    assert!(
        bar.contains("from:2026-01-01") && !bar.contains('+'),
        "{bar}"
    );
}

#[test]
fn status_bar_order_counts_and_failed_first_load() {
    let u = Ui::new(120, 40);
    let status = u.pane(u.state.geometry.status);
    assert!(status.starts_with(" 1/12 · list"), "{status:?}");
    assert!(status.trim_end().ends_with("? help  q quit"), "{status:?}");

    let mut f = Ui::new(120, 40);
    set_filters_with_keys(&mut f);
    f.page(vec![fixtures()[1].clone()], None);
    let status = f.pane(f.state.geometry.status);
    assert!(status.starts_with(" 1/1 · list · 4 filters"), "{status:?}");

    let mut one = Ui::new(120, 40);
    one.ch('f');
    one.ch('j');
    one.key(KeyCode::Enter); // privacy: private
    one.key(KeyCode::Esc);
    one.key(KeyCode::Tab);
    let status = one.pane(one.state.geometry.status);
    assert!(
        status.contains(" · list › inspector · 1 filter · "),
        "{status:?}"
    );

    // a picker counts its matches in words
    let mut p = Ui::new(120, 40);
    p.ch('f');
    p.key(KeyCode::Enter);
    p.typ("upscale-vid");
    assert!(p.screen().contains(" 1 match "), "{}", p.screen());
    p.typ("zzzz");
    assert!(p.screen().contains(" 0 matches"), "{}", p.screen());

    // a failed first page: nothing more is coming, the error says why
    let mut e = Ui::new(80, 24);
    e.ch('r');
    e.fail("connection refused");
    let status = e.pane(e.state.geometry.status);
    assert!(
        status.starts_with(" 0/0 · list · ✗ load failed: connection refused"),
        "{status:?}"
    );
    assert!(!status.contains("0/0+"), "{status:?}");
}

#[test]
fn help_keeps_the_bars_visible() {
    for &(w, h) in SIZES {
        let mut u = Ui::new(w, h);
        let before = u.screen();
        u.ch('?');
        let after = u.screen();
        let (b, a) = (rows(&before), rows(&after));
        assert_eq!(a[0], b[0], "filter bar at {w}×{h}");
        // the status stays; the keys on its right are the help's
        let status = |r: &str| r.split("  ").next().unwrap_or_default().to_string();
        assert_eq!(
            status(a[h as usize - 1]),
            status(b[h as usize - 1]),
            "status bar at {w}×{h}"
        );
        assert!(
            a[h as usize - 1].contains("typing filters"),
            "{}",
            a[h as usize - 1]
        );
        assert!(after.contains(" Keys "), "{after}");
    }
    // no help line is cut by the popup (72 columns, 70 inside)
    let u = Ui::new(80, 24);
    for l in assetui::ui::overlay::help_lines(&u.state) {
        assert!(l.width() <= 70, "{l:?}");
    }
}

#[test]
fn empty_states_say_so_in_the_inspector() {
    let mut e = Ui::new(120, 40);
    e.ch('r');
    e.fail("connection refused");
    let pane = e.pane(e.state.geometry.inspector.unwrap());
    assert!(pane.contains("no asset loaded"), "{pane}");
    let u = Ui::with(120, 40, true, Vec::new());
    let pane = u.pane(u.state.geometry.inspector.unwrap());
    assert!(pane.contains("nothing selected"), "{pane}");
}

// ---------------------------------------------------------------------------
// TwelveLabs (issue 16): its list, inspector, filter pane, help and search
// results, drawn from its own objects
// ---------------------------------------------------------------------------

fn twelvelabs_fixtures() -> Vec<assetui::provider::AssetView> {
    let thumb = |id: &str| format!("https://cdn.example.test/{id}/thumb.jpg?sig=x");
    [
        json!({
            "_id": "6721a3f0c1e5a7b2d4f60001", "method": "direct", "status": "ready",
            "filename": "harbor-dawn.mp4", "file_type": "video/mp4",
            "created_at": "2026-10-02T09:14:03Z",
            "user_metadata": {"project": "coastline", "reviewed": true, "take": 3},
            "hls": {"status": "ready", "manifest_url": "https://cdn.example.test/h/index.m3u8"},
            "thumbnail": {"status": "ready", "representative_url": thumb("h")},
            "technical_metadata": {"video_codec": "h264", "video_width": 1920, "video_height": 1080,
                                   "video_fps": 29.97, "audio_codec": "aac", "has_audio": true},
            "size": 48213377, "duration": 73.4
        }),
        json!({
            "_id": "6721a3f0c1e5a7b2d4f60002", "method": "multipart", "status": "processing",
            "filename": "drone-pass.mov", "file_type": "video/quicktime",
            "created_at": "2026-10-03T10:00:00Z",
            "hls": {"status": "pending"}, "thumbnail": {"status": "processing"}
        }),
        json!({
            "_id": "6721a3f0c1e5a7b2d4f60003", "method": "url", "status": "failed",
            "filename": "notes.txt", "file_type": "text/plain",
            "created_at": "2026-10-04T11:30:00Z",
            "error": {"message": "the file is not a video, an audio or an image"}
        }),
        json!({
            "_id": "6721a3f0c1e5a7b2d4f60004", "method": "direct", "status": "ready",
            "filename": "gull-calls.wav", "file_type": "audio/wav",
            "created_at": "2026-10-05T12:00:00Z",
            "user_metadata": {"project": "coastline"},
            "thumbnail": {"status": "ready", "representative_url": thumb("g")},
            "technical_metadata": {"audio_codec": "pcm_s16le", "audio_sample_rate": 16000, "audio_channels": 1},
            "size": 96044, "duration": 3.0
        }),
    ]
    .into_iter()
    .map(|v| assetui::provider::twelvelabs::view(serde_json::from_value(v).unwrap()))
    .collect()
}

fn twelvelabs_ui(w: u16, h: u16) -> Ui {
    let mut state = State::new(
        "TwelveLabs demo library".into(),
        Keymap::default(),
        true,
        48,
        w,
        h,
    );
    state.caps = assetui::provider::ProviderKind::TwelveLabs.capabilities();
    let mut ui = Ui { state };
    ui.send(Msg::Collections(Ok(Vec::new())));
    ui.state.list.loading = Loading::Fetching;
    let generation = ui.state.list.generation;
    ui.send(Msg::Page {
        generation,
        result: Ok(assetui::provider::Page {
            items: twelvelabs_fixtures(),
            next: None,
            total: Some(4),
        }),
    });
    ui
}

#[test]
fn twelvelabs_screens_at_80x24_and_120x40() {
    type TlSteps = fn(&mut Ui);
    let screens: [(&str, TlSteps); 5] = [
        ("tl_list", |_| {}),
        ("tl_processing", |u| u.ch('j')),
        ("tl_failed", |u| {
            u.ch('j');
            u.ch('j');
        }),
        ("tl_filters", |u| u.ch('f')),
        ("tl_help", |u| u.ch('?')),
    ];
    for (name, steps) in screens {
        for &(w, h) in SIZES {
            let mut u = twelvelabs_ui(w, h);
            steps(&mut u);
            let screen = u.screen();
            assert!(!screen.contains('\u{1b}'));
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
        }
    }
}

// Issue 18, gaps 1 and 2: the message log, the command palette, the help's
// filter and the footer's keys.

/// A fixed clock: 12:34:56 UTC.
const NOON: u64 = 1_796_000_000 - 1_796_000_000 % 86_400 + 12 * 3600 + 34 * 60 + 56;

fn with_messages(w: u16, h: u16) -> Ui {
    let mut u = Ui::new(w, h);
    u.state.messages.now = NOON;
    u.state.info("reloaded: 12 assets");
    u.state.warn("no action on x (? for help)");
    u.state.error(format!(
        "download of asset_castle failed: the service answered 503 Service Unavailable \
         ({}); it will be retried at the next start",
        "the upstream storage is being maintained, please try again later. ".repeat(2)
    ));
    u.state
        .info("copied the asset id to the terminal clipboard (OSC 52)");
    u.state
        .info("copied the asset id to the terminal clipboard (OSC 52)");
    u
}

#[test]
fn the_message_log_shows_every_message_whole() {
    let mut u = with_messages(80, 24);
    let status = u.pane(u.state.geometry.status);
    // the status bar cuts the last message, and says where it is whole
    assert!(status.contains("m log"), "{status:?}");
    u.ch('m');
    let screen = u.screen();
    assert!(
        screen.contains("it will be retried at the next start"),
        "{screen}"
    );
    assert!(screen.contains("(×2)"), "{screen}");
    insta::assert_snapshot!("message_log_80x24", screen);
    // Esc closes it
    u.key(KeyCode::Esc);
    assert!(!u.screen().contains(" Messages "));
}

#[test]
fn the_message_log_is_sanitized_and_scrolls_to_the_oldest() {
    let mut u = Ui::new(80, 24);
    u.state
        .error(format!("{}evil\x1b]52;c;AAAA\x07 text", evil("x")));
    for i in 0..40 {
        u.state.info(format!("message {i}"));
    }
    u.ch('m');
    assert!(forbidden_cells(&u.buffer()).is_empty());
    assert!(u.screen().contains("message 39"));
    u.ch('g');
    let screen = u.screen();
    assert!(
        screen.contains("evil") && !screen.contains("message 39"),
        "{screen}"
    );
}

#[test]
fn the_command_palette_lists_and_filters_the_actions() {
    let mut u = Ui::new(80, 24);
    u.ch(':');
    insta::assert_snapshot!("command_palette_80x24", u.screen());
    u.typ("down");
    let screen = u.screen();
    insta::assert_snapshot!("command_palette_filtered_80x24", screen);
    assert!(screen.contains("download"), "{screen}");
}

#[test]
fn the_help_filter_narrows_the_rows() {
    let mut u = Ui::new(80, 24);
    u.ch('?');
    u.typ("clear");
    let screen = u.screen();
    assert!(screen.contains("filter: clear"), "{screen}");
    assert!(screen.contains("clear every filter"), "{screen}");
    assert!(!screen.contains("move down"), "{screen}");
    insta::assert_snapshot!("help_filtered_80x24", screen);
}

#[test]
fn the_footer_shows_the_focused_panes_keys_at_80x24() {
    let mut shots = String::new();
    let mut shot = |name: &str, u: &Ui| {
        let status = u.pane(u.state.geometry.status);
        assert!(
            status.trim_end_matches('\n').chars().count() <= 80,
            "{status:?}"
        );
        shots.push_str(&format!("{name:<12}|{}", status));
    };
    let mut u = Ui::new(80, 24);
    shot("list", &u);
    u.key(KeyCode::Tab);
    shot("inspector", &u);
    u.key(KeyCode::Tab);
    u.ch('/');
    shot("search box", &u);
    u.key(KeyCode::Esc);
    u.ch('f');
    shot("filter pane", &u);
    u.key(KeyCode::Esc);
    u.ch('t');
    shot("tag editor", &u);
    u.key(KeyCode::Esc);
    u.ch('D');
    shot("downloads", &u);
    u.key(KeyCode::Esc);
    u.ch('m');
    shot("messages", &u);
    u.key(KeyCode::Esc);
    u.ch(':');
    shot("palette", &u);
    u.key(KeyCode::Esc);
    // a long message: all of the status first, then only the kept keys
    u.state.error("x".repeat(200));
    shot("long error", &u);
    insta::assert_snapshot!("footer_per_focus_80x24", shots);
}

// ---------------------------------------------------------------------------
// The transfers pane (issue 17): downloads and uploads side by side
// ---------------------------------------------------------------------------

fn transfer(
    key: u64,
    upload: Option<bool>,
    phase: assetui::download::queue::Phase,
) -> assetui::download::queue::ItemView {
    use assetui::download::queue::{Direction, ItemView};
    ItemView {
        key,
        direction: match upload {
            Some(single) => Direction::Upload { single },
            None => Direction::Download,
        },
        asset_id: String::new(),
        format: None,
        name: String::new(),
        phase,
        bytes: 0,
        total: None,
        speed: 0.0,
        eta: None,
        path: None,
        error: None,
        note: None,
        fetched: 0,
        assets: Vec::new(),
    }
}

#[test]
fn the_transfers_pane_with_uploads_and_a_download() {
    use assetui::download::queue::{Phase, Snapshot};
    use std::time::Duration;
    let mut download = transfer(1, None, Phase::Downloading);
    download.asset_id = "asset_a1".into();
    download.name = "harbour-at-dusk".into();
    (download.bytes, download.total) = (3 << 20, Some(12 << 20));
    download.speed = (2 << 20) as f64;
    download.eta = Some(Duration::from_secs(5));
    let mut sending = transfer(2, Some(false), Phase::Sending);
    sending.name = "take.wav".into();
    sending.path = Some("/home/u/take.wav".into());
    (sending.bytes, sending.total) = (10 << 20, Some(13 << 20));
    sending.speed = (4 << 20) as f64;
    sending.eta = Some(Duration::from_secs(1));
    sending.note = Some("2 of 3 parts".into());
    let mut importing = transfer(3, Some(false), Phase::Importing);
    importing.name = "scene.glb".into();
    (importing.bytes, importing.total) = (7 << 20, Some(7 << 20));
    importing.note = Some("server: validating".into());
    let mut done = transfer(4, Some(true), Phase::Done);
    done.name = "sketch.png".into();
    done.asset_id = "asset_Nw8sketch".into();
    done.note = Some("sketch.png".into());
    (done.bytes, done.total) = (2048, Some(2048));
    let mut failed = transfer(5, Some(false), Phase::Failed);
    failed.name = "broken.png".into();
    failed.error = Some(
        "the service did not import it: the file is not a valid image: Format error decoding \
         Png: invalid chunk"
            .into(),
    );
    for &(w, h) in SIZES {
        let mut u = Ui::new(w, h);
        u.send(Msg::Downloads(std::sync::Arc::new(Snapshot {
            items: vec![
                download.clone(),
                sending.clone(),
                importing.clone(),
                done.clone(),
                failed.clone(),
            ],
            version: 1,
            ..Default::default()
        })));
        u.ch('D');
        assert!(matches!(u.state.overlay, Some(Overlay::Downloads)));
        // the cursor on the failed upload: its whole reason under it
        u.ch('G');
        insta::assert_snapshot!(format!("transfers_pane_{w}x{h}"), u.screen());
    }
}
