//! API requests for the browser: each [`Cmd`] becomes a task whose answer
//! comes back as a [`Msg`]. One slot per kind of request: a new request
//! in a slot aborts the one before it.

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::api::params::ListAssetsQuery;
use crate::api::Client;
use crate::app::{AssetPurpose, Msg};

pub struct ApiWorker {
    client: Client,
    tx: UnboundedSender<Msg>,
    page: Option<AbortHandle>,
    detail: Option<AbortHandle>,
    jump: Option<AbortHandle>,
    copy_link: Option<AbortHandle>,
}

fn replace(slot: &mut Option<AbortHandle>, new: AbortHandle) {
    if let Some(old) = slot.replace(new) {
        old.abort();
    }
}

impl ApiWorker {
    pub fn new(client: Client, tx: UnboundedSender<Msg>) -> ApiWorker {
        ApiWorker {
            client,
            tx,
            page: None,
            detail: None,
            jump: None,
            copy_link: None,
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn load_page(&mut self, generation: u64, query: Box<ListAssetsQuery>) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            let result = client
                .list_assets_page(&query)
                .await
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::Page { generation, result });
        });
        replace(&mut self.page, task.abort_handle());
    }

    pub fn load_asset(&mut self, purpose: AssetPurpose, id: String) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            let result = client
                .get_asset(&id)
                .await
                .map(Box::new)
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::Asset {
                purpose,
                id,
                result,
            });
        });
        match purpose {
            AssetPurpose::Detail(_) => replace(&mut self.detail, task.abort_handle()),
            AssetPurpose::Jump(_) => replace(&mut self.jump, task.abort_handle()),
            // a second `Y` before the first link came back wins
            AssetPurpose::CopyLink => replace(&mut self.copy_link, task.abort_handle()),
            // refreshes of different assets run side by side
            AssetPurpose::Refresh => {}
        }
    }

    pub fn load_collections(&mut self) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = client.all_collections().await.map_err(|e| e.to_string());
            let _ = tx.send(Msg::Collections(result));
        });
    }
}

impl Drop for ApiWorker {
    fn drop(&mut self) {
        for h in [&self.page, &self.detail, &self.jump, &self.copy_link]
            .into_iter()
            .flatten()
        {
            h.abort();
        }
    }
}
