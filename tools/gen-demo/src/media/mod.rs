//! File writers for the Scenario library: picture encoders, binary glTF and
//! the WAV chime.

pub mod chime;
pub mod glb;
pub mod picture;
