//! `update()` on its own: a state, a message, the state and commands after.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::api::models::AssetListResponse;
use crate::app::keymap::Keymap;
use crate::worker::images::ImageDone;

fn state() -> State {
    State::new("test".into(), Keymap::default(), true, 48, 120, 40)
}

fn asset(id: &str, updated: &str) -> Asset {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "updatedAt": updated,
        "metadata": {"name": format!("name of {id}"), "parentId": "p0"},
        "thumbnail": {"url": format!("http://x/{id}/thumb?signature=s"), "assetId": id},
        "preview": {"url": format!("http://x/{id}/preview?signature=s"), "assetId": id}
    }))
    .unwrap()
}

fn page(ids: &[&str], next: Option<&str>) -> AssetListResponse {
    AssetListResponse {
        assets: ids.iter().map(|id| asset(id, "2026-01-01")).collect(),
        next_pagination_token: next.map(str::to_string),
        ..Default::default()
    }
}

fn key(c: char) -> Msg {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(KeyCode::Char(c), mods))
}

/// A state with one page of `n` assets loaded (more to come).
fn loaded(n: usize) -> State {
    let mut s = state();
    let cmds = init(&mut s);
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::LoadPage { generation: 0, .. })));
    let ids: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Ok(page(&refs, Some("t1"))),
        },
    );
    s
}

#[test]
fn init_asks_for_the_first_page_and_the_collections() {
    let mut s = state();
    let cmds = init(&mut s);
    assert!(matches!(cmds[0], Cmd::LoadCollections));
    match &cmds[1] {
        Cmd::LoadPage { generation, query } => {
            assert_eq!(*generation, 0);
            assert_eq!(query.pagination_token, None);
            assert_eq!(query.page_size, Some(50));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.list.loading, Loading::Fetching);
    assert!(s.busy());
}

#[test]
fn a_page_fills_the_list_and_the_inspector_and_asks_for_thumbnails() {
    let mut s = state();
    init(&mut s);
    let cmds = update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Ok(page(&["a", "b", "c"], None)),
        },
    );
    assert_eq!(s.list.entries.len(), 3);
    assert!(s.list.is_complete());
    assert_eq!(s.inspector.asset.as_ref().unwrap().id, "a");
    // the preview waits for the selection to rest; thumbnails do not
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::After(_, m) if matches!(**m, Msg::Rested { generation: 1 }))));
    let wanted = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::WantImages(r) => Some(r),
            _ => None,
        })
        .expect("thumbnails wanted");
    assert_eq!(wanted.len(), 3);
    assert!(wanted.iter().all(|r| r.key.variant == Variant::Thumbnail));
    assert_eq!(wanted[0].cache_tag, "2026-01-01");
}

#[test]
fn answers_for_old_generations_are_dropped() {
    let mut s = loaded(5);
    s.filters.privacy = Some("public".into());
    let f = s.filters.clone();
    requery(&mut s, f);
    update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Ok(page(&["old"], None)),
        },
    );
    assert!(s.list.entries.is_empty());
    // a detail for an asset no longer shown is dropped too
    let mut s = loaded(5);
    let gen = s.inspector.generation;
    update(&mut s, key('j'));
    update(
        &mut s,
        Msg::Asset {
            purpose: AssetPurpose::Detail(gen),
            id: "a0".into(),
            result: Ok(Box::new(asset("a0", "2026-02-02"))),
        },
    );
    assert_eq!(s.inspector.detail, Detail::Listed);
    assert_eq!(s.inspector.asset.as_ref().unwrap().id, "a1");
}

#[test]
fn details_load_only_when_the_selection_rests() {
    let mut s = loaded(10);
    let first = s.inspector.generation;
    update(&mut s, key('j'));
    update(&mut s, key('j'));
    let now = s.inspector.generation;
    assert_eq!(now, first + 2);
    assert!(update(&mut s, Msg::Rested { generation: first }).is_empty());
    let cmds = update(&mut s, Msg::Rested { generation: now });
    assert!(matches!(
        &cmds[0],
        Cmd::LoadAsset { purpose: AssetPurpose::Detail(g), id } if *g == now && id == "a2"
    ));
    assert_eq!(s.inspector.detail, Detail::Loading);
    // and the preview is now wanted, first
    let wanted = cmds.iter().find_map(|c| match c {
        Cmd::WantImages(r) => Some(r),
        _ => None,
    });
    assert_eq!(wanted.unwrap()[0].key.variant, Variant::Preview);
}

