//! Request parameters, named and shaped as the API documents them. Unset
//! fields are omitted from query strings and JSON bodies; arrays in query
//! strings are comma-separated, as the official SDKs send them.

use serde::Serialize;

/// `sortBy` of the list endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "camelCase")]
pub enum SortField {
    #[value(name = "createdAt")]
    CreatedAt,
    #[value(name = "updatedAt")]
    UpdatedAt,
}

impl SortField {
    pub fn as_str(self) -> &'static str {
        match self {
            SortField::CreatedAt => "createdAt",
            SortField::UpdatedAt => "updatedAt",
        }
    }
}

/// `sortDirection` of the list endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SortDirection {
    Asc,
    Desc,
}

impl SortDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            SortDirection::Asc => "asc",
            SortDirection::Desc => "desc",
        }
    }
}

/// Query of `GET /assets`: every documented parameter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListAssetsQuery {
    pub author_id: Option<String>,
    pub collection_id: Option<String>,
    pub created_after: Option<String>,
    pub created_before: Option<String>,
    pub updated_after: Option<String>,
    pub updated_before: Option<String>,
    pub inference_id: Option<String>,
    pub model_id: Option<String>,
    pub original_assets: Option<bool>,
    pub page_size: Option<u32>,
    pub pagination_token: Option<String>,
    pub parent_asset_id: Option<String>,
    pub root_asset_id: Option<String>,
    pub privacy: Option<String>,
    pub sort_by: Option<SortField>,
    pub sort_direction: Option<SortDirection>,
    /// Public assets of every team only (see the API notes); team tags
    /// are filtered through search.
    pub tags: Vec<String>,
    /// One type is sent as `type`, several as `types` (never both).
    pub types: Vec<String>,
}

impl ListAssetsQuery {
    /// Applies the API's rule that date filters need the matching sort:
    /// sets `sortBy` when it is unset, and says what conflicts otherwise.
    pub fn apply_sort_rule(&mut self) -> Result<(), String> {
        let created = self.created_after.is_some() || self.created_before.is_some();
        let updated = self.updated_after.is_some() || self.updated_before.is_some();
        match (created, updated, self.sort_by) {
            (true, true, _) => Err(
                "created and updated date filters cannot be combined: each needs its own sort"
                    .into(),
            ),
            (true, false, None) => {
                self.sort_by = Some(SortField::CreatedAt);
                Ok(())
            }
            (false, true, None) => {
                self.sort_by = Some(SortField::UpdatedAt);
                Ok(())
            }
            (true, false, Some(SortField::UpdatedAt)) => {
                Err("created-date filters need sorting by createdAt".into())
            }
            (false, true, Some(SortField::CreatedAt)) => {
                Err("updated-date filters need sorting by updatedAt".into())
            }
            _ => Ok(()),
        }
    }

    /// The query string pairs, in a stable order, unset ones omitted.
    pub(crate) fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q: Vec<(&'static str, String)> = Vec::new();
        let mut put = |k: &'static str, v: &Option<String>| {
            if let Some(v) = v {
                q.push((k, v.clone()));
            }
        };
        put("authorId", &self.author_id);
        put("collectionId", &self.collection_id);
        put("createdAfter", &self.created_after);
        put("createdBefore", &self.created_before);
        put("inferenceId", &self.inference_id);
        put("modelId", &self.model_id);
        put("parentAssetId", &self.parent_asset_id);
        put("paginationToken", &self.pagination_token);
        put("privacy", &self.privacy);
        put("rootAssetId", &self.root_asset_id);
        put("updatedAfter", &self.updated_after);
        put("updatedBefore", &self.updated_before);
        if let Some(v) = self.original_assets {
            q.push(("originalAssets", v.to_string()));
        }
        if let Some(v) = self.page_size {
            q.push(("pageSize", v.to_string()));
        }
        if let Some(v) = self.sort_by {
            q.push(("sortBy", v.as_str().to_string()));
        }
        if let Some(v) = self.sort_direction {
            q.push(("sortDirection", v.as_str().to_string()));
        }
        if !self.tags.is_empty() {
            q.push(("tags", self.tags.join(",")));
        }
        match self.types.len() {
            0 => {}
            1 => q.push(("type", self.types[0].clone())),
            _ => q.push(("types", self.types.join(","))),
        }
        q
    }
}

