//! Format conversions the image crate does not write: 3D models from
//! binary glTF to Wavefront OBJ and binary FBX, and still images to HEIF.
//! Pure Rust, no native library; each writer in its own module. Blocking:
//! called from `renditions::derive` on a blocking thread.

pub mod fbx;
pub mod glb;
pub mod heif;
pub mod hevc;
pub mod obj;

/// MIME types of the converted files (the API reference names none):
/// OBJ's registered type, and FBX's usual one (it has no registered type).
pub const OBJ_MIME: &str = "model/obj";
pub const FBX_MIME: &str = "application/vnd.autodesk.fbx";

/// A 3D model (stored as GLB) in `target` (`obj` or `fbx`).
pub fn model(glb: &[u8], target: &str) -> Result<(Vec<u8>, &'static str), String> {
    let meshes = glb::read(glb).map_err(|e| format!("this 3D model cannot be converted: {e}"))?;
    match target {
        "obj" => Ok((obj::write(&meshes).into_bytes(), OBJ_MIME)),
        "fbx" => Ok((fbx::write(&meshes)?, FBX_MIME)),
        other => Err(format!("a 3D model cannot be converted to {other}")),
    }
}

#[cfg(test)]
mod tests;
