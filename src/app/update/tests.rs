//! `update()` on its own: a state, a message, the state and commands after.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::api::models::AssetListResponse;
use crate::api::params::SearchPaging;
use crate::app::filters::Field;
use crate::app::keymap::Keymap;
use crate::app::state::Edit;
use crate::worker::images::ImageDone;

fn state() -> State {
    State::new("test".into(), Keymap::default(), true, 48, 120, 40)
}

fn asset(id: &str, updated: &str) -> AssetView {
    scenario_asset(id, updated).into()
}

fn scenario_asset(id: &str, updated: &str) -> crate::api::models::Asset {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "updatedAt": updated,
        "metadata": {"name": format!("name of {id}"), "parentId": "p0"},
        "thumbnail": {"url": format!("http://x/{id}/thumb?signature=s"), "assetId": id},
        "preview": {"url": format!("http://x/{id}/preview?signature=s"), "assetId": id}
    }))
    .unwrap()
}

fn page(ids: &[&str], next: Option<&str>) -> crate::provider::Page {
    crate::provider::scenario::list_page(AssetListResponse {
        assets: ids
            .iter()
            .map(|id| scenario_asset(id, "2026-01-01"))
            .collect(),
        next_pagination_token: next.map(str::to_string),
        ..Default::default()
    })
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
        Cmd::LoadPage { generation, spec } => {
            assert_eq!(*generation, 0);
            assert_eq!(spec.next, None);
            assert_eq!(spec.filters.to_query().page_size, Some(50));
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
    // the first Esc clears what `j` typed into the help's filter
    for _ in 0..2 {
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        );
    }
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
fn help_scroll_stops_at_its_last_line_so_up_answers_at_once() {
    let mut s = loaded(3);
    update(&mut s, Msg::Resize(80, 24));
    update(&mut s, key('?'));
    for _ in 0..200 {
        update(&mut s, press(KeyCode::Down));
    }
    let Some(Overlay::Help { scroll: max, .. }) = s.overlay else {
        panic!("help open")
    };
    let len = crate::app::keymap::help_len(&s.caps);
    assert!(max > 0 && max < len, "{max} of {len}");
    update(&mut s, press(KeyCode::Up));
    assert!(matches!(s.overlay, Some(Overlay::Help { scroll, .. }) if scroll == max - 1));
    update(&mut s, press(KeyCode::End));
    assert!(matches!(s.overlay, Some(Overlay::Help { scroll, .. }) if scroll == max));
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

// ---- search ----

use crate::app::search::{search_filter, Mark};

fn press(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn hits(ids: &[&str], total: u64) -> crate::api::models::SearchResponse {
    serde_json::from_value(serde_json::json!({
        "hits": ids.iter().map(|id| serde_json::to_value(scenario_asset(id, "2026-01-01")).unwrap()).collect::<Vec<_>>(),
        "page": 1,
        "hitsPerPage": 50,
        "totalHits": total,
        "totalPages": total.div_ceil(50),
    }))
    .unwrap()
}

/// The searches among `cmds`: (list generation, request).
fn searches(cmds: &[Cmd]) -> Vec<(u64, crate::api::params::SearchRequest)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Search { generation, spec } => Some((*generation, spec.scenario_request())),
            _ => None,
        })
        .collect()
}

/// The `SearchDue` a command list arms, if any.
fn due(cmds: &[Cmd]) -> Option<Msg> {
    cmds.iter().find_map(|c| match c {
        Cmd::After(d, m) => match **m {
            Msg::SearchDue { typed } => {
                assert_eq!(*d, crate::app::search::DEBOUNCE);
                Some(Msg::SearchDue { typed })
            }
            _ => None,
        },
        _ => None,
    })
}

const PAGING: SearchPaging = SearchPaging::Page {
    page: 1,
    hits_per_page: 50,
};

fn answer(s: &mut State, generation: u64, ids: &[&str], total: u64) -> Vec<Cmd> {
    update(
        s,
        Msg::SearchPage {
            generation,
            paging: PAGING,
            result: Ok(crate::provider::scenario::search_page(
                PAGING,
                hits(ids, total),
            )),
        },
    )
}

#[test]
fn typing_is_debounced_and_only_the_last_edit_searches() {
    let mut s = loaded(10);
    update(&mut s, key('/'));
    assert!(s.search.open);
    let mut dues = Vec::new();
    for c in "cast".chars() {
        let cmds = update(&mut s, key(c));
        assert!(searches(&cmds).is_empty(), "no search while typing");
        dues.push(due(&cmds).expect("a debounce armed"));
    }
    assert_eq!(s.search.input, "cast");
    // the earlier debounces ran out: nothing
    for d in dues.drain(..3) {
        assert!(searches(&update(&mut s, d)).is_empty());
    }
    assert!(!s.search.active, "the browsed list is still shown");
    // the last one searches, in a new list generation
    let browse_gen = s.list.generation;
    let cmds = update(&mut s, dues.pop().unwrap());
    let sent = searches(&cmds);
    assert_eq!(sent.len(), 1);
    let (gen, req) = &sent[0];
    assert_eq!(*gen, browse_gen + 1);
    assert_eq!(req.query.as_deref(), Some("cast"));
    assert_eq!((req.page, req.hits_per_page), (Some(1), Some(50)));
    assert_eq!(req.filter, None);
    assert!(s.search.active);
    assert_eq!(s.search.browsed.as_ref().unwrap().entries.len(), 10);
    // it comes back: the results replace the list
    answer(&mut s, *gen, &["r1", "r2"], 2);
    assert_eq!(s.list.entries.len(), 2);
    assert_eq!(s.list.count_label(), "2");
    assert_eq!(s.search.title().unwrap(), "Search \"cast\"");
}

#[test]
fn a_stale_search_answer_never_overwrites_a_newer_one() {
    let mut s = loaded(10);
    update(&mut s, key('/'));
    update(&mut s, key('a'));
    let d = due(&update(&mut s, key('b'))).unwrap();
    let first = searches(&update(&mut s, d))[0].0;
    // more typing: the old search is void once the new one starts
    let d = due(&update(&mut s, key('c'))).unwrap();
    // the old answer may still arrive before the new search is sent
    answer(&mut s, first, &["ab1", "ab2"], 2);
    assert_eq!(s.list.entries.len(), 2);
    let second = searches(&update(&mut s, d))[0].0;
    assert!(second > first);
    // the old rows stay on screen until the new first page replaces them
    assert!(s.list.stale);
    assert_eq!(s.list.entries.len(), 2);
    answer(&mut s, second, &["abc1"], 1);
    // and a late answer to the first search is dropped
    answer(&mut s, first, &["ab1", "ab2", "ab3"], 3);
    let ids: Vec<&str> = s.list.entries.iter().map(|e| e.asset.id.as_str()).collect();
    assert_eq!(ids, vec!["abc1"]);
    assert!(!s.list.stale);
}