#[test]
fn a_failed_page_says_how_to_retry_and_r_retries_it() {
    let mut s = state();
    init(&mut s);
    update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Err("the server is down".into()),
        },
    );
    assert!(matches!(s.list.loading, Loading::Failed(_)));
    let n = s.notice.clone().unwrap();
    assert!(n.error && n.text.contains("r to retry"), "{n:?}");
    let cmds = update(&mut s, key('r'));
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::LoadPage { generation: 0, .. })));
}

#[test]
fn an_expired_link_refreshes_the_asset_once() {
    let mut s = loaded(3);
    let k = ImageKey {
        asset_id: "a0".into(),
        variant: Variant::Thumbnail,
        cells: super::super::layout::ROW_THUMB,
    };
    let expired = || {
        Msg::Image(ImageDone {
            key: k.clone(),
            result: Err(ImageError::Expired),
        })
    };
    let cmds = update(&mut s, expired());
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::LoadAsset { purpose: AssetPurpose::Refresh, id } if id == "a0")));
    assert!(s.refreshing.contains("a0"));
    // while the fresh link is on its way, the image is not asked again
    let cmds = update(&mut s, key('j'));
    assert!(!cmds
        .iter()
        .any(|c| matches!(c, Cmd::WantImages(r) if r.iter().any(|r| r.key == k))));
    let cmds = update(
        &mut s,
        Msg::Asset {
            purpose: AssetPurpose::Refresh,
            id: "a0".into(),
            result: Ok(Box::new(asset("a0", "2026-01-01"))),
        },
    );
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::WantImages(r) if r.iter().any(|r| r.key == k))));
    // expired again: a placeholder and a message, no loop
    let cmds = update(&mut s, expired());
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::LoadAsset { .. })));
    assert!(matches!(s.images.get(&k), Some(Slot::Failed(_))));
    assert!(s.notice.as_ref().unwrap().error);
}

#[test]
fn a_broken_image_shows_a_placeholder_and_a_message() {
    let mut s = loaded(3);
    let k = ImageKey {
        asset_id: "a1".into(),
        variant: Variant::Thumbnail,
        cells: super::super::layout::ROW_THUMB,
    };
    update(
        &mut s,
        Msg::Image(ImageDone {
            key: k.clone(),
            result: Err(ImageError::Decode("not an image".into())),
        }),
    );
    assert!(matches!(s.images.get(&k), Some(Slot::Failed(_))));
    assert!(s.notice.as_ref().unwrap().text.contains("not an image"));
    // `r` forgets failures so they are tried again
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    let cmds = update(&mut s, key('r'));
    assert!(s.images.get(&k).is_none());
    let _ = cmds;
}

#[test]
fn resizing_drops_encoded_images_and_relayouts() {
    let mut s = loaded(3);
    s.images.insert(
        ImageKey {
            asset_id: "a0".into(),
            variant: Variant::Thumbnail,
            cells: (6, 3),
        },
        Slot::Failed("x".into()),
    );
    update(&mut s, Msg::Resize(80, 24));
    assert!(s.images.is_empty());
    assert!(s.geometry.stacked);
    // the same size again changes nothing
    s.images.insert(
        ImageKey {
            asset_id: "a0".into(),
            variant: Variant::Thumbnail,
            cells: (6, 3),
        },
        Slot::Failed("x".into()),
    );
    update(&mut s, Msg::Resize(80, 24));
    assert_eq!(s.images.len(), 1);
}

#[test]
fn quit_suspend_and_overlays() {
    let mut s = loaded(3);
    assert!(matches!(
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL))
        )[..],
        [Cmd::Suspend, ..]
    ));
    update(&mut s, key('?'));
    assert!(matches!(s.overlay, Some(Overlay::Help { .. })));
    // keys go to the overlay, not the list
    update(&mut s, key('j'));
    assert_eq!(s.list.cursor, 0);
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert!(s.overlay.is_none());
    let cmds = update(&mut s, key('q'));
    assert!(matches!(cmds[..], [Cmd::Quit]));
}

