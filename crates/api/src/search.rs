//! `POST /search/assets`: one page, or every page as a stream.

use futures_util::stream::{self, BoxStream, StreamExt};
use reqwest::Method;

use super::assets::MAX_LIST_PAGES;
use super::client::{Call, Client};
use super::error::ApiError;
use super::models::SearchResponse;
use super::params::{SearchPaging, SearchRequest};

/// Hits per page when the caller did not choose.
pub const DEFAULT_HITS_PER_PAGE: u32 = 50;

impl Client {
    /// One page of search results.
    pub async fn search_page(&self, request: &SearchRequest) -> Result<SearchResponse, ApiError> {
        request.validate().map_err(ApiError::Invalid)?;
        self.call(Call::with_json(
            Method::POST,
            &["search", "assets"],
            request,
        )?)
        .await
    }

    /// Every page, starting from the request's own paging (page/hitsPerPage
    /// or offset/limit) or from page 1. Ends after the last page or the
    /// first error; after [`MAX_LIST_PAGES`] pages with more to come, with
    /// [`ApiError::TooManyPages`].
    pub fn search(
        &self,
        request: SearchRequest,
    ) -> BoxStream<'static, Result<SearchResponse, ApiError>> {
        let first = match (
            request.page,
            request.hits_per_page,
            request.offset,
            request.limit,
        ) {
            (_, _, Some(offset), Some(limit)) => SearchPaging::Offset { offset, limit },
            (page, hits, _, _) => SearchPaging::Page {
                page: page.unwrap_or(1),
                hits_per_page: hits.unwrap_or(DEFAULT_HITS_PER_PAGE),
            },
        };
        let client = self.clone();
        let endpoint = format!(
            "POST {}",
            self.url(&["search".to_string(), "assets".to_string()], &[])
                .path()
        );
        // (paging, pages read so far, or why the stream ends)
        stream::unfold(Some(Ok((first, 0usize))), move |state| {
            let client = client.clone();
            let request = request.clone();
            let endpoint = endpoint.clone();
            async move {
                let (paging, pages) = match state? {
                    Ok(next) => next,
                    Err(stop) => return Some((Err(stop), None)),
                };
                match client.search_page(&request.with_paging(paging)).await {
                    Ok(page) => {
                        let pages = pages + 1;
                        let next = next_paging(paging, &page).map(|next| {
                            if pages >= MAX_LIST_PAGES {
                                Err(ApiError::TooManyPages { endpoint, pages })
                            } else {
                                Ok((next, pages))
                            }
                        });
                        Some((Ok(page), next))
                    }
                    Err(e) => Some((Err(e), None)),
                }
            }
        })
        .boxed()
    }
}

/// The page after `paging`, or `None` when `page` was the last one.
pub fn next_paging(paging: SearchPaging, page: &SearchResponse) -> Option<SearchPaging> {
    let got = page.hits.len() as u64;
    if got == 0 {
        return None;
    }
    match paging {
        SearchPaging::Page {
            page: n,
            hits_per_page,
        } => {
            let total_pages = page.total_pages.as_ref().and_then(|n| n.as_u64());
            let more = match total_pages {
                Some(total) => u64::from(n) < total,
                None => got >= u64::from(hits_per_page),
            };
            more.then_some(SearchPaging::Page {
                page: n + 1,
                hits_per_page,
            })
        }
        SearchPaging::Offset { offset, limit } => {
            let total = page.estimated_total_hits.as_ref().and_then(|n| n.as_u64());
            let next = u64::from(offset) + got;
            let more = got >= u64::from(limit) && total.is_none_or(|t| next < t);
            let next = u32::try_from(next).ok()?;
            more.then_some(SearchPaging::Offset {
                offset: next,
                limit,
            })
        }
    }
}