#[test]
fn enter_searches_at_once_and_esc_puts_the_browsed_list_back_where_it_was() {
    let mut s = loaded(60);
    for _ in 0..7 {
        update(&mut s, key('j'));
    }
    let browse_gen = s.list.generation;
    update(&mut s, key('/'));
    for c in "dune".chars() {
        update(&mut s, key(c));
    }
    // Enter does not wait for the debounce
    let cmds = update(&mut s, press(KeyCode::Enter));
    assert!(!s.search.open);
    let (gen, _) = searches(&cmds)[0].clone();
    // and that debounce, running out later, searches nothing more
    let typed = s.search.typed;
    assert!(searches(&update(&mut s, Msg::SearchDue { typed })).is_empty());
    answer(&mut s, gen, &["d1", "d2", "d3"], 3);
    update(&mut s, key('j'));
    assert_eq!(s.inspector.asset.as_ref().unwrap().id, "d2");
    // r searches again, on the same asset, and keeps the browsed list aside
    let cmds = update(&mut s, key('r'));
    let (gen, req) = searches(&cmds)[0].clone();
    assert_eq!(req.query.as_deref(), Some("dune"));
    assert!(s.search.browsed.is_some());
    answer(&mut s, gen, &["d0", "d1", "d2", "d3"], 4);
    assert_eq!(s.inspector.asset.as_ref().unwrap().id, "d2");
    // Esc: the browsed list, its cursor and its inspected asset
    let cmds = update(&mut s, press(KeyCode::Esc));
    assert!(!s.search.active && s.search.browsed.is_none());
    assert_eq!(s.list.entries.len(), 60);
    assert_eq!(s.list.cursor, 7);
    assert_eq!(s.inspector.asset.as_ref().unwrap().id, "a7");
    assert!(s.list.generation > gen && gen > browse_gen);
    // nothing is reloaded for it
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::LoadPage { .. })));
    // a late browse page (from before the search) is dropped
    update(
        &mut s,
        Msg::Page {
            generation: browse_gen,
            result: Ok(page(&["late"], None)),
        },
    );
    assert_eq!(s.list.entries.len(), 60);
}

#[test]
fn results_page_on_like_the_list() {
    let mut s = loaded(10);
    update(&mut s, key('/'));
    update(&mut s, key('x'));
    let cmds = update(&mut s, press(KeyCode::Enter));
    let (gen, _) = searches(&cmds)[0].clone();
    let ids: Vec<String> = (0..50).map(|i| format!("h{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    answer(&mut s, gen, &refs, 120);
    assert_eq!(s.list.count_label(), "120");
    assert_eq!(s.list.next_token.as_deref(), Some("2"));
    // near the end of what is loaded, page 2 is asked for
    let mut asked = None;
    for _ in 0..49 {
        let cmds = update(&mut s, key('j'));
        if let Some((g, r)) = searches(&cmds).pop() {
            asked = Some((g, r));
            break;
        }
    }
    let (g, r) = asked.expect("page 2 asked for");
    assert_eq!((g, r.page, r.query.as_deref()), (gen, Some(2), Some("x")));
}

#[test]
fn s_searches_like_the_asset_and_marks_re_search_with_like_and_unlike() {
    let mut s = loaded(10);
    update(&mut s, key('j'));
    let cmds = update(&mut s, key('s'));
    let (gen, req) = searches(&cmds)[0].clone();
    assert_eq!(req.image.as_deref(), Some("a1"));
    assert_eq!(req.images, None);
    assert_eq!(req.query, None);
    answer(&mut s, gen, &["a1", "b1", "b2", "c1"], 4);
    assert!(s.search.is_reference("a1"));
    // the reference itself cannot be marked
    update(&mut s, key('+'));
    assert!(s.search.marks.is_empty());
    update(&mut s, key('j'));
    update(&mut s, key('+'));
    update(&mut s, key('j'));
    update(&mut s, key('j'));
    let cmds = update(&mut s, key('-'));
    assert_eq!(s.search.mark_of("b1"), Some(Mark::Like));
    assert_eq!(s.search.mark_of("c1"), Some(Mark::Unlike));
    let cmds = update(&mut s, due(&cmds).unwrap());
    let (gen2, req) = searches(&cmds)[0].clone();
    assert!(gen2 > gen);
    assert_eq!(req.image, None);
    let images = req.images.unwrap();
    assert_eq!(images.like, vec!["a1", "b1"]);
    assert_eq!(images.unlike, vec!["c1"]);
    // the cursor stays on the row it marked when the results come back
    answer(&mut s, gen2, &["a1", "b1", "b2", "x", "c1"], 5);
    assert_eq!(s.list.current().unwrap().asset.id, "c1");
    // `=` clears one mark, `_` all of them
    let cmds = update(&mut s, key('='));
    assert_eq!(s.search.mark_of("c1"), None);
    assert!(due(&cmds).is_some());
    update(&mut s, key('_'));
    assert!(s.search.marks.is_empty());
    update(&mut s, key('_'));
    assert_eq!(s.notice.as_ref().unwrap().text, "no mark to clear");
}

#[test]
fn marks_outside_search_say_what_to_do() {
    let mut s = loaded(3);
    let cmds = update(&mut s, key('+'));
    assert!(cmds.iter().all(|c| !matches!(c, Cmd::After(..))));
    assert!(s.notice.as_ref().unwrap().text.contains("search results"));
}

#[test]
fn ratio_keys_step_and_are_sent() {
    let mut s = loaded(3);
    update(&mut s, key('/'));
    for c in "sky".chars() {
        update(&mut s, key(c));
    }
    let ctrl = |code| Msg::Key(KeyEvent::new(code, KeyModifiers::CONTROL));
    let alt = |code| Msg::Key(KeyEvent::new(code, KeyModifiers::ALT));
    update(&mut s, ctrl(KeyCode::Right));
    update(&mut s, ctrl(KeyCode::Right));
    update(&mut s, alt(KeyCode::Left));
    let cmds = update(&mut s, ctrl(KeyCode::Left));
    // "auto" counts as 0.5: 0.6, 0.7, then 0.6; the image one 0.4
    assert_eq!(s.search.query_ratio, Some(0.6));
    assert_eq!(s.search.image_ratio, Some(0.4));
    assert_eq!(s.search.input, "sky", "ratio keys are not typed");
    let (gen, req) = searches(&update(&mut s, due(&cmds).unwrap()))[0].clone();
    assert_eq!(req.query_semantic_ratio, Some(0.6));
    answer(&mut s, gen, &["r1"], 1);
    // the image ratio goes only with an image
    assert_eq!(req.image_semantic_ratio, None);
    // like an asset, the box closed: the keys still step, and it is sent
    update(&mut s, press(KeyCode::Enter));
    update(&mut s, key('s'));
    let cmds = update(&mut s, alt(KeyCode::Right));
    assert_eq!(s.search.image_ratio, Some(0.5));
    let (_, req) = searches(&update(&mut s, due(&cmds).unwrap()))[0].clone();
    assert_eq!(req.image.as_deref(), Some("r1"));
    assert_eq!(req.image_semantic_ratio, Some(0.5));
    assert_eq!(req.query_semantic_ratio, None);
}

/// What the worker makes of a local image in these tests.
const DATA_URL: &str = "data:image/jpeg;base64,AAAA";

/// The worker's answer for the local image at `path`: read (as
/// [`DATA_URL`]) or why not.
fn image_read(
    s: &mut State,
    path: &str,
    result: Result<(), crate::app::msg::ImageReadError>,
) -> Vec<Cmd> {
    update(
        s,
        Msg::ImageRead {
            path: path.into(),
            result: result.map(|()| std::sync::Arc::from(DATA_URL)),
        },
    )
}

#[test]
fn a_path_is_read_by_a_worker_then_searched_as_an_image() {
    let mut s = loaded(3);
    update(&mut s, key('/'));
    for c in "@/tmp/ref.png".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, press(KeyCode::Enter));
    assert!(searches(&cmds).is_empty());
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::ReadImage { path, explicit: true } if path == "/tmp/ref.png")));
    // the list stays on screen while the file is read
    assert!(s.busy() && !s.search.active);
    assert_eq!(s.list.entries.len(), 3);
    let cmds = image_read(&mut s, "/tmp/ref.png", Ok(()));
    let (_, req) = searches(&cmds)[0].clone();
    assert_eq!(req.image.as_deref(), Some(DATA_URL));
    assert_eq!(req.query, None);
    // a path-like text naming no file is a text query
    let mut s = loaded(3);
    update(&mut s, key('/'));
    for c in "./notes".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, press(KeyCode::Enter));
    let cmds = image_read(
        &mut s,
        "./notes",
        Err(crate::app::msg::ImageReadError::NotAFile),
    );
    assert_eq!(searches(&cmds)[0].1.query.as_deref(), Some("./notes"));
    // an unreadable file says why, and r reads it again
    let mut s = loaded(3);
    update(&mut s, key('/'));
    for c in "@x.png".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, press(KeyCode::Enter));
    update(
        &mut s,
        Msg::ImageRead {
            path: "x.png".into(),
            result: Err(crate::app::msg::ImageReadError::Failed(
                "not an image this program can read".into(),
            )),
        },
    );
    // the results on screen stay; the status bar says why
    assert_eq!(s.list.entries.len(), 3);
    assert!(!matches!(s.list.loading, Loading::Failed(_)));
    assert!(s.notice.as_ref().unwrap().error);
    let cmds = update(&mut s, key('r'));
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::ReadImage { path, .. } if path == "x.png")));
}

