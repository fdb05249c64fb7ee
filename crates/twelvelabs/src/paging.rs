//! Walks over page-number lists (`page`, `page_limit`, `page_info`),
//! bounded: a walk ends at an empty page or at `page_info.total_page`; a
//! page identical to the one before ends it with [`Error::RepeatedPage`]
//! (a server repeating its last page would loop forever), and
//! `max_pages` pages with [`Error::TooManyPages`] when more would follow.

use futures_util::stream::{self, BoxStream, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::Page;

/// The pages of a list, one `Ok` per page, ending after the first error.
pub type PageStream<T> = BoxStream<'static, Result<Page<T>, Error>>;

/// Largest `page_limit` the lists accept.
pub const MAX_PAGE_LIMIT: u64 = 50;

/// Checks `page` and `page_limit` before a request goes out.
pub(crate) fn check_page(page: Option<u64>, page_limit: Option<u64>) -> Result<u64, Error> {
    if let Some(limit) = page_limit {
        if !(1..=MAX_PAGE_LIMIT).contains(&limit) {
            return Err(Error::Invalid(format!(
                "page_limit must be between 1 and {MAX_PAGE_LIMIT} (got {limit})"
            )));
        }
    }
    match page {
        Some(0) => Err(Error::Invalid("page numbers start at 1".into())),
        Some(p) => Ok(p),
        None => Ok(1),
    }
}

struct Walk {
    client: Client,
    path: Vec<String>,
    /// The query without `page`, which comes first on the wire.
    query: Vec<(String, String)>,
    page: u64,
    pages: usize,
    previous: Option<Vec<u8>>,
    endpoint: String,
    stop: Option<Error>,
}

impl Client {
    /// Every page of a list from `first_page` on.
    pub(crate) fn walk_pages<T>(
        &self,
        path: &[&str],
        query: Vec<(String, String)>,
        first_page: u64,
    ) -> PageStream<T>
    where
        T: DeserializeOwned + Serialize + Send + 'static,
    {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        let endpoint = self.endpoint(&reqwest::Method::GET, &path);
        let walk = Walk {
            client: self.clone(),
            path,
            query,
            page: first_page,
            pages: 0,
            previous: None,
            endpoint,
            stop: None,
        };
        stream::unfold(Some(walk), |state| async move {
            let mut walk = state?;
            if let Some(stop) = walk.stop.take() {
                return Some((Err(stop), None));
            }
            let mut query = vec![("page".to_string(), walk.page.to_string())];
            query.extend(walk.query.iter().cloned());
            let path: Vec<&str> = walk.path.iter().map(String::as_str).collect();
            let page: Page<T> = match walk.client.call(Call::get(&path).query(query)).await {
                Ok(page) => page,
                Err(e) => return Some((Err(e), None)),
            };
            walk.pages += 1;
            if page.items().is_empty() {
                // past the end; the first page is still an answer
                return (walk.pages == 1).then_some((Ok(page), None));
            }
            let print = serde_json::to_vec(&page.data).unwrap_or_default();
            if walk.previous.as_ref() == Some(&print) {
                return Some((
                    Err(Error::RepeatedPage {
                        endpoint: walk.endpoint,
                    }),
                    None,
                ));
            }
            walk.previous = Some(print);
            let total = page.page_info.as_ref().and_then(|i| i.total_page);
            if total.is_some_and(|t| walk.page >= t) {
                return Some((Ok(page), None));
            }
            if walk.pages >= walk.client.inner.options.max_pages {
                walk.stop = Some(Error::TooManyPages {
                    endpoint: walk.endpoint.clone(),
                    pages: walk.pages,
                });
            }
            walk.page += 1;
            Some((Ok(page), Some(walk)))
        })
        .boxed()
    }
}
