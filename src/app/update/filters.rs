//! The filter pane's handler (`f`): moving between fields, editing one
//! (a line of text, a cycle of values, or a picker), and reloading the
//! list as soon as a filter changes. The filters themselves are
//! `app::filters`; the pane's state is `app::state::FilterPane`.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent};

use crate::api::models::AssetType;
use crate::app::action::Action;
use crate::app::filters::{EditorKind, Field, Filters, DEFAULT_PAGE_SIZE};
use crate::app::input::LineInput;
use crate::app::msg::Cmd;
use crate::app::state::{Edit, FilterPane, Overlay, Picker, PickerKey, State};

/// The asset types a provider filters by.
fn type_options(caps: &crate::provider::Capabilities) -> Vec<(String, String)> {
    let types: &[&str] = match caps.provider {
        crate::provider::ProviderKind::Scenario => AssetType::ALL_STR,
        crate::provider::ProviderKind::TwelveLabs => &["video", "audio", "image", "document"],
    };
    types
        .iter()
        .map(|s| (s.to_string(), s.to_string()))
        .collect()
}

pub(super) fn refresh_collection_picker(state: &mut State) {
    if let Some(Overlay::Filters(pane)) = &mut state.overlay {
        if pane.field(&state.caps) == Field::Collection {
            if let Some(Edit::Pick(p)) = &mut pane.edit {
                p.options = state.collections.items.clone();
                p.refilter();
            }
        }
    }
}

/// Applies a filter change at once: the list reloads for it.
fn commit_filters(state: &mut State, filters: Filters) {
    if filters != state.filters {
        super::requery(state, filters);
    }
}

/// Handles a key in the filter pane; false closes it.
pub(super) fn filter_key(
    state: &mut State,
    pane: &mut FilterPane,
    key: KeyEvent,
    cmds: &mut Vec<Cmd>,
) -> bool {
    let field = pane.field(&state.caps);
    match pane.edit.take() {
        Some(Edit::Text { mut buffer }) => {
            match key.code {
                KeyCode::Esc => {}
                KeyCode::Enter => {
                    let mut f = state.filters.clone();
                    match f.set_text(field, &buffer) {
                        Ok(note) => {
                            pane.error = None;
                            commit_filters(state, f);
                            if let Some(n) = note {
                                state.info(n);
                            }
                        }
                        Err(e) => {
                            pane.error = Some(e);
                            pane.edit = Some(Edit::Text { buffer });
                        }
                    }
                }
                _ => {
                    buffer.key(&key);
                    pane.edit = Some(Edit::Text { buffer });
                }
            }
            true
        }
        Some(Edit::Pick(mut p)) => {
            match p.key(&key) {
                PickerKey::Cancel => {}
                PickerKey::Stay => pane.edit = Some(Edit::Pick(p)),
                PickerKey::Choose => {
                    if p.chosen.is_empty() || !p.multi {
                        if let Some((v, _)) = p.highlighted().cloned() {
                            if !p.multi {
                                p.chosen.clear();
                            }
                            p.chosen.insert(v);
                        }
                    }
                    let mut f = state.filters.clone();
                    match field {
                        Field::Types => f.types = p.chosen.iter().cloned().collect(),
                        Field::Collection => {
                            f.collection = p
                                .chosen
                                .iter()
                                .next()
                                .and_then(|id| p.options.iter().find(|(v, _)| v == id).cloned())
                        }
                        _ => {}
                    }
                    commit_filters(state, f);
                }
            }
            true
        }
        None => {
            let action = state.keymap.action_for(&key);
            match (key.code, action) {
                (KeyCode::Esc, _) | (KeyCode::Char('q'), _) | (_, Some(Action::Filters)) => {
                    return false;
                }
                (KeyCode::Tab, _) | (_, Some(Action::Down)) => {
                    pane.field = (pane.field + 1) % Field::offered(&state.caps).len();
                    pane.error = None;
                }
                (KeyCode::BackTab, _) | (_, Some(Action::Up)) => {
                    let n = Field::offered(&state.caps).len();
                    pane.field = (pane.field + n - 1) % n;
                    pane.error = None;
                }
                (_, Some(Action::ClearFilters)) => {
                    commit_filters(state, Filters::default());
                    pane.error = None;
                }
                (KeyCode::Backspace | KeyCode::Delete, _) | (KeyCode::Char('x'), _) => {
                    let mut f = state.filters.clone();
                    f.clear(field);
                    commit_filters(state, f);
                    pane.error = None;
                }
                (KeyCode::Enter | KeyCode::Char(' '), _) => match field.editor() {
                    EditorKind::Text => {
                        let buffer = match field {
                            Field::PageSize if state.filters.page_size == DEFAULT_PAGE_SIZE => {
                                LineInput::default()
                            }
                            _ => LineInput::with_text(&state.filters.value(field)),
                        };
                        pane.edit = Some(Edit::Text { buffer });
                    }
                    EditorKind::Cycle => {
                        let mut f = state.filters.clone();
                        if let Some(note) = f.cycle(field) {
                            state.info(note);
                        }
                        commit_filters(state, f);
                    }
                    EditorKind::Pick { multi } => {
                        let (options, chosen): (Vec<(String, String)>, BTreeSet<String>) =
                            match field {
                                Field::Types => (
                                    type_options(&state.caps),
                                    state.filters.types.iter().cloned().collect(),
                                ),
                                _ => {
                                    if !state.collections.loaded {
                                        cmds.push(Cmd::LoadCollections);
                                    }
                                    (
                                        state.collections.items.clone(),
                                        state
                                            .filters
                                            .collection
                                            .iter()
                                            .map(|(id, _)| id.clone())
                                            .collect(),
                                    )
                                }
                            };
                        pane.edit = Some(Edit::Pick(Picker::new(options, chosen, multi)));
                    }
                },
                _ => {}
            }
            true
        }
    }
}