#[test]
fn words_after_an_image_path_search_as_text_beside_the_image() {
    let mut s = loaded(3);
    update(&mut s, key('/'));
    for c in "@'/tmp/my refs/a.png' neon city".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, press(KeyCode::Enter));
    // the worker reads the path as typed, quotes and all
    assert!(cmds.iter().any(
        |c| matches!(c, Cmd::ReadImage { path, explicit: true } if path == "'/tmp/my refs/a.png'")
    ));
    let cmds = image_read(&mut s, "'/tmp/my refs/a.png'", Ok(()));
    let (_, req) = searches(&cmds)[0].clone();
    assert_eq!(req.image.as_deref(), Some(DATA_URL));
    assert_eq!(req.query.as_deref(), Some("neon city"));
    let applied = s.search.applied.clone().unwrap();
    assert_eq!(
        applied.title(),
        "Like \"/tmp/my refs/a.png\" + \"neon city\""
    );
    // an unquoted path with a space names the first word: the error says
    // how to write it
    let mut s = loaded(3);
    update(&mut s, key('/'));
    for c in "@/tmp/my refs.png".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, press(KeyCode::Enter));
    update(&mut s, press(KeyCode::Esc));
    image_read(
        &mut s,
        "/tmp/my",
        Err(crate::app::msg::ImageReadError::Missing),
    );
    let notice = s.notice.clone().unwrap();
    assert!(notice.error, "{}", notice.text);
    assert!(notice.text.contains("in quotes"), "{}", notice.text);
}

#[test]
fn a_half_typed_path_keeps_the_results_and_the_next_results_clear_its_error() {
    let mut s = loaded(3);
    update(&mut s, key('/'));
    for c in "dunes".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, press(KeyCode::Enter));
    let generation = s.list.generation;
    answer(&mut s, generation, &["d1", "d2"], 2);
    assert_eq!(s.list.entries.len(), 2);
    // now a path, half typed: a directory
    update(&mut s, key('/'));
    for _ in 0..5 {
        update(&mut s, press(KeyCode::Backspace));
    }
    for c in "@./refs/".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, press(KeyCode::Enter));
    assert!(
        searches(&cmds).is_empty(),
        "nothing searched before it is read"
    );
    image_read(
        &mut s,
        "./refs/",
        Err(crate::app::msg::ImageReadError::Directory),
    );
    // the dunes stay, the status says what is wrong with the path
    assert_eq!(s.list.entries.len(), 2);
    let n = s.notice.clone().unwrap();
    assert!(
        n.error && n.text.contains("is a directory") && !n.text.contains("no such file"),
        "{n:?}"
    );
    // the file named: results come, and the stale error goes
    update(&mut s, key('/'));
    for c in "planet.jpg".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, press(KeyCode::Enter));
    image_read(&mut s, "./refs/planet.jpg", Ok(()));
    let generation = s.list.generation;
    answer(&mut s, generation, &["p1"], 1);
    assert_eq!(s.list.entries.len(), 1);
    assert!(s.notice.as_ref().is_none_or(|n| !n.error), "{:?}", s.notice);
}

/// Types `text` into the open box and lets its debounce run out: the
/// commands of that last edit's `SearchDue`.
fn type_and_rest(s: &mut State, text: &str) -> Vec<Cmd> {
    let mut last = Vec::new();
    for c in text.chars() {
        last = update(s, key(c));
    }
    let due = due(&last).expect("an edit arms the debounce");
    update(s, due)
}

/// Whether `cmds` read exactly one local image, at `path`.
fn reads_only(cmds: &[Cmd], path: &str) -> bool {
    let mut reads = cmds.iter().filter(|c| matches!(c, Cmd::ReadImage { .. }));
    matches!((reads.next(), reads.next()), (Some(Cmd::ReadImage { path: p, .. }), None) if p == path)
}

#[test]
fn a_path_typed_in_the_open_box_gives_hints_and_searches_only_a_readable_image() {
    use crate::app::msg::ImageReadError;
    let mut s = loaded(3);
    update(&mut s, key('/'));
    let cmds = type_and_rest(&mut s, "dunes");
    let generation = searches(&cmds)[0].0;
    answer(&mut s, generation, &["d1", "d2"], 2);
    for _ in 0..5 {
        update(&mut s, press(KeyCode::Backspace));
    }
    // a directory while typing: read, not searched; a hint, not an error
    let cmds = type_and_rest(&mut s, "@./refs/");
    assert!(searches(&cmds).is_empty());
    assert!(reads_only(&cmds, "./refs/"));
    let cmds = image_read(&mut s, "./refs/", Err(ImageReadError::Directory));
    assert!(searches(&cmds).is_empty());
    let n = s.notice.clone().unwrap();
    assert!(!n.error && n.text.contains("is a directory"), "{n:?}");
    assert_eq!(s.list.entries.len(), 2, "the results stay");
    assert!(!matches!(s.list.loading, Loading::Failed(_)));
    // a file name half typed names nothing yet: a hint again
    let cmds = type_and_rest(&mut s, "pla");
    assert!(searches(&cmds).is_empty());
    image_read(&mut s, "./refs/pla", Err(ImageReadError::Missing));
    let n = s.notice.clone().unwrap();
    assert!(!n.error && n.text.contains("no such file yet"), "{n:?}");
    // Enter means it: the path is read again and, still missing, is an error
    let cmds = update(&mut s, press(KeyCode::Enter));
    assert!(reads_only(&cmds, "./refs/pla"));
    image_read(&mut s, "./refs/pla", Err(ImageReadError::Missing));
    let n = s.notice.clone().unwrap();
    assert!(n.error && n.text.contains("no such file"), "{n:?}");
    assert_eq!(s.list.entries.len(), 2);
    // the whole name: read, then searched, and the error goes
    update(&mut s, key('/'));
    let cmds = type_and_rest(&mut s, "net.jpg");
    assert!(reads_only(&cmds, "./refs/planet.jpg"));
    let cmds = image_read(&mut s, "./refs/planet.jpg", Ok(()));
    let (generation, req) = searches(&cmds)[0].clone();
    assert_eq!(req.image.as_deref(), Some(DATA_URL));
    answer(&mut s, generation, &["p1"], 1);
    assert_eq!(s.list.entries.len(), 1);
    assert!(s.notice.is_none(), "{:?}", s.notice);
    // the error stays in the message log
    assert!(s
        .messages
        .iter()
        .any(|m| m.text.contains("cannot use ./refs/pla: no such file")));
}

