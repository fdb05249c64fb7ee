//! The TwelveLabs client against a recording server: every endpoint's
//! method, path, query (repeated keys), headers and multipart fields as
//! the reference (`twelvelabs-wire.md`, from the Python SDK 1.3.6) says
//! the SDK sends them; the decoding of every example of its section 7;
//! retries, bounds and errors.

mod assets;
mod indexes;
mod models;
mod retry;
mod search;
mod support;
mod upload;
