//! The Scenario library description: families, variations, lineage,
//! models, authors and collections.

use image::RgbImage;

use crate::media::picture::Fmt;
use crate::paint::canvas::{pr, Params};
use crate::paint::desert::desert;
use crate::paint::fluid::fluid;
use crate::paint::forest::forest;
use crate::paint::landscape::landscape;
use crate::paint::neon_city::neon_city;
use crate::paint::pixel_art::pixel_art;
use crate::paint::planet::planet;
use crate::paint::portrait::portrait;
use crate::paint::skybox::skybox;
use crate::paint::stone::stone;
use crate::paint::underwater::underwater;

/// How a variation came to be.
#[derive(Clone, Copy)]
pub enum Op {
    /// A fresh generation of this type (the first output of its job).
    Gen(&'static str),
    /// Another output of the same job as variation `i`.
    Sibling(usize),
    /// Derived from variation `i` with this type.
    Derive(&'static str, usize),
    /// A 2x upscale of variation `i`: same scene, twice the resolution.
    Upscale(&'static str, usize),
    /// An uploaded reference (the name is its file name).
    Uploaded,
}

pub struct Var {
    pub op: Op,
    pub size: (u32, u32),
    pub fmt: Fmt,
    pub p: Params,
    pub name: Option<&'static str>,
    /// Appended to the family's prompt and caption ("" = the parent's).
    pub look: &'static str,
    pub tags: &'static [&'static str],
}

pub const fn v(
    op: Op,
    size: (u32, u32),
    fmt: Fmt,
    p: Params,
    name: Option<&'static str>,
    look: &'static str,
    tags: &'static [&'static str],
) -> Var {
    Var {
        op,
        size,
        fmt,
        p,
        name,
        look,
        tags,
    }
}

/// Upscales take their size and scene from the parent.
pub const UP: (u32, u32) = (0, 0);
pub const P0: Params = pr(0, 0, 0.0, 0.0, 0.0);

pub type Render = fn(u32, u32, &Params) -> RgbImage;

pub struct Family {
    pub key: &'static str,
    pub stem: &'static str,
    pub subject: &'static str,
    pub style: &'static str,
    pub negative: &'static str,
    pub caption: &'static str,
    pub tags: &'static [&'static str],
    pub model: usize,
    pub render: Render,
    pub vars: [Var; 6],
}

pub struct Model {
    pub label: &'static str,
    pub kind: &'static str,
    pub base: Option<usize>,
    pub guidance: f64,
    pub steps: u32,
    pub scheduler: Option<&'static str>,
}

pub const MODELS: [Model; 6] = [
    Model {
        label: "flux-dev",
        kind: "flux.1",
        base: None,
        guidance: 3.5,
        steps: 28,
        scheduler: Some("FlowMatchEulerDiscreteScheduler"),
    },
    Model {
        label: "alpine-env-lora",
        kind: "flux.1-lora",
        base: Some(0),
        guidance: 3.5,
        steps: 28,
        scheduler: Some("FlowMatchEulerDiscreteScheduler"),
    },
    Model {
        label: "sdxl-base",
        kind: "sd-xl",
        base: None,
        guidance: 7.0,
        steps: 30,
        scheduler: Some("EulerAncestralDiscreteScheduler"),
    },
    Model {
        label: "pixel-critters",
        kind: "sd-xl-lora",
        base: Some(2),
        guidance: 6.5,
        steps: 30,
        scheduler: Some("DPMSolverMultistepScheduler"),
    },
    Model {
        label: "stone-and-timber",
        kind: "sd-xl-lora",
        base: Some(2),
        guidance: 6.0,
        steps: 34,
        scheduler: Some("DPMSolverMultistepScheduler"),
    },
    Model {
        label: "flux-pro-ultra",
        kind: "flux.1.1-pro-ultra",
        base: None,
        guidance: 3.0,
        steps: 40,
        scheduler: None,
    },
];

pub const AUTHORS: [(&str, &str); 4] = [
    ("user-mira", "Mira Okafor"),
    ("user-jonah", "Jonah Reyes"),
    ("user-priya", "Priya Natarajan"),
    ("user-lukas", "Lukas Brandt"),
];

pub const COLLECTIONS: [&str; 5] = [
    "Hero shots",
    "Environment concepts",
    "Game jam kit",
    "Night moods",
    "Client review",
];

