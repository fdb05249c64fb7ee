//! Open enums: every documented value has a variant, and any other string
//! decodes as `Other(String)` and encodes back unchanged, so a value the
//! service adds tomorrow is kept, never an error.

macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this client does not know, kept as sent.
            Other(String),
        }

        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($wire => $name::$variant,)+
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::from(s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok($name::from(s.as_str()))
            }
        }
    };
}

open_enum!(
    /// How an asset was uploaded.
    AssetMethod {
        Direct = "direct",
        Url = "url",
        Multipart = "multipart",
        Connector = "connector",
    }
);

open_enum!(
    /// An asset's processing state.
    AssetStatus {
        Processing = "processing",
        Ready = "ready",
        Failed = "failed",
    }
);

open_enum!(
    /// The state of an asset's HLS rendition or thumbnail (lower case).
    RenditionStatus {
        Pending = "pending",
        Processing = "processing",
        Ready = "ready",
        Error = "error",
    }
);

open_enum!(
    /// A kind of asset, as the list filter and the upload session name it.
    AssetType {
        Image = "image",
        Video = "video",
        Audio = "audio",
        Document = "document",
    }
);

open_enum!(
    /// The indexing state of an indexed asset.
    IndexedAssetStatus {
        Ready = "ready",
        Pending = "pending",
        Queued = "queued",
        Indexing = "indexing",
        Validating = "validating",
        Failed = "failed",
    }
);

open_enum!(
    /// The HLS state of an indexed video: UPPER case, unlike assets.
    VideoHlsStatus {
        Processing = "PROCESSING",
        Complete = "COMPLETE",
        Canceled = "CANCELED",
        Error = "ERROR",
    }
);

open_enum!(
    /// What a search looks at.
    SearchOption {
        Visual = "visual",
        Audio = "audio",
        Transcription = "transcription",
    }
);

open_enum!(
    /// How spoken words are matched when searching transcriptions.
    TranscriptionOption {
        Lexical = "lexical",
        Semantic = "semantic",
    }
);

open_enum!(
    /// Search results one per clip or one per video.
    GroupBy {
        Clip = "clip",
        Video = "video",
    }
);

open_enum!(
    /// How several search options combine.
    SearchOperator {
        Or = "or",
        And = "and",
    }
);

open_enum!(
    /// A multipart upload session's state.
    UploadStatus {
        Active = "active",
        Completed = "completed",
        Failed = "failed",
        Expired = "expired",
    }
);

open_enum!(
    /// One chunk's state in an upload session.
    ChunkStatus {
        Completed = "completed",
        Pending = "pending",
        Failed = "failed",
    }
);

open_enum!(
    /// A transcription's state.
    TranscriptionStatus {
        Pending = "pending",
        Processing = "processing",
        Ready = "ready",
        Failed = "failed",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_are_kept_and_encode_back() {
        let s: AssetStatus = serde_json::from_str("\"archived\"").unwrap();
        assert_eq!(s, AssetStatus::Other("archived".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"archived\"");
        let s: AssetStatus = serde_json::from_str("\"ready\"").unwrap();
        assert_eq!(s, AssetStatus::Ready);
        // the case is part of the value: indexed videos use upper case
        let h: VideoHlsStatus = serde_json::from_str("\"COMPLETE\"").unwrap();
        assert_eq!(h, VideoHlsStatus::Complete);
        let h: RenditionStatus = serde_json::from_str("\"READY\"").unwrap();
        assert_eq!(h, RenditionStatus::Other("READY".into()));
    }
}