/// `images` of a search: references to look like, and not like.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SearchImages {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub like: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unlike: Vec<String>,
}

/// How a search is paged: the two documented, mutually exclusive forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPaging {
    /// `page` (1-based) with `hitsPerPage`.
    Page { page: u32, hits_per_page: u32 },
    /// `offset` with `limit`.
    Offset { offset: u32, limit: u32 },
}

/// Body of `POST /search/assets`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<SearchImages>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_semantic_ratio: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_semantic_ratio: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sort_by: Vec<String>,
    #[serde(rename = "public", skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hits_per_page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl SearchRequest {
    /// Checks the documented rules before anything is sent: at least one
    /// of query, filter, image or images; `image` and `images` exclusive;
    /// ratios within 0..=1.
    pub fn validate(&self) -> Result<(), String> {
        let has_images = self
            .images
            .as_ref()
            .is_some_and(|i| !i.like.is_empty() || !i.unlike.is_empty());
        if self.query.as_deref().is_none_or(str::is_empty)
            && self.filter.as_deref().is_none_or(str::is_empty)
            && self.image.is_none()
            && !has_images
        {
            return Err("a search needs a query, a filter, an image or like/unlike images".into());
        }
        if self.image.is_some() && has_images {
            return Err("`image` and `images` (like/unlike) cannot be used together".into());
        }
        for (name, r) in [
            ("semantic ratio", self.query_semantic_ratio),
            ("image ratio", self.image_semantic_ratio),
        ] {
            if let Some(r) = r {
                if !(0.0..=1.0).contains(&r) {
                    return Err(format!("the {name} must be between 0 and 1, not {r}"));
                }
            }
        }
        Ok(())
    }

    /// The same request at another page.
    pub fn with_paging(&self, paging: SearchPaging) -> SearchRequest {
        let mut r = self.clone();
        r.page = None;
        r.hits_per_page = None;
        r.offset = None;
        r.limit = None;
        match paging {
            SearchPaging::Page {
                page,
                hits_per_page,
            } => {
                r.page = Some(page);
                r.hits_per_page = Some(hits_per_page);
            }
            SearchPaging::Offset { offset, limit } => {
                r.offset = Some(offset);
                r.limit = Some(limit);
            }
        }
        r
    }
}

/// Body of `PUT /assets/{id}/tags`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateTagsRequest {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub add: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub delete: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

/// Body of `POST /assets` (upload).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadRequest {
    pub name: String,
    /// The file, base64-encoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub collection_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hide: Option<bool>,
}

/// `options` of a batch download.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchDownloadOptions {
    pub file_name_template: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flat: Option<bool>,
}

/// `query` of a batch download.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchDownloadQuery {
    pub asset_ids: Vec<String>,
    pub inference_ids: Vec<String>,
    pub model_ids: Vec<String>,
}

/// Body of `POST /assets/download`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BatchDownloadRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<BatchDownloadOptions>,
    pub query: BatchDownloadQuery,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_type_is_type_several_are_types() {
        let mut q = ListAssetsQuery {
            types: vec!["canvas".into()],
            ..Default::default()
        };
        assert_eq!(q.to_pairs(), vec![("type", "canvas".to_string())]);
        q.types.push("upscale".into());
        assert_eq!(q.to_pairs(), vec![("types", "canvas,upscale".to_string())]);
    }

    #[test]
    fn date_filter_sets_the_sort() {
        let mut q = ListAssetsQuery {
            created_after: Some("2025-01-01".into()),
            ..Default::default()
        };
        q.apply_sort_rule().unwrap();
        assert_eq!(q.sort_by, Some(SortField::CreatedAt));
        q.sort_by = Some(SortField::UpdatedAt);
        assert!(q.apply_sort_rule().is_err());
    }

    #[test]
    fn search_body_omits_unset_fields() {
        let r = SearchRequest {
            query: Some("castle".into()),
            public: Some(true),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::json!({"query": "castle", "public": true})
        );
        assert!(SearchRequest::default().validate().is_err());
    }
}