pub const G2I: &str = "inference-txt2img";
pub const I2I: &str = "inference-img2img";
pub const JPG: Fmt = Fmt::Jpeg;
pub const PNG: Fmt = Fmt::Png;
pub const WEBP: Fmt = Fmt::Webp;

pub fn families() -> Vec<Family> {
    vec![
        Family {
            key: "landscapes",
            stem: "landscape",
            subject: "majestic alpine mountain range, layered ridgelines receding into atmospheric haze, low sun glowing over misty valleys",
            style: "cinematic wide shot, volumetric light, ultra detailed, 35mm photograph",
            negative: "blurry, lowres, watermark, text, oversaturated, people, buildings",
            caption: "A layered range of mountain ridges fading into haze",
            tags: &["landscape", "mountains", "environment"],
            model: 1,
            render: landscape,
            vars: [
                v(Op::Gen(G2I), (1024, 576), JPG, pr(101, 1, 0.9, 0.0, 0.0), Some("Alpine dusk"), "at dusk with a low amber sun", &["hero", "approved", "sunset"]),
                v(Op::Derive(I2I, 0), (768, 432), JPG, pr(101, 2, 0.72, 4.0, 0.0), None, "in warm late-afternoon light", &["draft"]),
                v(Op::Derive(I2I, 0), (1024, 576), JPG, pr(101, 3, 1.0, -12.0, 0.0), Some("Violet hour"), "under a violet twilight sky", &["wip", "sunset"]),
                v(Op::Upscale("upscale", 1), UP, JPG, P0, Some("Late light (2x)"), "", &["approved"]),
                v(Op::Derive("restyle", 0), (1024, 576), JPG, pr(101, 5, 0.85, 10.0, 0.0), None, "repainted as a flat gouache poster", &["concept"]),
                v(Op::Uploaded, (1280, 720), JPG, pr(177, 6, 0.62, 0.0, 0.0), Some("ridge-reference-0412.jpg"), "photographed from a high pass on a hazy afternoon", &["reference"]),
            ],
        },
        Family {
            key: "planets",
            stem: "planet",
            subject: "colossal banded gas giant floating in deep space, swirling storm bands, thin blue atmosphere catching the light",
            style: "sci-fi concept art, sharp focus, dramatic rim lighting, starfield background, highly detailed",
            negative: "blurry, lowres, watermark, text, frame, cropped planet",
            caption: "A banded gas giant lit from the side against a starfield",
            tags: &["space", "planet", "sci-fi"],
            model: 0,
            render: planet,
            vars: [
                v(Op::Gen(G2I), (768, 768), JPG, pr(201, 1, 0.1, 0.0, 0.3), Some("Ochre giant"), "in warm ochre and rust tones", &["hero"]),
                v(Op::Sibling(0), (768, 768), JPG, pr(202, 2, 0.4, -15.0, 0.6), None, "with a large pale storm vortex", &["concept"]),
                v(Op::Derive(I2I, 0), (512, 512), JPG, pr(201, 3, 0.15, 10.0, 0.3), None, "with sharper storm bands", &["draft"]),
                v(Op::Upscale("upscale", 2), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Derive("inference-controlnet", 0), (768, 768), JPG, pr(201, 5, 0.3, -8.0, 0.5), Some("Depth pass giant"), "following the depth map of the original sphere", &["wip"]),
                v(Op::Gen(G2I), (512, 512), WEBP, pr(205, 6, 0.7, 18.0, 0.8), None, "in dusty rose and copper tones", &["concept"]),
            ],
        },
        Family {
            key: "textures",
            stem: "texture",
            subject: "seamless tileable cobblestone texture, rounded river stones set in dark mortar, top-down view",
            style: "PBR albedo, photoscanned, even diffuse lighting, 4k game texture",
            negative: "seams, perspective, cast shadows, blurry, text, watermark",
            caption: "A seamless top-down texture of rounded stones set in mortar",
            tags: &["texture", "stone", "seamless", "pbr"],
            model: 4,
            render: stone,
            vars: [
                v(Op::Gen("texture"), (512, 512), JPG, pr(301, 1, 0.0, 0.0, 0.35), Some("Riverstone"), "in warm grey and umber stones", &["approved"]),
                v(Op::Gen("inference-txt2img-texture"), (768, 768), JPG, pr(302, 2, 0.0, 8.0, 0.15), None, "with larger flat flagstones", &["draft"]),
                v(Op::Derive("inference-img2img-texture", 0), (512, 512), JPG, pr(301, 3, 0.0, -6.0, 0.35), None, "with crisper mortar lines", &["wip"]),
                v(Op::Upscale("upscale-texture", 2), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Gen("texture"), (512, 512), PNG, pr(305, 5, 0.0, 12.0, 0.7), Some("Sandstone setts"), "with small sun-bleached sandstone pebbles", &["concept"]),
                v(Op::Derive("inference-img2img-texture", 1), (768, 768), JPG, pr(302, 6, 0.0, -10.0, 0.15), None, "with darker, weathered mortar", &["wip"]),
            ],
        },
        Family {
            key: "skyboxes",
            stem: "skybox",
            subject: "360 degree equirectangular skybox, vast open sky with towering cumulus clouds over rolling green hills",
            style: "seamless panorama, HDR, physically based sky, soft sun, game environment",
            negative: "seams, distortion, text, watermark, people, buildings, lowres",
            caption: "An equirectangular panorama of a cloudy sky above distant hills",
            tags: &["skybox", "360", "sky", "environment"],
            model: 1,
            render: skybox,
            vars: [
                v(Op::Gen("skybox-base-360"), (1024, 512), JPG, pr(401, 1, 0.2, 0.0, 0.5), Some("Cumulus noon"), "at midday with fair-weather cumulus", &["hero"]),
                v(Op::Sibling(0), (1024, 512), JPG, pr(402, 2, 0.3, 0.0, 0.2), None, "with thicker cloud cover", &["draft"]),
                v(Op::Derive("skybox-base-360", 0), (768, 384), JPG, pr(401, 3, 0.45, -5.0, 0.5), None, "in the first warm light of the afternoon", &["wip"]),
                v(Op::Upscale("upscale-skybox", 2), UP, JPG, P0, Some("Afternoon dome (2x)"), "", &["approved"]),
                v(Op::Gen("skybox-base-360"), (1024, 512), JPG, pr(405, 5, 0.65, 8.0, 0.7), Some("Golden hour dome"), "at golden hour with scattered clouds", &["concept"]),
                v(Op::Gen("skybox-base-360"), (512, 256), WEBP, pr(406, 6, 0.25, -10.0, 0.9), None, "with sparse high clouds", &["draft"]),
            ],
        },
        Family {
            key: "portraits",
            stem: "portrait",
            subject: "head and shoulders silhouette of a person against a softly lit studio backdrop, strong rim light tracing the profile",
            style: "studio portrait photography, 85mm lens, shallow depth of field, moody, minimal",
            negative: "face details, text, watermark, extra limbs, deformed, blurry, lowres",
            caption: "A dark head-and-shoulders silhouette with a warm rim light against a teal backdrop",
            tags: &["portrait", "silhouette", "character"],
            model: 0,
            render: portrait,
            vars: [
                v(Op::Gen(G2I), (576, 1024), JPG, pr(501, 1, 0.3, 0.0, 0.0), Some("Rim-lit profile"), "with the light coming from the left", &["hero", "approved"]),
                v(Op::Derive(I2I, 0), (432, 768), JPG, pr(501, 2, 0.8, 6.0, 0.0), None, "with a warmer, softer key light", &["draft"]),
                v(Op::Derive("restyle", 0), (576, 1024), JPG, pr(501, 3, 0.3, -14.0, 0.0), None, "restyled as a flat duotone poster", &["concept"]),
                v(Op::Upscale("upscale", 1), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Gen(G2I), (576, 1024), JPG, pr(505, 5, 0.5, 10.0, 1.0), Some("Backlit figure"), "with the light coming from the right", &["wip"]),
                v(Op::Derive("inference-reference", 4), (576, 1024), JPG, pr(505, 6, 0.6, -8.0, 1.0), None, "matching the reference pose with a bluer backdrop", &["draft"]),
            ],
        },
        Family {
            key: "pixel-art",
            stem: "pixel",
            subject: "pixel art sprite of a cute little monster on a grassy ledge under a starry night sky and full moon",
            style: "16-bit retro game asset, crisp pixels, flat colors, limited palette",
            negative: "blurry, anti-aliasing, gradients, photorealistic, text, watermark",
            caption: "A chunky pixel-art creature standing on a grassy ledge under a dithered night sky",
            tags: &["pixel-art", "sprite", "retro", "game-asset"],
            model: 3,
            render: pixel_art,
            vars: [
                v(Op::Gen(G2I), (512, 512), PNG, pr(601, 1, 0.0, 0.0, 0.0), Some("Moss slime"), "in mossy greens", &["hero", "approved"]),
                v(Op::Derive(I2I, 0), (512, 512), PNG, pr(601, 2, 0.0, 0.0, 0.0), None, "with the clouds and coins moved around", &["draft"]),
                v(Op::Derive("pixelization", 0), (512, 512), PNG, pr(601, 1, 0.0, 0.0, 0.0), None, "re-pixelated on a coarser 32-pixel grid", &["wip"]),
                v(Op::Upscale("upscale", 1), UP, PNG, P0, None, "", &["approved"]),
                v(Op::Gen(G2I), (768, 768), PNG, pr(605, 5, 1.0, 0.0, 1.0), Some("Ember imp"), "in ember oranges", &["concept"]),
                v(Op::Gen(G2I), (256, 256), WEBP, pr(606, 6, 0.0, 0.0, 2.0), None, "in candy pinks", &["draft"]),
            ],
        },
        Family {
            key: "underwater",
            stem: "underwater",
            subject: "sunlit shallow lagoon underwater, shimmering caustics on the sandy seabed, god rays piercing turquoise water, rising bubbles, swaying seaweed",
            style: "underwater photography, wide angle, natural light, highly detailed",
            negative: "murky, blurry, lowres, text, watermark, divers, boats",
            caption: "A turquoise underwater scene with light rays, caustics on the sand and rising bubbles",
            tags: &["underwater", "ocean", "environment"],
            model: 0,
            render: underwater,
            vars: [
                v(Op::Gen(G2I), (1024, 576), JPG, pr(701, 1, 0.3, 0.0, 0.5), Some("Sunlit shallows"), "in the late morning", &["hero", "approved"]),
                v(Op::Derive(I2I, 0), (1024, 576), JPG, pr(701, 2, 0.5, -6.0, 0.5), None, "with stronger light rays", &["draft"]),
                v(Op::Derive(I2I, 0), (768, 432), JPG, pr(701, 3, 0.4, 8.0, 0.8), None, "with denser seaweed", &["wip"]),
                v(Op::Upscale("upscale", 2), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Derive("inference-controlnet", 0), (1024, 576), JPG, pr(701, 5, 0.35, -10.0, 0.4), Some("Lagoon depth pass"), "following the depth layout of the original frame", &["concept"]),
                v(Op::Gen(G2I), (1024, 576), JPG, pr(706, 6, 0.7, 5.0, 0.6), None, "deeper down, where the blue takes over", &["draft"]),
            ],
        },
        Family {
            key: "neon-city",
            stem: "neon",
            subject: "rain-soaked neon city street at night, towering apartment blocks with glowing windows, magenta and cyan neon signs reflected in wet asphalt",
            style: "cyberpunk, cinematic, anamorphic lens, volumetric haze, ultra detailed",
            negative: "daylight, blurry, lowres, text, watermark, people, cars",
            caption: "A neon-lit night street with tall buildings and reflections on wet asphalt",
            tags: &["city", "neon", "night", "cyberpunk"],
            model: 5,
            render: neon_city,
            vars: [
                v(Op::Gen(G2I), (576, 1024), JPG, pr(801, 1, 0.0, 0.0, 0.3), Some("Café \"Nébula\" — 夜"), "with a glowing café sign on the corner", &["hero"]),
                v(Op::Derive(I2I, 0), (432, 768), JPG, pr(801, 2, 0.0, 6.0, 0.7), None, "with more lit windows", &["draft"]),
                v(Op::Derive("restyle", 0), (576, 1024), JPG, pr(801, 3, 0.0, -10.0, 0.3), None, "restyled as a flat synthwave poster", &["concept"]),
                v(Op::Upscale("upscale", 1), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Gen(G2I), (576, 1024), JPG, pr(805, 5, 0.0, 12.0, 0.4), Some("Overpass glow"), "beneath a hazy overpass", &["wip"]),
                v(Op::Derive("inference-inpaint", 4), (576, 1024), JPG, pr(805, 6, 0.0, 8.0, 0.5), None, "with an extra vertical sign painted in", &["draft"]),
            ],
        },
        Family {
            key: "deserts",
            stem: "desert",
            subject: "endless sand dunes in a vast desert under a harsh sun, sharp crests with deep orange shadows, cloudless deep blue sky",
            style: "landscape photography, high contrast, wide angle, crisp detail",
            negative: "people, camels, vegetation, blurry, lowres, text, watermark, haze",
            caption: "Rolling orange sand dunes with sharp crests under a deep blue sky",
            tags: &["desert", "dunes", "landscape", "environment"],
            model: 1,
            render: desert,
            vars: [
                v(Op::Gen(G2I), (1024, 576), JPG, pr(901, 1, 0.2, 0.0, 0.5), Some("Erg at noon"), "at noon with the sun high in the sky", &["hero"]),
                v(Op::Derive(I2I, 0), (1024, 576), JPG, pr(901, 2, 0.7, 4.0, 0.5), None, "with longer, redder shadows", &["draft"]),
                v(Op::Derive(I2I, 0), (768, 432), JPG, pr(901, 3, 0.3, -4.0, 1.0), None, "with finer wind ripples", &["wip"]),
                v(Op::Upscale("upscale", 2), UP, JPG, P0, Some("Ripples (2x)"), "", &["approved"]),
                v(Op::Derive("restyle", 0), (1024, 576), JPG, pr(901, 5, 0.4, 8.0, 0.2), None, "restyled as a bold vector-style poster", &["concept"]),
                v(Op::Uploaded, (1200, 675), JPG, pr(977, 6, 0.5, -6.0, 0.6), Some("dune-scout-2025-04.jpg"), "photographed on a location scout", &["reference"]),
            ],
        },
        Family {
            key: "fluid-art",
            stem: "fluid",
            subject: "abstract fluid art, swirling marbled ink in vivid magenta and electric cyan, flowing liquid ribbons and soft gradients",
            style: "macro photography of paint, acrylic pour, high saturation, smooth, abstract wallpaper",
            negative: "text, watermark, frame, figurative, faces, lowres, jpeg artifacts",
            caption: "Swirling marbled ink in magenta and cyan with flowing ribbons",
            tags: &["abstract", "fluid", "wallpaper"],
            model: 5,
            render: fluid,
            vars: [
                v(Op::Gen(G2I), (768, 768), JPG, pr(1001, 1, 0.4, 0.0, 0.3), Some("Ink bloom"), "with a deep violet core", &["hero"]),
                v(Op::Derive(I2I, 0), (512, 512), JPG, pr(1001, 2, 0.5, 8.0, 0.5), None, "with tighter swirls", &["draft"]),
                v(Op::Derive(I2I, 0), (768, 768), JPG, pr(1001, 3, 0.9, -8.0, 0.3), None, "with more cyan highlights", &["wip"]),
                v(Op::Upscale("upscale", 1), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Derive("restyle", 0), (768, 768), JPG, pr(1001, 5, 0.5, 12.0, 0.3), Some("Hard-edged pour"), "restyled with hard-edged paint layers", &["concept"]),
                v(Op::Gen(G2I), (384, 384), WEBP, pr(1006, 6, 0.3, -12.0, 0.4), None, "with pale pink ribbons", &["draft"]),
            ],
        },
        Family {
            key: "forests",
            stem: "forest",
            subject: "misty pine forest at dawn, tall dark trunks fading into dense fog, soft light filtering through the green canopy, mossy forest floor",
            style: "moody landscape photography, atmospheric perspective, muted colors, 50mm, highly detailed",
            negative: "people, buildings, blurry, lowres, text, watermark, oversaturated",
            caption: "Tall dark tree trunks fading into green fog beneath a dense canopy",
            tags: &["forest", "trees", "fog", "environment"],
            model: 2,
            render: forest,
            vars: [
                v(Op::Gen(G2I), (576, 1024), JPG, pr(1101, 1, 0.2, 0.0, 0.5), Some("Fogbound pines"), "at dawn with soft diagonal light", &["hero", "approved"]),
                v(Op::Derive(I2I, 0), (576, 1024), JPG, pr(1101, 2, 0.3, 4.0, 0.9), None, "with thicker fog", &["draft"]),
                v(Op::Derive(I2I, 0), (432, 768), JPG, pr(1101, 3, 0.8, -4.0, 0.5), None, "with warmer light shafts", &["wip"]),
                v(Op::Upscale("upscale", 2), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Gen(G2I), (576, 1024), JPG, pr(1105, 5, 0.4, 6.0, 0.4), Some("Old growth"), "deeper in the old-growth stand", &["concept"]),
                v(Op::Uploaded, (720, 1280), JPG, pr(1177, 6, 0.5, -6.0, 0.7), Some("trail-fog-ref.jpg"), "photographed on a foggy trail", &["reference"]),
            ],
        },
    ]
}