#[test]
fn tab_completes_what_one_candidate_or_several_share() {
    let mut s = loaded(3);
    update(&mut s, key('/'));
    for c in "@/d/ph".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, press(KeyCode::Tab));
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::CompletePath { input } if input == "@/d/ph")));
    update(
        &mut s,
        Msg::Completions {
            input: "@/d/ph".into(),
            candidates: vec!["@/d/photo-1.png".into(), "@/d/photo-2.png".into()],
        },
    );
    assert_eq!(s.search.input, "@/d/photo-");
    assert_eq!(s.search.completions.len(), 2);
    update(&mut s, key('2'));
    assert!(s.search.completions.is_empty());
    update(
        &mut s,
        Msg::Completions {
            input: "@/d/photo-2".into(),
            candidates: vec!["@/d/photo-2.png".into()],
        },
    );
    assert_eq!(s.search.input, "@/d/photo-2.png");
    // an answer for older text is dropped
    update(
        &mut s,
        Msg::Completions {
            input: "@/d/ph".into(),
            candidates: vec!["@/d/phantom.png".into()],
        },
    );
    assert_eq!(s.search.input, "@/d/photo-2.png");
    // words are not paths: Tab does nothing
    let mut s = loaded(3);
    update(&mut s, key('/'));
    update(&mut s, key('c'));
    assert!(!update(&mut s, press(KeyCode::Tab))
        .iter()
        .any(|c| matches!(c, Cmd::CompletePath { .. })));
}

#[test]
fn a_failed_search_says_why_and_keeps_the_box_responsive() {
    let mut s = loaded(3);
    update(&mut s, key('/'));
    update(&mut s, key('q'));
    let d = due(&update(&mut s, key('x'))).unwrap();
    let (gen, _) = searches(&update(&mut s, d))[0].clone();
    update(
        &mut s,
        Msg::SearchPage {
            generation: gen,
            paging: SearchPaging::Page {
                page: 1,
                hits_per_page: 50,
            },
            result: Err("the service rejected POST /search/assets (400): bad filter".into()),
        },
    );
    assert!(matches!(s.list.loading, Loading::Failed(_)));
    let n = s.notice.clone().unwrap();
    assert!(n.error && n.text.contains("search failed") && n.text.contains("400"));
    // typing goes on (q is text here, not quit)
    update(&mut s, key('z'));
    assert!(!s.quit);
    assert_eq!(s.search.input, "qxz");
}

#[test]
fn a_filter_change_searches_again_and_the_browsed_list_reloads_on_the_way_back() {
    let mut s = loaded(10);
    update(&mut s, key('j'));
    update(&mut s, key('/'));
    update(&mut s, key('x'));
    let (gen, _) = searches(&update(&mut s, press(KeyCode::Enter)))[0].clone();
    answer(&mut s, gen, &["x1"], 1);
    let mut f = s.filters.clone();
    f.types = vec!["upscale".into()];
    requery(&mut s, f);
    let cmds = update(&mut s, Msg::Tick);
    let (gen2, req) = searches(&cmds)[0].clone();
    assert!(gen2 > gen);
    assert_eq!(req.filter.as_deref(), Some("type = \"upscale\""));
    assert_eq!(req.query.as_deref(), Some("x"));
    let cmds = update(&mut s, press(KeyCode::Esc));
    // the browsed list was for other filters: it reloads, then finds a1
    assert!(cmds.iter().any(|c| matches!(c, Cmd::LoadPage { .. })));
    assert_eq!(s.reselect.as_deref(), Some("a1"));
}

#[test]
fn the_filter_string_is_built_from_the_pane() {
    let mut f = Filters::default();
    assert_eq!(search_filter(&f), None);
    f.types = vec!["upscale".into()];
    assert_eq!(search_filter(&f).unwrap(), "type = \"upscale\"");
    f.types.push("inference-txt2img".into());
    f.privacy = Some("private".into());
    f.author = Some("user_1".into());
    f.model = Some("model_\"x\\y".into());
    f.collection = Some(("coll_9".into(), "Heroes".into()));
    f.created_after = Some("2026-01-01".into());
    f.created_before = Some("2026-02-01".into());
    f.set_text(Field::Tags, " hero, draft ,hero ").unwrap();
    // sort, order and page size are not filters
    f.cycle(Field::Sort);
    f.page_size = 10;
    assert_eq!(
        search_filter(&f).unwrap(),
        "type IN [\"upscale\", \"inference-txt2img\"] AND privacy = \"private\" \
         AND authorId = \"user_1\" AND modelId = \"model_\\\"x\\\\y\" \
         AND collectionIds = \"coll_9\" AND createdAt >= \"2026-01-01T00:00:00.000Z\" \
         AND createdAt <= \"2026-02-01T23:59:59.999Z\" AND tags = \"hero\" AND tags = \"draft\""
    );
    // and the demo server's parser reads it as meant
    let parsed = crate::server::filter::parse(&search_filter(&f).unwrap()).unwrap();
    let mut attrs = parsed.attributes();
    attrs.sort();
    attrs.dedup();
    assert_eq!(
        attrs,
        vec![
            "authorId",
            "collectionIds",
            "createdAt",
            "modelId",
            "privacy",
            "tags",
            "type"
        ]
    );
}

#[test]
fn tags_browse_through_search_with_a_filter() {
    let mut s = loaded(3);
    let mut f = s.filters.clone();
    f.set_text(Field::Tags, "hero").unwrap();
    requery(&mut s, f);
    let cmds = update(&mut s, Msg::Tick);
    let (_, req) = searches(&cmds)[0].clone();
    assert_eq!(req.filter.as_deref(), Some("tags = \"hero\""));
    assert_eq!(req.query, None);
    assert_eq!(req.sort_by, vec!["createdAt:desc"]);
    assert!(!s.search.active, "browsing, not searching");
    assert!(s.filters.chips().contains(&"tag:hero".to_string()));
}

#[test]
fn a_reload_says_when_it_is_done() {
    let mut s = loaded(3);
    let cmds = update(&mut s, key('r'));
    let generation = s.list.generation;
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::LoadPage { generation: g, .. } if *g == generation)));
    assert_eq!(s.notice.as_ref().unwrap().text, "reloading…");
    // an answer for the old list changes nothing
    update(
        &mut s,
        Msg::Page {
            generation: generation - 1,
            result: Ok(page(&["x"], None)),
        },
    );
    assert_eq!(s.notice.as_ref().unwrap().text, "reloading…");
    update(
        &mut s,
        Msg::Page {
            generation,
            result: Ok(page(&["a0", "a1"], None)),
        },
    );
    assert_eq!(s.notice.as_ref().unwrap().text, "reloaded: 2 assets");
    // a later page does not say it again over something newer
    s.info("something else");
    update(
        &mut s,
        Msg::Page {
            generation,
            result: Ok(page(&["a2"], None)),
        },
    );
    assert_eq!(s.notice.as_ref().unwrap().text, "something else");
}

#[test]
fn help_pages_with_the_page_keys() {
    let mut s = loaded(3);
    update(&mut s, Msg::Resize(80, 24));
    update(&mut s, key('?'));
    let page = s.geometry.help_page(80, 24);
    assert!(page > 5, "{page}");
    update(&mut s, press(KeyCode::PageDown));
    assert!(matches!(s.overlay, Some(Overlay::Help { scroll, .. }) if scroll == page));
    update(&mut s, key(' '));
    assert!(matches!(s.overlay, Some(Overlay::Help { scroll, .. }) if scroll == 2 * page));
    update(&mut s, press(KeyCode::PageUp));
    assert!(matches!(s.overlay, Some(Overlay::Help { scroll, .. }) if scroll == page));
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    assert!(matches!(s.overlay, Some(Overlay::Help { scroll, .. }) if scroll == page - page / 2));
}

