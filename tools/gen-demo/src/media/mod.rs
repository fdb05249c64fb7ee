//! File writers: picture encoders, binary glTF and the WAV chime for the
//! Scenario library; bit writing, H.264, MP4/fMP4, FLAC, WAV and HLS
//! playlists for the TwelveLabs one.

pub mod bits;
pub mod chime;
pub mod flac;
pub mod glb;
pub mod h264;
pub mod hls;
pub mod mp4;
pub mod picture;
pub mod wav;
