//! The bit writer and reader, from the workspace's `assetui-bitstream`
//! (shared with the server's HEVC writer).

#[cfg(test)]
pub use assetui_bitstream::BitReader;
pub use assetui_bitstream::BitWriter;