#[test]
fn g_in_the_inspector_shows_the_last_page_of_fields_not_blank_space() {
    let mut s = loaded(3);
    update(&mut s, Msg::Resize(80, 24));
    update(&mut s, press(KeyCode::Enter));
    assert_eq!(s.focus, Focus::Inspector);
    update(&mut s, key('G'));
    let d = s.geometry.details;
    let total = s.inspector.line_count(d.width as usize);
    assert!(total > d.height as usize, "{total} lines in {d:?}");
    assert_eq!(s.inspector.scroll, total - d.height as usize);
}

#[test]
fn a_key_that_does_nothing_says_so() {
    let mut s = loaded(3);
    update(&mut s, key('K'));
    let n = s.notice.clone().unwrap();
    assert_eq!(n.text, "no action on K (? for help)");
    assert!(!n.error);
    // a bound key still acts and clears it
    update(&mut s, key('j'));
    assert_eq!(s.list.cursor, 1);
    assert!(s.notice.is_none());
}

#[test]
fn d_on_a_file_already_downloaded_says_where_and_copies_only_on_a_second_d() {
    use crate::transfers::{ItemView, Phase, Snapshot};
    let mut s = loaded(3);
    let done = ItemView {
        key: 1,
        direction: Default::default(),
        asset_id: "a0".into(),
        format: None,
        name: "a0.png".into(),
        phase: Phase::Done,
        bytes: 10,
        total: Some(10),
        speed: 0.0,
        eta: None,
        path: Some("/out/a0.png".into()),
        error: None,
        note: None,
        fetched: 10,
        assets: Vec::new(),
    };
    update(
        &mut s,
        Msg::Downloads(std::sync::Arc::new(Snapshot {
            items: vec![done],
            version: 1,
            ..Default::default()
        })),
    );
    let adds = |cmds: &[Cmd]| {
        cmds.iter()
            .filter(|c| matches!(c, Cmd::Downloads(crate::app::downloads::DlCmd::Add(_))))
            .count()
    };
    let cmds = update(&mut s, key('d'));
    assert_eq!(adds(&cmds), 0);
    let n = s.notice.clone().unwrap();
    assert!(
        n.text.contains("already downloaded to /out/a0.png"),
        "{n:?}"
    );
    assert!(n.text.contains("d again downloads a copy"), "{n:?}");
    // another key in between: the offer is gone
    update(&mut s, key('j'));
    update(&mut s, key('k'));
    assert_eq!(adds(&update(&mut s, key('d'))), 0);
    // d right after: the copy is queued
    assert_eq!(adds(&update(&mut s, key('d'))), 1);
    // an asset not downloaded yet queues at once
    update(&mut s, key('j'));
    assert_eq!(adds(&update(&mut s, key('d'))), 1);
}

// ---- a second provider: what it cannot do, and processing (issue 16) ----

fn twelvelabs_asset(id: &str, status: &str) -> AssetView {
    crate::provider::twelvelabs::view(
        serde_json::from_value(serde_json::json!({
            "_id": id, "status": status, "filename": format!("{id}.mp4"), "file_type": "video/mp4"
        }))
        .unwrap(),
    )
}

/// A TwelveLabs state with these assets loaded.
fn twelvelabs_loaded(assets: Vec<AssetView>) -> (State, Vec<Cmd>) {
    let mut s = state();
    s.caps = crate::provider::ProviderKind::TwelveLabs.capabilities();
    init(&mut s);
    let cmds = update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Ok(crate::provider::Page {
                items: assets,
                next: None,
                total: None,
            }),
        },
    );
    (s, cmds)
}

#[test]
fn a_key_the_provider_cannot_serve_says_so_and_leaves_its_help() {
    let (mut s, _) = twelvelabs_loaded(vec![twelvelabs_asset("v1", "ready")]);
    update(&mut s, key('a'));
    assert!(s.overlay.is_none(), "no collection picker on TwelveLabs");
    assert_eq!(
        s.notice.as_ref().map(|n| n.text.as_str()),
        Some("TwelveLabs has no collections")
    );
    update(&mut s, key('p'));
    assert!(!s.inspector.detached);
    assert_eq!(
        s.notice.as_ref().map(|n| n.text.as_str()),
        Some("TwelveLabs has no parent and root assets")
    );
    // the help lists only what the provider serves
    let served: Vec<Action> = crate::app::keymap::SECTIONS
        .iter()
        .flat_map(|(_, acts)| crate::app::keymap::served(acts, &s.caps))
        .collect();
    assert!(!served.contains(&Action::AddToCollection));
    assert!(!served.contains(&Action::JumpParent));
    assert!(served.contains(&Action::Tag) && served.contains(&Action::Delete));
    let scenario = crate::provider::Capabilities::SCENARIO;
    assert!(crate::app::keymap::help_len(&s.caps) < crate::app::keymap::help_len(&scenario));
    // on Scenario the same key opens the picker
    let mut s = loaded(2);
    update(&mut s, key('a'));
    assert!(s.overlay.is_some());
}

#[test]
fn assets_still_processing_are_asked_again_until_ready() {
    let (mut s, cmds) = twelvelabs_loaded(vec![
        twelvelabs_asset("v1", "processing"),
        twelvelabs_asset("v2", "ready"),
    ]);
    let armed = |cmds: &[Cmd]| {
        cmds.iter()
            .any(|c| matches!(c, Cmd::After(d, m) if *d == POLL_EVERY && matches!(**m, Msg::PollProcessing)))
    };
    assert!(armed(&cmds), "a poll is armed: {cmds:?}");
    // one timer at a time
    assert!(!armed(&update(&mut s, key('j'))));
    let cmds = update(&mut s, Msg::PollProcessing);
    let asked: Vec<&str> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::LoadAsset {
                purpose: AssetPurpose::Refresh,
                id,
            } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(asked, ["v1"], "only the one still processing");
    assert!(armed(&cmds), "still processing: asked again later");
    let cmds = update(
        &mut s,
        Msg::Asset {
            purpose: AssetPurpose::Refresh,
            id: "v1".into(),
            result: Ok(Box::new(twelvelabs_asset("v1", "ready"))),
        },
    );
    assert_eq!(
        s.list.entries[0].asset.status,
        crate::provider::Processing::Ready
    );
    let cmds2 = update(&mut s, Msg::PollProcessing);
    assert!(!armed(&cmds) || !armed(&cmds2));
    assert!(
        !cmds2.iter().any(|c| matches!(c, Cmd::LoadAsset { .. })),
        "nothing left to ask"
    );
    assert!(!armed(&cmds2), "no poll once all are ready");
}

#[test]
fn on_a_streaming_provider_o_plays_from_the_best_clip_and_d_says_why_not() {
    let mut v = twelvelabs_asset("v1", "ready");
    v.file_url = Some("http://x/v1/hls/index.m3u8?signature=s".into());
    v.clips = vec![crate::provider::Clip {
        start: 2.0,
        end: 4.0,
        rank: Some(1),
        thumbnail_url: None,
    }];
    let (mut s, _) = twelvelabs_loaded(vec![v]);
    let cmds = update(&mut s, key('o'));
    assert!(
        cmds.iter().any(|c| matches!(
            c,
            Cmd::Play { url, start: Some(st) } if url.contains("index.m3u8") && *st == 2.0
        )),
        "{cmds:?}"
    );
    let cmds = update(&mut s, key('d'));
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Downloads(_))));
    assert_eq!(
        s.notice.as_ref().map(|n| n.text.as_str()),
        Some("TwelveLabs has no file downloads (o plays the stream)")
    );
    // the log line never holds the signed link
    let logged = format!(
        "{:?}",
        Cmd::Play {
            url: "http://x/?signature=secret".into(),
            start: None
        }
    );
    assert!(!logged.contains("secret"), "{logged}");
}

