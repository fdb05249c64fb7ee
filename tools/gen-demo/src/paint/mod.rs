//! Procedural painting: colour, noise and a parallel float canvas, the
//! eleven scene painters (one module each), and the post-processing filters.
//! Every painter is `fn(w, h, &Params) -> RgbImage` and deterministic.

pub mod canvas;
pub mod color;
pub mod desert;
pub mod filters;
pub mod fluid;
pub mod forest;
pub mod landscape;
pub mod neon_city;
pub mod noise;
pub mod pixel_art;
pub mod planet;
pub mod portrait;
pub mod skybox;
pub mod stone;
pub mod underwater;
