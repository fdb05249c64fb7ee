//! Workers: they receive [`Cmd`]s, do the I/O, and answer with [`Msg`]s on
//! one channel. They hold no reference into the state and never touch the
//! terminal.

pub mod api;
pub mod images;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::{Cmd, Msg};
use api::ApiWorker;
use images::ImagePipeline;

/// What the event loop must do itself after a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    /// For the UI task: it owns the terminal (OSC 52) and the clipboard.
    Copy {
        what: &'static str,
        text: String,
        route: Option<crate::clipboard::Route>,
    },
    Suspend,
    Quit,
}

pub struct Workers {
    pub api: ApiWorker,
    pub images: Option<ImagePipeline>,
    tx: UnboundedSender<Msg>,
}

impl Workers {
    pub fn new(api: ApiWorker, images: Option<ImagePipeline>, tx: UnboundedSender<Msg>) -> Workers {
        Workers { api, images, tx }
    }

    /// Starts the work a command asks for; never waits for it.
    pub fn dispatch(&mut self, cmd: Cmd) -> Control {
        match cmd {
            Cmd::LoadPage { generation, query } => self.api.load_page(generation, query),
            Cmd::LoadAsset { purpose, id } => self.api.load_asset(purpose, id),
            Cmd::LoadCollections => self.api.load_collections(),
            Cmd::Search {
                generation,
                request,
            } => self.api.search(generation, request),
            Cmd::ReadImage { path, explicit } => self.api.read_image(path, explicit),
            Cmd::CompletePath { input } => self.api.complete_path(input),
            Cmd::WantImages(requests) => {
                if let Some(p) = &self.images {
                    p.want(requests);
                }
            }
            Cmd::After(delay, msg) => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = tx.send(*msg);
                });
            }
            Cmd::Copy { what, text, route } => return Control::Copy { what, text, route },
            Cmd::Suspend => return Control::Suspend,
            Cmd::Quit => return Control::Quit,
        }
        Control::Continue
    }
}