#[test]
fn clearing_filters_requeries_and_says_so() {
    let mut s = loaded(3);
    update(&mut s, key('F'));
    assert_eq!(s.notice.as_ref().unwrap().text, "no filter to clear");
    s.filters.types = vec!["upscale".into()];
    let gen = s.list.generation;
    let cmds = update(&mut s, key('F'));
    assert!(s.filters.is_default());
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::LoadPage { generation, .. } if *generation == gen + 1)));
}

#[test]
fn a_text_filter_with_a_bad_value_is_refused_in_the_pane() {
    let mut s = loaded(3);
    update(&mut s, key('f'));
    for _ in 0..5 {
        update(&mut s, key('j'));
    }
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    for c in "2026/01/01".chars() {
        update(&mut s, key(c));
    }
    let gen = s.list.generation;
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let Some(Overlay::Filters(pane)) = &s.overlay else {
        panic!("pane closed");
    };
    assert!(pane.error.as_ref().unwrap().contains("YYYY-MM-DD"));
    assert!(
        matches!(pane.edit, Some(Edit::Text { .. })),
        "still editing"
    );
    assert_eq!(s.list.generation, gen, "nothing reloaded");
}

#[test]
fn help_scroll_stops_at_its_last_line_so_k_answers_at_once() {
    let mut s = loaded(3);
    update(&mut s, Msg::Resize(80, 24));
    update(&mut s, key('?'));
    for _ in 0..200 {
        update(&mut s, key('j'));
    }
    let Some(Overlay::Help { scroll: max }) = s.overlay else {
        panic!("help open")
    };
    let len = crate::app::keymap::help_len();
    assert!(max > 0 && max < len, "{max} of {len}");
    update(&mut s, key('k'));
    assert!(matches!(s.overlay, Some(Overlay::Help { scroll }) if scroll == max - 1));
    update(&mut s, key('G'));
    assert!(matches!(s.overlay, Some(Overlay::Help { scroll }) if scroll == max));
    // the last line is then the help's last line
    let text = crate::headless::buffer_text(&{
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        t.draw(|f| crate::ui::draw(&s, f)).unwrap();
        t.backend().buffer().clone()
    });
    assert!(text.contains("Keys can be changed"), "{text}");
}

#[test]
fn copy_keys_ask_the_event_loop_and_a_failed_clipboard_falls_back() {
    use crate::clipboard::{Copied, Route};
    let mut s = loaded(3);
    let cmds = update(&mut s, key('y'));
    assert!(
        matches!(&cmds[..], [Cmd::Copy { what: "asset id", text, route: None }] if text == "a0")
    );
    // `Y` asks for a fresh link first
    let cmds = update(&mut s, key('Y'));
    assert!(
        matches!(&cmds[..], [Cmd::LoadAsset { purpose: AssetPurpose::CopyLink, id }] if id == "a0")
    );
    // no prompt here: said so, nothing copied
    let cmds = update(&mut s, key('c'));
    assert!(cmds.is_empty());
    assert!(s.notice.as_ref().unwrap().text.contains("no prompt"));
    // a failed system clipboard in `auto` retries through OSC 52
    let failed = Copied {
        what: "asset id",
        via: Route::Native,
        cut: false,
        result: Err("no display".into()),
        text: "a0".into(),
        fallback: true,
    };
    let cmds = update(&mut s, Msg::Copied(failed.clone()));
    assert!(
        matches!(&cmds[..], [Cmd::Copy { route: Some(Route::Osc52), text, .. }] if text == "a0")
    );
    // in `native` mode it is an error the user sees
    let cmds = update(
        &mut s,
        Msg::Copied(Copied {
            fallback: false,
            ..failed
        }),
    );
    assert!(cmds.is_empty());
    let notice = s.notice.as_ref().unwrap();
    assert!(notice.error && notice.text.contains("could not copy the asset id"));
}