// ---- safety, density, lookup (issue 18, gaps 3-5) ----

fn ctrl_c() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))
}

/// A snapshot of the queue with `n` items downloading.
fn downloading(n: usize) -> Msg {
    use crate::transfers::{ItemView, Phase, Snapshot};
    let items = (0..n)
        .map(|i| ItemView {
            key: i as u64 + 1,
            asset_id: format!("a{i}"),
            format: None,
            name: format!("a{i}.png"),
            phase: Phase::Downloading,
            bytes: 1,
            total: Some(10),
            speed: 0.0,
            eta: None,
            path: None,
            error: None,
            note: None,
            fetched: 0,
            assets: Vec::new(),
            direction: crate::transfers::Direction::Download,
        })
        .collect();
    Msg::Downloads(std::sync::Arc::new(Snapshot {
        items,
        version: 1,
        ..Default::default()
    }))
}

fn question(s: &State) -> String {
    match &s.overlay {
        Some(Overlay::Ask(a)) => a.question.clone(),
        other => panic!("no question: {other:?}"),
    }
}

#[test]
fn q_asks_only_while_transfers_run_and_ctrl_c_quits_at_once() {
    // nothing running: q quits at once
    let mut s = loaded(3);
    assert!(matches!(update(&mut s, key('q'))[..], [Cmd::Quit]));
    // three running: q asks; n and Esc stay
    let mut s = loaded(3);
    update(&mut s, downloading(3));
    assert!(update(&mut s, key('q')).is_empty() || !s.quit);
    assert_eq!(
        question(&s),
        "3 transfers running: quit? they continue at the next start"
    );
    update(&mut s, key('j'));
    assert!(s.overlay.is_some(), "another key leaves the question up");
    update(&mut s, key('n'));
    assert!(s.overlay.is_none() && !s.quit);
    update(&mut s, key('q'));
    update(&mut s, press(KeyCode::Esc));
    assert!(s.overlay.is_none() && !s.quit);
    // q again quits, as does y
    update(&mut s, key('q'));
    assert!(matches!(update(&mut s, key('q'))[..], [Cmd::Quit]));
    let mut s = loaded(3);
    update(&mut s, downloading(1));
    update(&mut s, key('q'));
    assert!(question(&s).starts_with("1 transfer running"));
    assert!(matches!(update(&mut s, key('y'))[..], [Cmd::Quit]));
    // Ctrl-C never asks
    let mut s = loaded(3);
    update(&mut s, downloading(2));
    assert!(matches!(update(&mut s, ctrl_c())[..], [Cmd::Quit]));
}

#[test]
fn a_bulk_action_on_a_selection_partly_off_screen_names_the_count() {
    // 120×40: 12 three-line rows on screen, 30 loaded and selected
    let mut s = loaded(30);
    assert_eq!(s.geometry.visible_items(), 12);
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL)),
    );
    assert_eq!(s.selection.len(), 30);
    update(&mut s, key('X'));
    match &s.overlay {
        Some(Overlay::Confirm(c)) => assert_eq!(
            c.question(),
            "Delete 30 selected assets (18 not on screen) for good?"
        ),
        other => panic!("{other:?}"),
    }
    update(&mut s, key('n'));
    update(&mut s, key('t'));
    match &s.overlay {
        Some(Overlay::Tags(e)) => assert_eq!(e.off_screen, 18),
        other => panic!("{other:?}"),
    }
    update(&mut s, press(KeyCode::Esc));
    update(&mut s, key('a'));
    match &s.overlay {
        Some(Overlay::Choose(c)) => assert_eq!(
            c.title(),
            " Add 30 selected assets (18 not on screen) to a collection "
        ),
        other => panic!("{other:?}"),
    }
    update(&mut s, press(KeyCode::Esc));
    update(&mut s, key('S'));
    match &s.overlay {
        Some(Overlay::Choose(c)) => {
            assert!(c.title().contains("(18 not on screen)"), "{}", c.title())
        }
        other => panic!("{other:?}"),
    }
    update(&mut s, press(KeyCode::Esc));
    // `d` and `Z` had no question: now they ask, and only yes queues
    let queued = |cmds: &[Cmd]| {
        cmds.iter()
            .filter(|c| matches!(c, Cmd::Downloads(_)))
            .count()
    };
    assert_eq!(queued(&update(&mut s, key('d'))), 0);
    assert_eq!(
        question(&s),
        "Download 30 selected assets (18 not on screen)?"
    );
    assert_eq!(queued(&update(&mut s, key('y'))), 1);
    assert_eq!(queued(&update(&mut s, key('Z'))), 0);
    assert_eq!(
        question(&s),
        "Download 30 selected assets (18 not on screen) as one zip?"
    );
    assert_eq!(queued(&update(&mut s, key('n'))), 0);
    assert_eq!(s.notice.as_ref().unwrap().text, "nothing downloaded");
    // a selection wholly on screen asks nothing more than before
    let mut s = loaded(30);
    update(&mut s, key(' '));
    update(&mut s, key(' '));
    assert_eq!(queued(&update(&mut s, key('d'))), 1);
    update(&mut s, key('X'));
    match &s.overlay {
        Some(Overlay::Confirm(c)) => assert_eq!(c.question(), "Delete 2 assets for good?"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn z_brings_cleared_filters_back_unless_they_changed_since() {
    let mut s = loaded(3);
    update(&mut s, key('z'));
    assert_eq!(s.notice.as_ref().unwrap().text, "nothing to undo");
    s.filters.types = vec!["upscale".into()];
    s.filters.privacy = Some("private".into());
    let before = s.filters.clone();
    update(&mut s, key('F'));
    assert!(s.filters.is_default());
    let gen = s.list.generation;
    let cmds = update(&mut s, key('z'));
    assert_eq!(s.filters, before);
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::LoadPage { generation, .. } if *generation == gen + 1)));
    assert_eq!(
        s.notice.as_ref().unwrap().text,
        "undone: 2 cleared filters back"
    );
    // one level: nothing more
    update(&mut s, key('z'));
    assert_eq!(s.notice.as_ref().unwrap().text, "nothing to undo");
    // filters set again after F: nothing undone, and why
    update(&mut s, key('F'));
    s.filters.types = vec!["txt2img".into()];
    update(&mut s, key('z'));
    assert_eq!(s.filters.types, vec!["txt2img".to_string()]);
    assert!(
        s.notice.as_ref().unwrap().text.contains("changed since"),
        "{:?}",
        s.notice
    );
}

