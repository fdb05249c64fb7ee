//! A `multipart/form-data` reader for `POST /assets` and `POST /search`:
//! text fields, repeated fields and file parts, as the SDK writes them
//! (any JSON spacing inside a text field is the caller's business).

use bytes::Bytes;

#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// Most parts in one request.
const MAX_PARTS: usize = 256;

/// The parts of a body; an empty body (what the SDK sends when it
/// retries) has none.
pub fn parse(content_type: Option<&str>, body: Bytes) -> Result<Vec<Part>, String> {
    if body.is_empty() {
        return Ok(Vec::new());
    }
    let ct = content_type.unwrap_or("");
    if !ct
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return Err("the body must be multipart/form-data".into());
    }
    let boundary = ct
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|b| !b.is_empty() && b.len() <= 200)
        .ok_or("the multipart Content-Type has no boundary")?;
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut pos = find(&body, delimiter.as_bytes(), 0)
        .ok_or("no multipart boundary in the body")?
        + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Ok(parts);
        }
        // the rest of the boundary line
        let line_end = find(&body, b"\r\n", pos).ok_or("a multipart boundary line is cut")?;
        let head_start = line_end + 2;
        let head_end =
            find(&body, b"\r\n\r\n", head_start).ok_or("a multipart part has no header end")?;
        let head = String::from_utf8_lossy(&body[head_start..head_end]);
        let data_start = head_end + 4;
        let data_end = find(&body, next_delimiter.as_bytes(), data_start)
            .ok_or("a multipart part is not closed by a boundary")?;
        let mut part = Part {
            name: String::new(),
            filename: None,
            content_type: None,
            data: body.slice(data_start..data_end),
        };
        for line in head.split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("content-disposition") {
                part.name = param(value, "name").unwrap_or_default();
                part.filename = param(value, "filename");
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                part.content_type = Some(value.trim().to_string());
            }
        }
        if parts.len() >= MAX_PARTS {
            return Err(format!("more than {MAX_PARTS} multipart parts"));
        }
        parts.push(part);
        pos = data_end + next_delimiter.len();
    }
}

/// A `key="value"` parameter of a header value.
fn param(header: &str, key: &str) -> Option<String> {
    let mut rest = header;
    while let Some(i) = rest.find(';') {
        rest = rest[i + 1..].trim_start();
        let (k, v) = rest.split_once('=')?;
        let v = v.trim_start();
        let (value, after) = if let Some(quoted) = v.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            }
        } else {
            match v.find(';') {
                Some(end) => (v[..end].trim(), &v[end..]),
                None => (v.trim(), ""),
            }
        };
        if k.trim().eq_ignore_ascii_case(key) {
            return Some(value.to_string());
        }
        rest = after;
    }
    None
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = from;
    while i + needle.len() <= hay.len() {
        let j = hay.get(i..)?.iter().position(|&b| b == first)? + i;
        if hay.get(j..j + needle.len())? == needle {
            return Some(j);
        }
        i = j + 1;
    }
    None
}

/// The text of the last field of that name.
pub fn text<'a>(parts: &'a [Part], name: &str) -> Option<std::borrow::Cow<'a, str>> {
    parts
        .iter()
        .rev()
        .find(|p| p.name == name && p.filename.is_none())
        .map(|p| String::from_utf8_lossy(&p.data))
}

/// The texts of every field of that name, in order.
pub fn texts(parts: &[Part], name: &str) -> Vec<String> {
    parts
        .iter()
        .filter(|p| p.name == name && p.filename.is_none())
        .map(|p| String::from_utf8_lossy(&p.data).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_repeats_and_files() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\ndirect\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"search_options\"\r\n\r\nvisual\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"search_options\"\r\n\r\naudio\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b.mp4\"\r\n\
                    Content-Type: video/mp4\r\n\r\n\x00\r\n--\r\n--XyZ--\r\n";
        let parts = parse(
            Some("multipart/form-data; boundary=XyZ"),
            Bytes::from(body.as_bytes().to_vec()),
        )
        .unwrap();
        assert_eq!(parts.len(), 4);
        assert_eq!(text(&parts, "method").as_deref(), Some("direct"));
        assert_eq!(texts(&parts, "search_options"), ["visual", "audio"]);
        let file = &parts[3];
        assert_eq!(file.filename.as_deref(), Some("a;b.mp4"));
        assert_eq!(file.content_type.as_deref(), Some("video/mp4"));
        assert_eq!(file.data.as_ref(), b"\x00\r\n--");
        assert!(
            parse(Some("multipart/form-data; boundary=XyZ"), Bytes::new())
                .unwrap()
                .is_empty()
        );
        assert!(parse(Some("application/json"), Bytes::from_static(b"{}")).is_err());
    }
}
