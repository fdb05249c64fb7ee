//! The browser's side of issue 20, without a terminal: a broken item is a
//! row that says so, the raw JSON view shows hostile characters escaped
//! instead of deleting them, and a worker's warning reaches the status bar.

use assetui::api::models::AssetListResponse;
use assetui::app::keymap::Keymap;
use assetui::app::list::RowText;
use assetui::app::{update, Msg, State};

#[test]
fn a_broken_item_is_a_row_saying_so() {
    let page: AssetListResponse =
        serde_json::from_str(r#"{"assets":[{"id":"a1"},{"id":"a2","kind":["x"]}]}"#).unwrap();
    assert_eq!(page.assets.len(), 2);
    let row = RowText::of(&page.assets[1].clone().into());
    assert!(row.name.contains("broken item"), "{}", row.name);
    assert!(row.name.contains("`kind`"), "{}", row.name);
    assert!(RowText::of(&page.assets[0].clone().into()).name == "a1");
}

#[test]
fn the_raw_view_shows_hostile_characters_escaped() {
    let asset: assetui::api::models::Asset = serde_json::from_value(serde_json::json!({
        "id": "a1",
        "metadata": {"name": "evil\u{9b}31m\u{202e}txt\u{1b}\u{200b}"}
    }))
    .unwrap();
    let lines = assetui::provider::AssetView::from(asset).json_lines();
    let text = lines.join("\n");
    for shown in ["\\u009b31m", "\\u202etxt", "\\u001b", "\\u200b"] {
        assert!(text.contains(shown), "{shown} missing: {text}");
    }
    for line in &lines {
        assert!(
            !line.chars().any(assetui::sanitize::is_forbidden),
            "{line:?}"
        );
    }
}

#[test]
fn a_worker_notice_reaches_the_status_bar() {
    let mut state = State::new("test".into(), Keymap::default(), false, 48, 100, 30);
    update(
        &mut state,
        Msg::Notice("showing the first 5000 tags: the server has more\u{1b}[2J".into()),
    );
    let notice = state.notice.as_ref().unwrap();
    assert!(notice.text.contains("first 5000 tags"));
    assert!(!notice.text.contains('\u{1b}'));
}