fn tag_cmds(cmds: &[Cmd]) -> Vec<crate::app::tags::TagChange> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Tag(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn z_reverses_the_last_tag_edit_through_the_same_path() {
    let mut s = loaded(3);
    update(&mut s, key(' '));
    update(&mut s, key(' '));
    update(&mut s, key('t'));
    for c in "hero, wip".chars() {
        update(&mut s, key(c));
    }
    let sent = tag_cmds(&update(&mut s, press(KeyCode::Enter)));
    assert_eq!(sent.len(), 2);
    update(&mut s, press(KeyCode::Esc));
    assert_eq!(s.find("a0").unwrap().tags, vec!["hero", "wip"]);
    // before the server answered: wait
    assert!(tag_cmds(&update(&mut s, key('z'))).is_empty());
    assert!(s.notice.as_ref().unwrap().text.contains("still on its way"));
    // the server refused "wip" on a1: it was rolled back, and undo leaves it
    update(
        &mut s,
        Msg::Tagged {
            change: sent[0].clone(),
            failures: vec![],
        },
    );
    update(
        &mut s,
        Msg::Tagged {
            change: sent[1].clone(),
            failures: vec![("a1".into(), "not found".into())],
        },
    );
    let undo = tag_cmds(&update(&mut s, key('z')));
    assert_eq!(
        undo,
        vec![
            crate::app::tags::TagChange {
                tag: "wip".into(),
                add: false,
                ids: vec!["a0".into()],
            },
            crate::app::tags::TagChange {
                tag: "hero".into(),
                add: false,
                ids: vec!["a0".into(), "a1".into()],
            },
        ]
    );
    // shown at once, as an edit is
    assert!(s.find("a0").unwrap().tags.is_empty());
    assert!(s.find("a1").unwrap().tags.is_empty());
    for change in undo {
        update(
            &mut s,
            Msg::Tagged {
                change,
                failures: vec![],
            },
        );
    }
    assert_eq!(
        s.notice.as_ref().unwrap().text,
        "undone: hero added to 2 assets, wip added to 1 asset"
    );
    update(&mut s, key('z'));
    assert_eq!(s.notice.as_ref().unwrap().text, "nothing to undo");
}

#[test]
fn z_takes_out_of_a_collection_only_what_went_in_and_deletions_say_no() {
    let mut s = loaded(3);
    update(
        &mut s,
        Msg::Collected {
            name: "Heroes".into(),
            result: Ok(crate::app::msg::CollectCounts {
                added: 2,
                already: 1,
                collection: "col_1".into(),
                added_ids: vec!["a0".into(), "a1".into()],
                ..Default::default()
            }),
        },
    );
    let cmds = update(&mut s, key('z'));
    let out: Vec<_> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::Uncollect {
                collection, ids, ..
            } => Some((collection.clone(), ids.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        out,
        vec![(
            "col_1".to_string(),
            vec!["a0".to_string(), "a1".to_string()]
        )]
    );
    let cmds = update(
        &mut s,
        Msg::Uncollected {
            name: "Heroes".into(),
            removed: 2,
            error: None,
        },
    );
    assert!(cmds.iter().any(|c| matches!(c, Cmd::LoadCollections)));
    assert_eq!(
        s.notice.as_ref().unwrap().text,
        "undone: 2 assets added to Heroes"
    );
    // a deletion is the last change: it cannot be undone, and z says so
    update(
        &mut s,
        Msg::Deleted {
            ids: vec!["a2".into()],
            done: 1,
            error: None,
            in_use: false,
        },
    );
    assert!(update(&mut s, key('z'))
        .iter()
        .all(|c| !matches!(c, Cmd::Tag(_) | Cmd::Uncollect { .. })));
    assert_eq!(
        s.notice.as_ref().unwrap().text,
        "deletions cannot be undone (the last change deleted 1 asset)"
    );
}

#[test]
fn v_cycles_the_density_and_asks_to_keep_it() {
    let mut s = State::new("test".into(), Keymap::default(), true, 48, 80, 24);
    init(&mut s);
    let ids: Vec<String> = (0..30).map(|i| format!("a{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Ok(page(&refs, None)),
        },
    );
    assert_eq!(s.geometry.visible_items(), 3);
    let saved = |cmds: &[Cmd]| {
        cmds.iter()
            .find_map(|c| match c {
                Cmd::SaveSetting { key, value } => Some(format!("{key}={value}")),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(saved(&update(&mut s, key('v'))), "density=grid");
    assert!(s.grid);
    let cmds = update(&mut s, key('v'));
    assert_eq!(saved(&cmds), "density=compact");
    assert!(!s.grid);
    assert!(
        s.geometry.visible_items() >= 10,
        "{}",
        s.geometry.visible_items()
    );
    // the thumbnails asked for are the small ones
    let small = cmds.iter().any(|c| match c {
        Cmd::WantImages(r) => r
            .iter()
            .any(|r| r.key.cells == crate::app::layout::COMPACT_THUMB),
        _ => false,
    });
    assert!(small);
    assert_eq!(saved(&update(&mut s, key('v'))), "density=comfortable");
    assert_eq!(s.geometry.visible_items(), 3);
}

/// `n` loaded assets with ids in Scenario's shape.
fn loaded_ids(n: usize) -> (State, Vec<String>) {
    let mut s = state();
    init(&mut s);
    let ids: Vec<String> = (0..n).map(|i| format!("asset_{i:022}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Ok(page(&refs, Some("t1"))),
        },
    );
    (s, ids)
}

#[test]
fn an_id_typed_in_the_search_box_goes_to_that_asset() {
    let (mut s, ids) = loaded_ids(5);
    update(&mut s, key('/'));
    for c in ids[3].chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, press(KeyCode::Enter));
    assert!(searches(&cmds).is_empty(), "no text search for an id");
    assert!(!s.search.active && !s.search.open);
    assert_eq!(s.list.current().unwrap().asset.id, ids[3]);
    // one not loaded: fetched (the jump's path) and shown in the inspector
    let other = "asset_NotLoadedNotLoaded000";
    update(&mut s, key('/'));
    for c in other.chars() {
        update(&mut s, key(c));
    }
    // pasted: the debounce, not Enter, looks it up
    let cmds = update(&mut s, key('0'));
    let cmds = update(&mut s, due(&cmds).unwrap());
    let gen = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::LoadAsset {
                purpose: AssetPurpose::Jump(g),
                id,
            } if id == "asset_NotLoadedNotLoaded0000" => Some(*g),
            _ => None,
        })
        .expect("the asset is fetched");
    assert!(searches(&cmds).is_empty());
    update(
        &mut s,
        Msg::Asset {
            purpose: AssetPurpose::Jump(gen),
            id: "asset_NotLoadedNotLoaded0000".into(),
            result: Ok(Box::new(asset("asset_NotLoadedNotLoaded0000", "2026"))),
        },
    );
    assert!(s.inspector.detached);
    assert_eq!(
        s.inspector.asset.as_ref().unwrap().id,
        "asset_NotLoadedNotLoaded0000"
    );
    // a half-typed id is a text search, as before
    update(&mut s, key('/'));
    for c in "asset_12".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, press(KeyCode::Enter));
    assert_eq!(searches(&cmds).len(), 1);
}

#[test]
fn s_on_audio_video_or_3d_says_similarity_is_for_images() {
    let mut s = state();
    init(&mut s);
    let audio: crate::api::models::Asset = serde_json::from_value(serde_json::json!({
        "id": "snd",
        "kind": "audio",
        "metadata": {"name": "Glass chime"}
    }))
    .unwrap();
    update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Ok(crate::provider::scenario::list_page(AssetListResponse {
                assets: vec![audio, scenario_asset("img", "2026")],
                ..Default::default()
            })),
        },
    );
    let cmds = update(&mut s, key('s'));
    assert!(searches(&cmds).is_empty());
    assert_eq!(
        s.notice.as_ref().unwrap().text,
        "similarity search is for images: Glass chime is an audio asset"
    );
    assert!(!s.search.active);
    update(&mut s, key('j'));
    assert_eq!(searches(&update(&mut s, key('s'))).len(), 1);
}

