//! The family tree pane's requests ([`TreeCmd`]): each runs as a task of
//! its own and answers with [`Msg::Tree`] messages of its generation. A
//! new tree (`L` again) aborts the previous tree's tasks. Children of many
//! nodes are read in parallel (`lineage::load::PARALLEL` at a time).

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::app::tree::{TreeCmd, TreeMsg};
use crate::app::Msg;
use crate::lineage::load;
use crate::provider::Service;

pub struct TreeWorker {
    service: Service,
    tx: UnboundedSender<Msg>,
    generation: u64,
    tasks: Vec<AbortHandle>,
}

impl TreeWorker {
    pub fn new(service: Service, tx: UnboundedSender<Msg>) -> TreeWorker {
        TreeWorker {
            service,
            tx,
            generation: 0,
            tasks: Vec::new(),
        }
    }

    pub fn dispatch(&mut self, generation: u64, cmd: TreeCmd) {
        if generation != self.generation {
            // another tree: what the last one still reads is of no use
            for t in self.tasks.drain(..) {
                t.abort();
            }
            self.generation = generation;
        }
        self.tasks.retain(|t| !t.is_finished());
        let tx = self.tx.clone();
        let send = move |msg: TreeMsg| {
            let _ = tx.send(Msg::Tree { generation, msg });
        };
        let client = match &self.service {
            Service::Scenario(c) => c.clone(),
            Service::TwelveLabs(_) => {
                send(TreeMsg::Failed(
                    "TwelveLabs keeps no parent or root assets".into(),
                ));
                return;
            }
        };
        let task = match cmd {
            TreeCmd::Open(asset) => tokio::spawn(async move {
                let chain = load::chain(&client, *asset).await;
                let root = chain.root.id.clone();
                send(TreeMsg::Root(Box::new(chain)));
                let walked = load::family(&client, &root, |page| {
                    if !page.is_empty() {
                        send(TreeMsg::Listed(page));
                    }
                })
                .await;
                send(TreeMsg::ListingDone(walked));
            }),
            TreeCmd::Children(ids) => tokio::spawn(async move {
                let answers = load::children_of(&client, ids).await;
                send(TreeMsg::Children(answers));
            }),
            TreeCmd::Branch {
                node,
                frontier,
                known,
            } => tokio::spawn(async move {
                let stopped = load::branch(&client, frontier, known, |generation| {
                    send(TreeMsg::Children(generation));
                })
                .await;
                send(TreeMsg::BranchDone { node, stopped });
            }),
        };
        self.tasks.push(task.abort_handle());
    }
}

impl Drop for TreeWorker {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}
