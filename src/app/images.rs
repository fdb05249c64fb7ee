//! Images as the app sees them: what it asks the image pipeline for
//! ([`ImageRequest`]) and is answered ([`ImageDone`]), and the encoded
//! images ready to draw, kept in a byte-bounded LRU. The pipeline
//! (`worker::images`) speaks these types; the app imports nothing of it.

use std::collections::HashMap;

use ratatui_image::protocol::Protocol;

use crate::kitty_direct::KittyImage;

/// An encoded image: by ratatui-image, or placed directly with the kitty
/// protocol (terminals without its Unicode placeholders).
#[derive(Clone)]
pub enum Drawable {
    Lib(Protocol),
    KittyDirect(KittyImage),
}

impl Drawable {
    /// Its size in cells.
    pub fn size(&self) -> ratatui::layout::Size {
        match self {
            Drawable::Lib(p) => p.size(),
            Drawable::KittyDirect(k) => k.size(),
        }
    }
}

impl From<Protocol> for Drawable {
    fn from(p: Protocol) -> Drawable {
        Drawable::Lib(p)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    Thumbnail,
    Preview,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Thumbnail => "thumbnail",
            Variant::Preview => "preview",
        }
    }
}

/// What to draw: one asset's rendition fitted into a box of terminal cells.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImageKey {
    pub asset_id: String,
    pub variant: Variant,
    /// (columns, rows)
    pub cells: (u16, u16),
}

#[derive(Clone)]
pub struct ImageRequest {
    pub key: ImageKey,
    /// Signed URL of the rendition (no credentials needed).
    pub url: String,
    /// Changes when the file changes (e.g. the asset's `updatedAt`); part of
    /// the disk-cache key, unlike the URL's query (signed links change on
    /// every fetch).
    pub cache_tag: String,
}

/// Shows the link without its query string (it carries the signature).
impl std::fmt::Debug for ImageRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = match url::Url::parse(&self.url) {
            Ok(u) => crate::api::client::display_url(&u),
            Err(_) => "<invalid>".into(),
        };
        f.debug_struct("ImageRequest")
            .field("key", &self.key)
            .field("url", &url)
            .field("cache_tag", &self.cache_tag)
            .finish()
    }
}

pub struct ImageDone {
    pub key: ImageKey,
    pub result: Result<Drawable, ImageError>,
}

impl std::fmt::Debug for ImageDone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let result = match &self.result {
            Ok(p) => format!("Ok({}×{} cells)", p.size().width, p.size().height),
            Err(e) => format!("Err({e:?})"),
        };
        f.debug_struct("ImageDone")
            .field("key", &self.key)
            .field("result", &result)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// 403/401 from the signed link: it expired; the app refetches the asset
    /// for a fresh link and asks again.
    #[error("the signed link expired")]
    Expired,
    /// Network or HTTP failure; the message shows host and path at most.
    #[error("{0}")]
    Fetch(String),
    /// Not an image, truncated, or over the decode limits; the message says
    /// which.
    #[error("{0}")]
    Decode(String),
}

/// What the store holds for a key.
pub enum Slot {
    Ready(Drawable),
    /// Shown as a placeholder; the message goes to the status bar once.
    Failed(String),
}

struct Held {
    slot: Slot,
    used: u64,
    bytes: usize,
}

/// Byte-bounded LRU of encoded images. `touch` on every frame's visible
/// keys keeps them; the least recently touched go first.
pub struct ImageStore {
    held: HashMap<ImageKey, Held>,
    clock: u64,
    bytes: usize,
    cap: usize,
    /// Approximate bytes one cell of an encoded image costs (halfblocks
    /// keep two colours; kitty, sixel and iTerm2 keep the pixels).
    per_cell: usize,
}

impl ImageStore {
    pub fn new(cap: usize, per_cell: usize) -> ImageStore {
        ImageStore {
            held: HashMap::new(),
            clock: 0,
            bytes: 0,
            cap,
            per_cell: per_cell.max(1),
        }
    }

    pub fn get(&self, key: &ImageKey) -> Option<&Slot> {
        self.held.get(key).map(|h| &h.slot)
    }

    pub fn contains(&self, key: &ImageKey) -> bool {
        self.held.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.held.len()
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Marks keys as just used.
    pub fn touch<'a>(&mut self, keys: impl Iterator<Item = &'a ImageKey>) {
        self.clock += 1;
        for k in keys {
            if let Some(h) = self.held.get_mut(k) {
                h.used = self.clock;
            }
        }
    }

    pub fn insert(&mut self, key: ImageKey, slot: Slot) {
        let bytes = match &slot {
            Slot::Ready(p) => {
                let s = p.size();
                s.width as usize * s.height as usize * self.per_cell
            }
            Slot::Failed(m) => m.len() + 64,
        };
        self.clock += 1;
        if let Some(old) = self.held.insert(
            key,
            Held {
                slot,
                used: self.clock,
                bytes,
            },
        ) {
            self.bytes -= old.bytes;
        }
        self.bytes += bytes;
        while self.bytes > self.cap && self.held.len() > 1 {
            let oldest = self
                .held
                .iter()
                .min_by_key(|(_, h)| h.used)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => {
                    if let Some(h) = self.held.remove(&k) {
                        self.bytes -= h.bytes;
                    }
                }
                None => break,
            }
        }
    }

    /// Forgets failures for one asset (after a fresh link arrives).
    pub fn forget_asset(&mut self, asset_id: &str) {
        let keys: Vec<ImageKey> = self
            .held
            .keys()
            .filter(|k| k.asset_id == asset_id)
            .cloned()
            .collect();
        for k in keys {
            if let Some(h) = self.held.remove(&k) {
                self.bytes -= h.bytes;
            }
        }
    }

    /// Forgets every failure, so `r` tries those images again.
    pub fn forget_failures(&mut self) {
        let mut freed = 0;
        self.held.retain(|_, h| {
            let keep = matches!(h.slot, Slot::Ready(_));
            if !keep {
                freed += h.bytes;
            }
            keep
        });
        self.bytes -= freed;
    }

    pub fn clear(&mut self) {
        self.held.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> ImageKey {
        ImageKey {
            asset_id: id.into(),
            variant: Variant::Thumbnail,
            cells: (4, 2),
        }
    }

    #[test]
    fn the_least_recently_used_go_first() {
        let mut s = ImageStore::new(300, 1);
        for id in ["a", "b", "c"] {
            s.insert(key(id), Slot::Failed("x".repeat(36)));
        }
        assert_eq!(s.len(), 3);
        s.touch([key("a")].iter());
        s.insert(key("d"), Slot::Failed("x".repeat(36)));
        assert!(s.contains(&key("a")) && s.contains(&key("d")));
        assert!(!s.contains(&key("b")));
        assert!(s.bytes() <= 300);
        s.forget_asset("a");
        assert!(!s.contains(&key("a")));
        s.clear();
        assert!(s.is_empty() && s.bytes() == 0);
    }
}
