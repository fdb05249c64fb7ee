//! Open string enums: every value the API reference documents gets a
//! variant, anything else decodes to `Other(..)` and re-encodes unchanged,
//! so a value the server adds tomorrow never breaks decoding.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Defines an open string enum: one unit variant per documented wire value
/// plus `Other(String)`, (de)serialized as the plain string.
///
/// Build values with `From<&str>`/`parse()` rather than writing `Other(..)`
/// by hand: `Other("canvas")` is not equal to `Canvas`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($variant:ident = $wire:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                #[doc = concat!("`\"", $wire, "\"`")]
                $variant,
            )+
            /// A value this client does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every documented value, in the reference's order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];
            /// The wire strings of [`Self::ALL`], in the same order.
            pub const ALL_STR: &'static [&'static str] = &[$($wire,)+];

            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Other(s) => s,
                }
            }

            /// True for a value outside the documented list.
            pub fn is_other(&self) -> bool {
                matches!(self, Self::Other(_))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($wire => Self::$variant,)+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match Self::from(s.as_str()) {
                    Self::Other(_) => Self::Other(s),
                    known => known,
                }
            }
        }

        impl FromStr for $name {
            type Err = Infallible;
            fn from_str(s: &str) -> Result<Self, Infallible> {
                Ok(Self::from(s))
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

open_enum! {
    /// What an asset is: `kind` at the top level and in `metadata`.
    pub enum AssetKind {
        ThreeD = "3d",
        Audio = "audio",
        Document = "document",
        Image = "image",
        ImageHdr = "image-hdr",
        Json = "json",
        Video = "video",
    }
}

open_enum! {
    /// How an asset was made (`metadata.type`, and the `type`/`types` list filters).
    pub enum AssetType {
        InferenceTxt2img = "inference-txt2img",
        InferenceTxt2imgIpAdapter = "inference-txt2img-ip-adapter",
        InferenceTxt2imgTexture = "inference-txt2img-texture",
        InferenceImg2img = "inference-img2img",
        InferenceImg2imgIpAdapter = "inference-img2img-ip-adapter",
        InferenceImg2imgTexture = "inference-img2img-texture",
        InferenceInpaint = "inference-inpaint",
        InferenceInpaintIpAdapter = "inference-inpaint-ip-adapter",
        InferenceReference = "inference-reference",
        InferenceReferenceTexture = "inference-reference-texture",
        InferenceControlnet = "inference-controlnet",
        InferenceControlnetIpAdapter = "inference-controlnet-ip-adapter",
        InferenceControlnetImg2img = "inference-controlnet-img2img",
        InferenceControlnetReference = "inference-controlnet-reference",
        InferenceControlnetInpaint = "inference-controlnet-inpaint",
        InferenceControlnetInpaintIpAdapter = "inference-controlnet-inpaint-ip-adapter",
        InferenceControlnetTexture = "inference-controlnet-texture",
        BackgroundRemoval = "background-removal",
        Canvas = "canvas",
        CanvasExport = "canvas-export",
        CanvasDrawing = "canvas-drawing",
        Detection = "detection",
        Patch = "patch",
        Pixelization = "pixelization",
        Upscale = "upscale",
        UpscaleTexture = "upscale-texture",
        UpscaleSkybox = "upscale-skybox",
        Vectorization = "vectorization",
        Segment = "segment",
        SegmentationImage = "segmentation-image",
        SegmentationMask = "segmentation-mask",
        SkyboxBase360 = "skybox-base-360",
        SkyboxHdri = "skybox-hdri",
        Skybox3d = "skybox-3d",
        Restyle = "restyle",
        Reframe = "reframe",
        GenerativeFill = "generative-fill",
        Texture = "texture",
        TextureHeight = "texture-height",
        TextureNormal = "texture-normal",
        TextureSmoothness = "texture-smoothness",
        TextureMetallic = "texture-metallic",
        TextureEdge = "texture-edge",
        TextureAo = "texture-ao",
        TextureAlbedo = "texture-albedo",
        ImagePromptEditing = "image-prompt-editing",
        Unknown = "unknown",
        Img23d = "img23d",
        Txt23d = "txt23d",
        Video23d = "video23d",
        ThreeD23d = "3d23d",
        ThreeD23dTexture = "3d23d-texture",
        ThreeDTexture = "3d-texture",
        ThreeDTextureMtl = "3d-texture-mtl",
        ThreeDTextureAlbedo = "3d-texture-albedo",
        ThreeDTextureNormal = "3d-texture-normal",
        ThreeDTextureRoughness = "3d-texture-roughness",
        ThreeDTextureMetallic = "3d-texture-metallic",
        Img2video = "img2video",
        Txt2audio = "txt2audio",
        Audio2audio = "audio2audio",
        Audio2video = "audio2video",
        Video2audio = "video2audio",
        VoiceClone = "voice-clone",
        Video2video = "video2video",
        Video2img = "video2img",
        Txt2img = "txt2img",
        Img2img = "img2img",
        Txt2video = "txt2video",
        Uploaded = "uploaded",
        UploadedVideo = "uploaded-video",
        UploadedAudio = "uploaded-audio",
        Uploaded3d = "uploaded-3d",
        UploadedAvatar = "uploaded-avatar",
        UpscaleVideo = "upscale-video",
    }
}

open_enum! {
    /// Where an asset came from (`source`); close to [`AssetType`] but spelled differently.
    pub enum AssetSource {
        ThreeD23d = "3d23d",
        ThreeD23dTexture = "3d23d:texture",
        ThreeDTexture = "3d:texture",
        ThreeDTextureAlbedo = "3d:texture:albedo",
        ThreeDTextureMetallic = "3d:texture:metallic",
        ThreeDTextureMtl = "3d:texture:mtl",
        ThreeDTextureNormal = "3d:texture:normal",
        ThreeDTextureRoughness = "3d:texture:roughness",
        Audio2audio = "audio2audio",
        Audio2video = "audio2video",
        BackgroundRemoval = "background-removal",
        Canvas = "canvas",
        CanvasDrawing = "canvas-drawing",
        CanvasExport = "canvas-export",
        Detection = "detection",
        GenerativeFill = "generative-fill",
        ImagePromptEditing = "image-prompt-editing",
        Img23d = "img23d",
        Img2img = "img2img",
        Img2video = "img2video",
        InferenceControlNet = "inference-control-net",
        InferenceControlNetImg = "inference-control-net-img",
        InferenceControlNetInpainting = "inference-control-net-inpainting",
        InferenceControlNetInpaintingIpAdapter = "inference-control-net-inpainting-ip-adapter",
        InferenceControlNetIpAdapter = "inference-control-net-ip-adapter",
        InferenceControlNetReference = "inference-control-net-reference",
        InferenceControlNetTexture = "inference-control-net-texture",
        InferenceImg = "inference-img",
        InferenceImgIpAdapter = "inference-img-ip-adapter",
        InferenceImgTexture = "inference-img-texture",
        InferenceInPaint = "inference-in-paint",
        InferenceInPaintIpAdapter = "inference-in-paint-ip-adapter",
        InferenceReference = "inference-reference",
        InferenceReferenceTexture = "inference-reference-texture",
        InferenceTxt = "inference-txt",
        InferenceTxtIpAdapter = "inference-txt-ip-adapter",
        InferenceTxtTexture = "inference-txt-texture",
        Patch = "patch",
        Pixelization = "pixelization",
        Reframe = "reframe",
        Restyle = "restyle",
        Segment = "segment",
        SegmentationImage = "segmentation-image",
        SegmentationMask = "segmentation-mask",
        Skybox3d = "skybox-3d",
        SkyboxBase360 = "skybox-base-360",
        SkyboxHdri = "skybox-hdri",
        Texture = "texture",
        TextureAlbedo = "texture:albedo",
        TextureAo = "texture:ao",
        TextureEdge = "texture:edge",
        TextureHeight = "texture:height",
        TextureMetallic = "texture:metallic",
        TextureNormal = "texture:normal",
        TextureSmoothness = "texture:smoothness",
        Txt23d = "txt23d",
        Txt2audio = "txt2audio",
        Txt2img = "txt2img",
        Txt2video = "txt2video",
        Unknown = "unknown",
        Uploaded = "uploaded",
        Uploaded3d = "uploaded-3d",
        UploadedAudio = "uploaded-audio",
        UploadedAvatar = "uploaded-avatar",
        UploadedVideo = "uploaded-video",
        Upscale = "upscale",
        UpscaleSkybox = "upscale-skybox",
        UpscaleTexture = "upscale-texture",
        UpscaleVideo = "upscale-video",
        Vectorization = "vectorization",
        Video23d = "video23d",
        Video2audio = "video2audio",
        Video2img = "video2img",
        Video2video = "video2video",
        VoiceClone = "voice-clone",
    }
}

open_enum! {
    /// Who can see an asset.
    pub enum Privacy {
        Private = "private",
        Public = "public",
        Unlisted = "unlisted",
    }
}

open_enum! {
    /// Whether an asset is ready.
    pub enum AssetStatus {
        Error = "error",
        Pending = "pending",
        Success = "success",
    }
}

open_enum! {
    /// An edit the server offers for an asset (`editCapabilities`).
    pub enum EditCapability {
        Detection = "DETECTION",
        GenerativeFill = "GENERATIVE_FILL",
        Pixelate = "PIXELATE",
        PromptEditing = "PROMPT_EDITING",
        Refine = "REFINE",
        Reframe = "REFRAME",
        RemoveBackground = "REMOVE_BACKGROUND",
        Segmentation = "SEGMENTATION",
        Upscale = "UPSCALE",
        Upscale360 = "UPSCALE_360",
        Vectorization = "VECTORIZATION",
    }
}

open_enum! {
    /// The kind of generator that made an asset (`metadata.modelType`).
    pub enum ModelType {
        Custom = "custom",
        ElevenlabsVoice = "elevenlabs-voice",
        Flux1 = "flux.1",
        Flux1Composition = "flux.1-composition",
        Flux1KontextDev = "flux.1-kontext-dev",
        Flux1KontextLora = "flux.1-kontext-lora",
        Flux1KreaDev = "flux.1-krea-dev",
        Flux1KreaLora = "flux.1-krea-lora",
        Flux1Lora = "flux.1-lora",
        Flux1Pro = "flux.1-pro",
        Flux1_1ProUltra = "flux.1.1-pro-ultra",
        Flux2DevEditLora = "flux.2-dev-edit-lora",
        Flux2DevLora = "flux.2-dev-lora",
        Flux2Klein4bEditLora = "flux.2-klein-4b-edit-lora",
        Flux2Klein4bLora = "flux.2-klein-4b-lora",
        Flux2Klein9bEditLora = "flux.2-klein-9b-edit-lora",
        Flux2Klein9bLora = "flux.2-klein-9b-lora",
        Flux2KleinBase4bEditLora = "flux.2-klein-base-4b-edit-lora",
        Flux2KleinBase4bLora = "flux.2-klein-base-4b-lora",
        Flux2KleinBase9bEditLora = "flux.2-klein-base-9b-edit-lora",
        Flux2KleinBase9bLora = "flux.2-klein-base-9b-lora",
        Flux1_1Pro = "flux1.1-pro",
        GptImage1 = "gpt-image-1",
        QwenImage2512Lora = "qwen-image-2512-lora",
        QwenImageEdit2509Lora = "qwen-image-edit-2509-lora",
        QwenImageEdit2511Lora = "qwen-image-edit-2511-lora",
        QwenImageEditLora = "qwen-image-edit-lora",
        QwenImageLora = "qwen-image-lora",
        Sd1_5 = "sd-1_5",
        Sd1_5Composition = "sd-1_5-composition",
        Sd1_5Lora = "sd-1_5-lora",
        SdXl = "sd-xl",
        SdXlComposition = "sd-xl-composition",
        SdXlLora = "sd-xl-lora",
        ZimageDeTurboLora = "zimage-de-turbo-lora",
        ZimageLora = "zimage-lora",
        ZimageTurboLora = "zimage-turbo-lora",
    }
}
