//! A record seen through the filter's eyes: the value of each filterable
//! attribute, borrowed from the record. The search route checks filters
//! against it and [`crate::keywords`] indexes it, so both read the same
//! values.

use std::borrow::Cow;

use serde_json::Value;

use crate::filter::{Attr, Document};
use crate::library::Record;

impl Document for Record {
    fn attribute(&self, name: &str) -> Option<Attr<'_>> {
        let a = &self.asset;
        let m = a.metadata.as_ref();
        let n = |v: Option<u64>| v.map(|n| Attr::Num(n as f64));
        match name {
            "id" => Some(Attr::Str(&a.id)),
            "kind" => a.kind().map(|k| Attr::Str(k.as_str())),
            "type" => a.asset_type().map(|t| Attr::Str(t.as_str())),
            "tags" => Some(Attr::Strs(a.tags())),
            "collectionIds" => Some(Attr::Strs(a.collection_ids())),
            "privacy" => a.privacy.as_ref().map(|p| Attr::Str(p.as_str())),
            "authorId" => a.author_id.as_deref().map(Attr::Str),
            "ownerId" => a.owner_id.as_deref().map(Attr::Str),
            "modelId" => a.model_id().map(Attr::Str),
            "modelType" => m
                .and_then(|m| m.model_type.as_ref())
                .map(|t| Attr::Str(t.as_str())),
            "inferenceId" => m.and_then(|m| m.inference_id.as_deref()).map(Attr::Str),
            "parentId" => a.parent_id().map(Attr::Str),
            "rootParentId" => a.root_parent_id().map(Attr::Str),
            "width" => n(a.width()),
            "height" => n(a.height()),
            "aspectRatio" => m.and_then(|m| m.aspect_ratio.as_deref()).map(Attr::Str),
            "createdAt" => a.created_at.as_deref().map(Attr::Str),
            "updatedAt" => a.updated_at.as_deref().map(Attr::Str),
            "mimeType" => a.mime_type.as_deref().map(Attr::Str),
            "isHidden" => Some(Attr::Bool(a.is_hidden.unwrap_or(false))),
            "seed" => a
                .seed()
                .map(|x| Attr::Json(Cow::Owned(Value::String(x.to_string())))),
            "name" => a.name().map(Attr::Str),
            "status" => a.status.as_ref().map(|x| Attr::Str(x.as_str())),
            _ => None,
        }
    }
}
