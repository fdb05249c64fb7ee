//! `multipart/form-data` bodies written by hand, so each one goes out
//! exactly as the SDK sends it: text fields first, in the endpoint's
//! order, with no per-part `Content-Type`; a repeated field is one part per
//! value; file parts last, streamed from disk with their length known in
//! advance (`Content-Length`). A form is a description: every attempt
//! opens the files again and builds the body from scratch.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::stream;
use tokio::io::AsyncReadExt;

use crate::error::Error;

/// Bytes read from a file per body chunk.
const READ_CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone)]
enum Part {
    Text {
        name: String,
        value: String,
    },
    File {
        name: String,
        path: PathBuf,
        filename: String,
        content_type: String,
        len: u64,
    },
}

/// A multipart form: parts in the order added.
#[derive(Debug, Clone)]
pub struct Form {
    boundary: String,
    parts: Vec<Part>,
}

impl Default for Form {
    fn default() -> Self {
        Form::new()
    }
}

impl Form {
    pub fn new() -> Form {
        // 32 hex digits, like the SDK's boundary
        let boundary = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        Form {
            boundary,
            parts: Vec::new(),
        }
    }

    pub fn text(&mut self, name: &str, value: impl Into<String>) {
        self.parts.push(Part::Text {
            name: name.to_string(),
            value: value.into(),
        });
    }

    pub fn opt_text(&mut self, name: &str, value: Option<impl Into<String>>) {
        if let Some(v) = value {
            self.text(name, v);
        }
    }

    /// A file part of `len` bytes (the caller read the length; the body
    /// refuses a file that changes size meanwhile).
    pub fn file(&mut self, name: &str, path: &Path, filename: &str, content_type: &str, len: u64) {
        self.parts.push(Part::File {
            name: name.to_string(),
            path: path.to_path_buf(),
            filename: filename.to_string(),
            content_type: content_type.to_string(),
            len,
        });
    }

    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// Bytes of file content in the form.
    pub fn file_bytes(&self) -> u64 {
        self.parts
            .iter()
            .map(|p| match p {
                Part::File { len, .. } => *len,
                Part::Text { .. } => 0,
            })
            .sum()
    }

    fn head(&self, part: &Part) -> String {
        match part {
            Part::Text { name, .. } => format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n",
                self.boundary,
                escape(name)
            ),
            Part::File {
                name,
                filename,
                content_type,
                ..
            } => format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                self.boundary,
                escape(name),
                escape(filename),
                content_type.replace(['\r', '\n'], "")
            ),
        }
    }

    fn tail(&self) -> String {
        format!("--{}--\r\n", self.boundary)
    }

    /// The body's exact length.
    pub fn content_length(&self) -> u64 {
        let parts: u64 = self
            .parts
            .iter()
            .map(|p| {
                let content = match p {
                    Part::Text { value, .. } => value.len() as u64,
                    Part::File { len, .. } => *len,
                };
                self.head(p).len() as u64 + content + 2
            })
            .sum();
        parts + self.tail().len() as u64
    }

    /// Opens the files and returns the body as a stream. A file that
    /// cannot be opened is an error here, before anything is sent.
    pub async fn open(&self) -> Result<reqwest::Body, Error> {
        let mut queue = VecDeque::new();
        for part in &self.parts {
            queue.push_back(Segment::Bytes(Bytes::from(self.head(part))));
            match part {
                Part::Text { value, .. } => {
                    queue.push_back(Segment::Bytes(Bytes::from(value.clone())))
                }
                Part::File { path, len, .. } => {
                    let file = tokio::fs::File::open(path).await.map_err(|e| Error::File {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?;
                    queue.push_back(Segment::File {
                        file,
                        remaining: *len,
                    });
                }
            }
            queue.push_back(Segment::Bytes(Bytes::from_static(b"\r\n")));
        }
        queue.push_back(Segment::Bytes(Bytes::from(self.tail())));
        Ok(reqwest::Body::wrap_stream(body_stream(queue)))
    }

    /// The whole body in memory (forms without files, and tests).
    pub async fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        for part in &self.parts {
            out.extend_from_slice(self.head(part).as_bytes());
            match part {
                Part::Text { value, .. } => out.extend_from_slice(value.as_bytes()),
                Part::File { path, .. } => {
                    let bytes = tokio::fs::read(path).await.map_err(|e| Error::File {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?;
                    out.extend_from_slice(&bytes);
                }
            }
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(self.tail().as_bytes());
        Ok(out)
    }
}

enum Segment {
    Bytes(Bytes),
    File {
        file: tokio::fs::File,
        remaining: u64,
    },
}

fn body_stream(
    queue: VecDeque<Segment>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    stream::unfold(queue, |mut queue| async move {
        loop {
            match queue.pop_front()? {
                Segment::Bytes(b) => return Some((Ok(b), queue)),
                Segment::File {
                    mut file,
                    remaining,
                } => {
                    if remaining == 0 {
                        continue;
                    }
                    let want = remaining.min(READ_CHUNK as u64) as usize;
                    let mut buf = vec![0u8; want];
                    match file.read(&mut buf).await {
                        Ok(0) => {
                            let e = std::io::Error::new(
                                std::io::ErrorKind::UnexpectedEof,
                                "the file got shorter while it was being sent",
                            );
                            return Some((Err(e), VecDeque::new()));
                        }
                        Ok(n) => {
                            buf.truncate(n);
                            queue.push_front(Segment::File {
                                file,
                                remaining: remaining - n as u64,
                            });
                            return Some((Ok(Bytes::from(buf)), queue));
                        }
                        Err(e) => return Some((Err(e), VecDeque::new())),
                    }
                }
            }
        }
    })
}

/// A name or file name inside a quoted header parameter: quotes and line
/// breaks percent-encoded (as browsers do), so no value can end the
/// header or start another.
fn escape(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The type the SDK would send for a file name: from the extension, else
/// `application/octet-stream`.
pub fn guess_content_type(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "mkv" => "video/x-matroska",
        "avi" => "video/x-msvideo",
        "mpeg" | "mpg" => "video/mpeg",
        "ts" => "video/mp2t",
        "m3u8" => "application/vnd.apple.mpegurl",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "flac" => "audio/flac",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "heic" => "image/heic",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "md" | "markdown" => "text/markdown",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn length_is_exact_and_parts_are_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.mp4");
        std::fs::write(&path, b"MOVIE").unwrap();
        let mut f = Form::new();
        f.text("method", "direct");
        f.text("search_options", "visual");
        f.text("search_options", "audio");
        f.file("file", &path, "cl\"ip\r\n.mp4", "video/mp4", 5);
        let bytes = f.to_bytes().await.unwrap();
        assert_eq!(bytes.len() as u64, f.content_length());
        let text = String::from_utf8(bytes).unwrap();
        let b = &f.boundary;
        assert_eq!(b.len(), 32);
        assert_eq!(
            text,
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\ndirect\r\n\
                 --{b}\r\nContent-Disposition: form-data; name=\"search_options\"\r\n\r\nvisual\r\n\
                 --{b}\r\nContent-Disposition: form-data; name=\"search_options\"\r\n\r\naudio\r\n\
                 --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cl%22ip%0D%0A.mp4\"\r\nContent-Type: video/mp4\r\n\r\nMOVIE\r\n\
                 --{b}--\r\n"
            )
        );
    }

    #[test]
    fn types_from_the_extension() {
        assert_eq!(guess_content_type("a.MP4"), "video/mp4");
        assert_eq!(guess_content_type("a.mov"), "video/quicktime");
        assert_eq!(guess_content_type("noext"), "application/octet-stream");
    }
}