#[test]
fn j_past_the_end_while_the_next_page_comes_is_applied_when_it_arrives() {
    let mut s = loaded(3);
    assert_eq!(s.list.loading, Loading::Fetching, "the next page is asked");
    for _ in 0..4 {
        update(&mut s, key('j'));
    }
    // two rows down to the end, two more remembered
    assert_eq!(s.list.cursor, 2);
    update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Ok(page(&["b0", "b1", "b2", "b3"], Some("t2"))),
        },
    );
    assert_eq!(s.list.current().unwrap().asset.id, "b1");
    assert_eq!(s.inspector.asset.as_ref().unwrap().id, "b1");
    // G goes to the last loaded row and remembers nothing more
    assert!(s.list.more_coming());
    update(&mut s, key('G'));
    assert_eq!(
        (s.list.cursor, s.list.pending_move),
        (s.list.entries.len() - 1, 0)
    );
    // j then k past the end cancel out: the page moves nothing
    let last = s.list.entries.len() - 1;
    s.list.select(last);
    s.list.loading = Loading::Fetching;
    update(&mut s, key('j'));
    update(&mut s, key('k'));
    assert_eq!(s.list.cursor, last);
    update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Ok(page(&["c0"], Some("t3"))),
        },
    );
    assert_eq!(s.list.cursor, last);
    // a move past the end of a complete list is not kept
    s.list.loading = Loading::Fetching;
    s.list.select(s.list.entries.len() - 1);
    update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Ok(page(&["d0"], None)),
        },
    );
    assert!(s.list.is_complete());
    let end = s.list.entries.len() - 1;
    assert_eq!(s.list.cursor, end - 1);
    update(&mut s, key('j'));
    update(&mut s, key('j'));
    assert_eq!((s.list.cursor, s.list.pending_move), (end, 0));
    // a failed page forgets what was pending
    let mut s = loaded(3);
    s.list.select(2);
    update(&mut s, key('j'));
    assert_eq!(s.list.pending_move, 1);
    update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Err("the service had trouble (500)".into()),
        },
    );
    assert_eq!(s.list.pending_move, 0);
}

// ---- the offline-first start (issue 19) ----

/// A state showing `n` cached rows, `init` run: the refresh's first
/// command, not a first page, goes out; a short cache pages on from the
/// index.
fn cached(n: usize) -> (State, u64) {
    let mut s = state();
    s.caps = crate::provider::ProviderKind::Scenario.capabilities();
    s.library.indexed = true;
    let ids: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    show_cached(&mut s, page(&refs, Some("local:more")));
    assert_eq!(s.library.link, crate::app::library::Link::Cached);
    let cmds = init(&mut s);
    // no live page: more rows come from the index
    assert!(cmds
        .iter()
        .all(|c| !matches!(c, Cmd::LoadPage { spec, .. } if !spec.local)));
    let local = cmds
        .iter()
        .any(|c| matches!(c, Cmd::LoadPage { spec, .. } if spec.local));
    assert_eq!(
        local,
        2 * s.geometry.visible_items() >= n,
        "the index's next page, when the screen wants it"
    );
    let generation = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Refresh {
                generation,
                next: None,
            } => Some(*generation),
            _ => None,
        })
        .expect("a refresh");
    (s, generation)
}

#[test]
fn a_refresh_reads_on_until_the_cursor_s_asset_then_swaps_and_a_stale_one_is_dropped() {
    let (mut s, g) = cached(100);
    let mut cmds = Vec::new();
    for _ in 0..61 {
        cmds.extend(update(&mut s, key('j')));
    }
    assert_eq!(s.list.current().unwrap().asset.id, "a61");
    // no live page while the rows are cached
    assert!(cmds
        .iter()
        .all(|c| !matches!(c, Cmd::LoadPage { spec, .. } if !spec.local)));
    // an answer of another refresh changes nothing
    update(
        &mut s,
        Msg::Refreshed {
            generation: g + 7,
            result: Ok(page(&["zz"], None)),
        },
    );
    assert!(s.list.position_of("zz").is_none());
    // the first page does not hold a61 yet: the next is asked, rows kept
    let ids: Vec<String> = std::iter::once("new".to_string())
        .chain((0..49).map(|i| format!("a{i}")))
        .collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let cmds = update(
        &mut s,
        Msg::Refreshed {
            generation: g,
            result: Ok(page(&refs, Some("t2"))),
        },
    );
    assert!(cmds.iter().any(|c| matches!(
        c,
        Cmd::Refresh { generation, next: Some(t) } if *generation == g && t == "t2"
    )));
    assert!(s.list.position_of("new").is_none());
    let ids: Vec<String> = (49..120).map(|i| format!("a{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    update(
        &mut s,
        Msg::Refreshed {
            generation: g,
            result: Ok(page(&refs, Some("t3"))),
        },
    );
    assert_eq!(s.library.link, crate::app::library::Link::Live);
    assert_eq!(s.list.entries[0].asset.id, "new");
    assert_eq!(s.list.current().unwrap().asset.id, "a61");
    assert_eq!(s.list.next_token.as_deref(), Some("t3"));
}

#[test]
fn offline_edits_are_refused_and_r_asks_again_keeping_the_rows() {
    let (mut s, g) = cached(20);
    update(
        &mut s,
        Msg::Offline("cannot reach http://x: refused".into()),
    );
    update(
        &mut s,
        Msg::Refreshed {
            generation: g,
            result: Err("cannot reach http://x: refused".into()),
        },
    );
    assert!(s.library.offline());
    assert!(s
        .notice
        .as_ref()
        .unwrap()
        .text
        .starts_with("offline: cannot reach"));
    for c in ['t', 'X', 'U', 'a', 'd'] {
        let cmds = update(&mut s, key(c));
        assert!(s.overlay.is_none(), "{c} opened a pane offline");
        assert!(
            s.notice
                .as_ref()
                .unwrap()
                .text
                .contains("needs the service; nothing was sent"),
            "{c}: {:?}",
            s.notice
        );
        assert!(!cmds.iter().any(|c| matches!(
            c,
            Cmd::Tag(_)
                | Cmd::Delete { .. }
                | Cmd::Upload { .. }
                | Cmd::Collect { .. }
                | Cmd::Downloads(_)
        )));
    }
    // searches go to the index; `r` asks the service again, rows kept
    update(&mut s, key('/'));
    for c in "fox".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::Search { spec, .. } if spec.local)));
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    let cmds = update(&mut s, key('r'));
    assert!(cmds
        .iter()
        .any(|c| matches!(c, Cmd::Refresh { next: None, .. })));
    assert_eq!(s.list.entries.len(), 20);
}

#[test]
fn s_on_a_3d_model_offers_its_documented_formats_and_queues_obj() {
    let mut s = state();
    init(&mut s);
    let mut rock = scenario_asset("rock", "2026-01-01");
    rock.kind = Some(crate::api::models::AssetKind::ThreeD);
    update(
        &mut s,
        Msg::Page {
            generation: 0,
            result: Ok(crate::provider::scenario::list_page(AssetListResponse {
                assets: vec![rock],
                ..Default::default()
            })),
        },
    );
    update(&mut s, key('S'));
    let Some(Overlay::Choose(c)) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    let values: Vec<&str> = c.picker.options.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(values, [crate::app::bulk::ORIGINAL, "glb", "fbx", "obj"]);
    for ch in "obj".chars() {
        update(&mut s, key(ch));
    }
    let cmds = update(&mut s, press(KeyCode::Enter));
    let requests: Vec<_> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::Downloads(crate::app::downloads::DlCmd::Add(r)) => Some(r),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].asset_id.as_str(), requests[0].format.as_deref()),
        ("rock", Some("obj"))
    );
}
