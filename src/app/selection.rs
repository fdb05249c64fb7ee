//! The multi-selection: assets picked with `Space`, `V` or `Ctrl-a`, kept
//! by id whatever the list shows (other pages, other filters, search
//! results), with the last copy of each asset seen so bulk actions can
//! name them and know their tags when they are not loaded.

use std::collections::HashMap;
use std::sync::Arc;

use crate::provider::AssetView;

#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Ids in the order they were selected.
    order: Vec<String>,
    assets: HashMap<String, Arc<AssetView>>,
    /// Where a `V` range starts: the last asset toggled or anchored.
    pub anchor: Option<String>,
}

impl Selection {
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.assets.contains_key(id)
    }

    /// Adds an asset; false if it was already selected.
    pub fn insert(&mut self, asset: Arc<AssetView>) -> bool {
        if self.assets.contains_key(&asset.id) {
            return false;
        }
        self.order.push(asset.id.clone());
        self.assets.insert(asset.id.clone(), asset);
        true
    }

    pub fn remove(&mut self, id: &str) -> bool {
        if self.assets.remove(id).is_none() {
            return false;
        }
        self.order.retain(|x| x != id);
        true
    }

    /// Selects or unselects; returns whether it is now selected.
    pub fn toggle(&mut self, asset: Arc<AssetView>) -> bool {
        self.anchor = Some(asset.id.clone());
        if self.remove(&asset.id) {
            false
        } else {
            self.insert(asset);
            true
        }
    }

    pub fn clear(&mut self) {
        self.order.clear();
        self.assets.clear();
        self.anchor = None;
    }

    /// The selected ids, in the order they were picked.
    pub fn ids(&self) -> Vec<String> {
        self.order.clone()
    }

    /// The selected assets (last copies seen), in order.
    pub fn assets(&self) -> impl Iterator<Item = &Arc<AssetView>> {
        self.order.iter().filter_map(|id| self.assets.get(id))
    }

    pub fn get(&self, id: &str) -> Option<&Arc<AssetView>> {
        self.assets.get(id)
    }

    /// A newer copy of an asset (new tags, fresh links): kept if selected.
    pub fn refresh(&mut self, asset: &Arc<AssetView>) {
        if let Some(slot) = self.assets.get_mut(&asset.id) {
            *slot = asset.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(id: &str) -> Arc<AssetView> {
        let a: crate::api::models::Asset =
            serde_json::from_value(serde_json::json!({ "id": id })).unwrap();
        Arc::new(a.into())
    }

    #[test]
    fn toggles_keep_order_and_anchor() {
        let mut s = Selection::default();
        assert!(s.toggle(asset("b")));
        assert!(s.toggle(asset("a")));
        assert!(!s.insert(asset("a")));
        assert_eq!(s.ids(), vec!["b", "a"]);
        assert_eq!(s.anchor.as_deref(), Some("a"));
        assert!(!s.toggle(asset("b")));
        assert_eq!(s.ids(), vec!["a"]);
        assert!(s.contains("a") && !s.contains("b"));
        s.clear();
        assert!(s.is_empty() && s.anchor.is_none());
    }
}
