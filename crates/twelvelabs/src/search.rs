//! Search: `POST /search` (multipart) for the first page, then
//! `GET /search/{page_token}` for the next ones. An expired token is
//! [`Error::SearchPageExpired`]: run the search again.

use std::collections::HashSet;
use std::path::PathBuf;

use futures_util::stream::{self, BoxStream, StreamExt};
use reqwest::Method;

use crate::assets::{add_file, check_public_url};
use crate::client::{Call, Client, Query};
use crate::error::Error;
use crate::form::Form;
use crate::models::{GroupBy, SearchOperator, SearchOption, SearchPage, TranscriptionOption};
use crate::paging::MAX_PAGE_LIMIT;

/// Most query images in one search.
pub const MAX_QUERY_IMAGES: usize = 10;

/// An image to search by.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageQuery {
    /// `query_media_url`.
    Url(String),
    /// A `query_media_file` part.
    File(PathBuf),
}

/// `POST /search`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchRequest {
    pub index_id: String,
    pub query_text: Option<String>,
    /// Image queries (with text, a composed query).
    pub images: Vec<ImageQuery>,
    /// At least one.
    pub search_options: Vec<SearchOption>,
    pub transcription_options: Vec<TranscriptionOption>,
    pub group_by: Option<GroupBy>,
    pub operator: Option<SearchOperator>,
    /// 1..=50.
    pub page_limit: Option<u64>,
    /// A JSON object, sent as the caller wrote it.
    pub filter: Option<String>,
    pub include_user_metadata: Option<bool>,
}

impl SearchRequest {
    /// A text search over the visual and audio options.
    pub fn text(index_id: impl Into<String>, text: impl Into<String>) -> SearchRequest {
        SearchRequest {
            index_id: index_id.into(),
            query_text: Some(text.into()),
            search_options: vec![SearchOption::Visual, SearchOption::Audio],
            ..SearchRequest::default()
        }
    }

    /// The form, in the SDK's order: `query_media_type`,
    /// `query_media_url`…, `query_text`, `index_id`, `search_options`…,
    /// `transcription_options`…, `group_by`, `operator`, `page_limit`,
    /// `filter`, `include_user_metadata`, then `query_media_file` parts.
    fn form(&self) -> Result<Form, Error> {
        if self.index_id.trim().is_empty() {
            return Err(Error::Invalid("a search needs an index id".into()));
        }
        if self.search_options.is_empty() {
            return Err(Error::Invalid(
                "a search needs at least one search option (visual, audio, transcription)".into(),
            ));
        }
        let text = self.query_text.as_deref().filter(|t| !t.trim().is_empty());
        if text.is_none() && self.images.is_empty() {
            return Err(Error::Invalid(
                "a search needs a text or an image query".into(),
            ));
        }
        if self.images.len() > MAX_QUERY_IMAGES {
            return Err(Error::Invalid(format!(
                "a search takes at most {MAX_QUERY_IMAGES} images (got {})",
                self.images.len()
            )));
        }
        if let Some(limit) = self.page_limit {
            if !(1..=MAX_PAGE_LIMIT).contains(&limit) {
                return Err(Error::Invalid(format!(
                    "page_limit must be between 1 and {MAX_PAGE_LIMIT} (got {limit})"
                )));
            }
        }
        if let Some(filter) = &self.filter {
            match serde_json::from_str::<serde_json::Value>(filter) {
                Ok(serde_json::Value::Object(_)) => {}
                _ => {
                    return Err(Error::Invalid(
                        "the search filter must be a JSON object".into(),
                    ))
                }
            }
        }
        let mut form = Form::new();
        if !self.images.is_empty() {
            form.text("query_media_type", "image");
        }
        for image in &self.images {
            if let ImageQuery::Url(url) = image {
                check_public_url(url)?;
                form.text("query_media_url", url.clone());
            }
        }
        form.opt_text("query_text", text);
        form.text("index_id", self.index_id.clone());
        for o in &self.search_options {
            form.text("search_options", o.as_str());
        }
        for o in &self.transcription_options {
            form.text("transcription_options", o.as_str());
        }
        form.opt_text("group_by", self.group_by.as_ref().map(GroupBy::to_string));
        form.opt_text(
            "operator",
            self.operator.as_ref().map(SearchOperator::to_string),
        );
        form.opt_text("page_limit", self.page_limit.map(|n| n.to_string()));
        form.opt_text("filter", self.filter.clone());
        form.opt_text(
            "include_user_metadata",
            self.include_user_metadata.map(|b| b.to_string()),
        );
        for image in &self.images {
            if let ImageQuery::File(path) = image {
                add_file(&mut form, "query_media_file", path, None)?;
            }
        }
        Ok(form)
    }
}

impl Client {
    /// `POST /search`: the first page. A search changes nothing, so it is
    /// retried like a read.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchPage, Error> {
        let form = request.form()?;
        self.call(Call::new(Method::POST, &["search"]).form(form))
            .await
    }

    /// `GET /search/{page_token}`: a next (or previous) page.
    pub async fn search_page(
        &self,
        page_token: &str,
        include_user_metadata: Option<bool>,
    ) -> Result<SearchPage, Error> {
        let mut q = Query::default();
        q.opt("include_user_metadata", include_user_metadata);
        self.call(Call::get(&["search", page_token]).query(q.0))
            .await
    }

    /// Every page of a search, following `next_page_token` (and passing
    /// `include_user_metadata` on, unlike the SDK). Bounded: a token seen
    /// before ends it with [`Error::RepeatedPage`], `max_pages` pages with
    /// [`Error::TooManyPages`] when more would follow.
    pub fn search_pages(
        &self,
        request: SearchRequest,
    ) -> BoxStream<'static, Result<SearchPage, Error>> {
        struct Walk {
            client: Client,
            request: SearchRequest,
            token: Option<String>,
            seen: HashSet<String>,
            pages: usize,
            stop: Option<Error>,
        }
        let walk = Walk {
            client: self.clone(),
            request,
            token: None,
            seen: HashSet::new(),
            pages: 0,
            stop: None,
        };
        stream::unfold(Some(walk), |state| async move {
            let mut walk = state?;
            if let Some(stop) = walk.stop.take() {
                return Some((Err(stop), None));
            }
            let page = match &walk.token {
                None => walk.client.search(&walk.request).await,
                Some(token) => {
                    walk.client
                        .search_page(token, walk.request.include_user_metadata)
                        .await
                }
            };
            let page = match page {
                Ok(page) => page,
                Err(e) => return Some((Err(e), None)),
            };
            walk.pages += 1;
            let Some(next) = page.next_page_token().map(str::to_string) else {
                return Some((Ok(page), None));
            };
            let endpoint = format!(
                "{}/{{page_token}}",
                walk.client.endpoint(&Method::GET, &["search".into()])
            );
            if !walk.seen.insert(next.clone()) {
                walk.stop = Some(Error::RepeatedPage { endpoint });
            } else if walk.pages >= walk.client.inner.options.max_pages {
                walk.stop = Some(Error::TooManyPages {
                    endpoint,
                    pages: walk.pages,
                });
            }
            walk.token = Some(next);
            Some((Ok(page), Some(walk)))
        })
        .boxed()
    }
}
