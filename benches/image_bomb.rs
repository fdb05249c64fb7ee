//! Peak memory of the thumbnail pipeline against a server that serves a
//! PNG bomb (issue 20): a ~250 KB PNG of 8192×8192 RGBA pixels, which
//! decodes to 256 MiB.
//!
//! `cargo bench --profile dev --bench image_bomb` (the profile matters
//! little for memory). Each run resets the process's peak RSS
//! (`/proc/self/clear_refs`), starts an `ImagePipeline` as the browser does
//! (6 jobs, as many decode slots as CPUs), asks for 12 thumbnails of the
//! bomb and one ordinary picture, waits for all 13 answers, and reads the
//! peak (`VmHWM`). Then the same with 4096×4096 (64 MiB decoded, within
//! the render limits, so drawn: the in-flight budget bounds it). Prints
//! each run and the range. Linux only.

use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;

use image::{DynamicImage, ImageFormat, RgbaImage};
use ratatui_image::picker::Picker;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use assetui::worker::images::{ImageKey, ImagePipeline, ImageRequest, Variant};

const RUNS: usize = 5;
const BOMBS: usize = 12;
/// The browser's `IMAGE_JOBS`.
const JOBS: usize = 6;

fn png(img: DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).expect("encode");
    out.into_inner()
}

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("field")
}

/// Serves `bomb` at `/bomb/...` and `fine` anywhere else.
async fn serve(bomb: Arc<Vec<u8>>, fine: Arc<Vec<u8>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let (bomb, fine) = (bomb.clone(), fine.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let body = if head.starts_with(b"GET /bomb/") {
                    bomb
                } else {
                    fine
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: {}\r\n\
                     connection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    base
}

fn request(base: &str, id: &str, path: &str) -> ImageRequest {
    ImageRequest {
        key: ImageKey {
            asset_id: id.into(),
            variant: Variant::Thumbnail,
            cells: (20, 10),
        },
        url: format!("{base}{path}"),
        cache_tag: "t".into(),
    }
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // 8192: the bomb of issue 20; 4096: the largest rendition still drawn
    for side in [8192, 4096] {
        case(side);
    }
}

fn case(side: u32) {
    let bomb = png(DynamicImage::ImageRgba8(RgbaImage::new(side, side)));
    let fine = png(DynamicImage::ImageRgba8(RgbaImage::from_fn(
        256,
        256,
        |x, y| image::Rgba([x as u8, y as u8, 90, 255]),
    )));
    println!(
        "bomb: {} KB PNG, {side}×{side} RGBA ({} MiB decoded)",
        bomb.len() / 1000,
        (u64::from(side) * u64::from(side) * 4) >> 20
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let base = rt.block_on(serve(Arc::new(bomb), Arc::new(fine)));
    let mut peaks = Vec::new();
    for run in 0..RUNS {
        std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak RSS");
        let before = status_kib("VmRSS:");
        let (ok, failed) = rt.block_on(async {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let http = reqwest::Client::builder()
                .no_proxy()
                .read_timeout(Duration::from_secs(30))
                .build()
                .expect("client");
            let p = ImagePipeline::spawn(http, Picker::halfblocks(), None, JOBS, tx);
            let mut list: Vec<ImageRequest> = (0..BOMBS)
                .map(|i| request(&base, &format!("b{run}-{i}"), &format!("/bomb/{i}")))
                .collect();
            list.push(request(&base, "fine", "/fine"));
            p.want(list);
            let (mut ok, mut failed) = (0, 0);
            for _ in 0..=BOMBS {
                let done = tokio::time::timeout(Duration::from_secs(300), rx.recv())
                    .await
                    .expect("answers in time")
                    .expect("pipeline runs");
                if done.result.is_ok() {
                    ok += 1;
                } else {
                    failed += 1;
                }
            }
            (ok, failed)
        });
        let peak = status_kib("VmHWM:");
        println!(
            "run {run}: peak RSS {} MiB (before {} MiB); {ok} drawn, {failed} refused",
            peak / 1024,
            before / 1024
        );
        peaks.push(peak / 1024);
    }
    peaks.sort();
    println!(
        "peak RSS over {RUNS} runs: {}-{} MiB",
        peaks[0],
        peaks[RUNS - 1]
    );
}
