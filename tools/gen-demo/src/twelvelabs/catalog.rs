//! What the TwelveLabs demo library holds: seven families (mountains,
//! forest, city-night, desert, underwater, space, studio), each with
//! pictures, a video and sounds that share the family's words, so a text
//! search for "fog", "neon" or "bubbles" finds pictures, clips and sounds.

use image::RgbImage;

use crate::media::picture::Fmt;
use crate::paint::canvas::{pr, Params};
use crate::paint::desert::desert;
use crate::paint::fluid::fluid;
use crate::paint::forest::forest;
use crate::paint::landscape::landscape;
use crate::paint::neon_city::neon_city;
use crate::paint::planet::planet;
use crate::paint::portrait::portrait;
use crate::paint::underwater::underwater;

pub type Render = fn(u32, u32, &Params) -> RgbImage;

/// What moves over a video's still background.
#[derive(Clone, Copy, Debug)]
pub enum Motion {
    Eagle,
    Fireflies,
    Traffic,
    Sign,
    Caravan,
    Bubbles,
    Comet,
    Lamp,
}

/// What a sound is made of.
#[derive(Clone, Copy, Debug)]
pub enum Sound {
    WindBell,
    Birdsong,
    CityPad,
    DesertDrone,
    Bubbles,
    Sonar,
    SpacePad,
    Chords,
    Rain,
}

pub enum Media {
    Image {
        fmt: Fmt,
        size: (u32, u32),
        p: Params,
    },
    Video {
        secs: u32,
        p: Params,
        motion: Motion,
    },
    Audio {
        secs: u32,
        sound: Sound,
    },
}

pub struct Spec {
    pub family: &'static str,
    pub filename: &'static str,
    pub render: Render,
    pub media: Media,
    pub description: &'static str,
    /// One description per clip; the clips split the duration evenly.
    pub clips: &'static [&'static str],
    /// `user_metadata` as JSON ("" for none).
    pub meta: &'static str,
}

/// The waveform colour of a family's sounds.
pub fn tint(family: &str) -> [u8; 3] {
    match family {
        "mountains" => [250, 190, 120],
        "forest" => [150, 220, 140],
        "city-night" => [255, 80, 200],
        "desert" => [240, 200, 110],
        "underwater" => [90, 210, 230],
        "space" => [170, 150, 255],
        "studio" => [255, 170, 120],
        _ => [240, 240, 240],
    }
}

const JPG: Fmt = Fmt::Jpeg;
const PNG: Fmt = Fmt::Png;
const PIC: (u32, u32) = (384, 216);

const fn img(fmt: Fmt, size: (u32, u32), p: Params) -> Media {
    Media::Image { fmt, size, p }
}

const fn vid(secs: u32, p: Params, motion: Motion) -> Media {
    Media::Video { secs, p, motion }
}

const fn snd(secs: u32, sound: Sound) -> Media {
    Media::Audio { secs, sound }
}

#[rustfmt::skip]
pub fn catalog() -> Vec<Spec> {
    vec![
        // mountains
        Spec { family: "mountains", filename: "mountains-dawn.jpg", render: landscape, media: img(JPG, PIC, pr(2101, 1, 0.1, 0.0, 0.0)),
            description: "Alpine ridges at dawn, layered mountains fading into a pale haze", clips: &[],
            meta: r#"{"project": "alpine", "reviewed": true, "take": 1}"# },
        Spec { family: "mountains", filename: "mountains-dusk.jpg", render: landscape, media: img(JPG, PIC, pr(2102, 2, 0.9, 0.0, 0.0)),
            description: "Mountain ridges at dusk under a low amber sun, misty valleys", clips: &[],
            meta: r#"{"project": "alpine", "reviewed": false, "take": 2}"# },
        Spec { family: "mountains", filename: "mountains-eagle.mp4", render: landscape, media: vid(4, pr(2103, 3, 0.5, 0.0, 0.0), Motion::Eagle),
            description: "An eagle gliding over alpine ridges in the haze of a mountain morning",
            clips: &["an eagle enters over the far mountain ridge", "the eagle glides across the hazy valley"],
            meta: r#"{"project": "alpine", "reviewed": true, "take": 3, "camera": "static"}"# },
        Spec { family: "mountains", filename: "mountains-wind.wav", render: landscape, media: snd(3, Sound::WindBell),
            description: "Wind over the mountain ridges, then a distant cowbell from the valley",
            clips: &["gusts of wind over the ridge", "a distant cowbell rings in the valley"],
            meta: r#"{"project": "alpine", "reviewed": true, "loudness_lufs": -18.5}"# },
        // forest
        Spec { family: "forest", filename: "forest-fog.jpg", render: forest, media: img(JPG, PIC, pr(2201, 1, 0.2, 0.0, 0.5)),
            description: "Pine forest in morning fog, tall trunks in soft diagonal light", clips: &[],
            meta: r#"{"project": "woodland", "reviewed": true, "take": 1}"# },
        Spec { family: "forest", filename: "forest-old-growth.jpg", render: forest, media: img(JPG, PIC, pr(2202, 2, 0.4, 6.0, 0.4)),
            description: "Deep in an old-growth forest, fog between the mossy trunks", clips: &[],
            meta: r#"{"project": "woodland", "reviewed": false}"# },
        Spec { family: "forest", filename: "forest-fireflies.mp4", render: forest, media: vid(4, pr(2203, 3, 0.7, 0.0, 0.5), Motion::Fireflies),
            description: "Fireflies drifting between foggy forest trunks at dusk",
            clips: &["fireflies rise between the trunks", "fireflies drift and glow in the fog"],
            meta: r#"{"project": "woodland", "reviewed": true, "take": 2, "camera": "static"}"# },
        Spec { family: "forest", filename: "forest-birdsong.wav", render: forest, media: snd(3, Sound::Birdsong),
            description: "Birdsong in a quiet forest: bright chirps over a soft breeze",
            clips: &["a bird calls in short chirps", "two birds answer each other"],
            meta: r#"{"project": "woodland", "reviewed": true, "loudness_lufs": -20.0}"# },
        Spec { family: "forest", filename: "forest-rain.wav", render: forest, media: snd(3, Sound::Rain),
            description: "Rain falling on the forest canopy, steady drops on leaves", clips: &["rain on the canopy"],
            meta: r#"{"project": "woodland", "reviewed": false}"# },
        // city-night
        Spec { family: "city-night", filename: "city-night-street.jpg", render: neon_city, media: img(JPG, PIC, pr(2301, 1, 0.0, 0.0, 0.3)),
            description: "A neon city street at night, glowing signs over wet asphalt", clips: &[],
            meta: r#"{"project": "neon", "reviewed": true, "take": 1}"# },
        Spec { family: "city-night", filename: "city-night-overpass.jpg", render: neon_city, media: img(JPG, PIC, pr(2302, 2, 0.0, 12.0, 0.4)),
            description: "City at night beneath a hazy overpass, magenta and cyan neon", clips: &[],
            meta: r#"{"project": "neon", "reviewed": false, "take": 4}"# },
        Spec { family: "city-night", filename: "city-night-traffic.mp4", render: neon_city, media: vid(3, pr(2303, 3, 0.0, 0.0, 0.3), Motion::Traffic),
            description: "Night traffic in a neon city: headlights streak along the street",
            clips: &["a car's headlights cross from the left", "tail lights pass the other way under the neon"],
            meta: r#"{"project": "neon", "reviewed": true, "take": 2, "camera": "static"}"# },
        Spec { family: "city-night", filename: "city-night-sign.mp4", render: neon_city, media: vid(3, pr(2304, 4, 0.0, -20.0, 0.5), Motion::Sign),
            description: "A flickering neon sign on a city street at night",
            clips: &["the neon sign flickers on", "the sign buzzes and blinks"],
            meta: r#"{"project": "neon", "reviewed": false}"# },
        Spec { family: "city-night", filename: "city-night-synth.wav", render: neon_city, media: snd(3, Sound::CityPad),
            description: "A night city synth pad: slow minor chords over an electric hum",
            clips: &["a minor chord swells over the hum", "the pad moves to a brighter chord"],
            meta: r#"{"project": "neon", "reviewed": true, "bpm": 60}"# },
        // desert
        Spec { family: "desert", filename: "desert-noon.jpg", render: desert, media: img(JPG, PIC, pr(2401, 1, 0.2, 0.0, 0.5)),
            description: "Desert dunes at noon, rippled sand under a high sun", clips: &[],
            meta: r#"{"project": "dunes", "reviewed": true, "take": 1}"# },
        Spec { family: "desert", filename: "desert-evening.png", render: desert, media: img(PNG, (256, 144), pr(2402, 2, 0.8, 0.0, 0.6)),
            description: "Dunes in the evening, long shadows and warm wind-swept sand", clips: &[],
            meta: "" },
        Spec { family: "desert", filename: "desert-caravan.mp4", render: desert, media: vid(4, pr(2403, 3, 0.6, 0.0, 0.5), Motion::Caravan),
            description: "A camel caravan crossing the desert dunes in the evening",
            clips: &["the caravan appears on the dunes", "camels walk along the ridge of sand"],
            meta: r#"{"project": "dunes", "reviewed": true, "take": 5, "camera": "static"}"# },
        Spec { family: "desert", filename: "desert-wind.wav", render: desert, media: snd(3, Sound::DesertDrone),
            description: "Desert wind over the dunes with a low droning tone",
            clips: &["a low drone under the wind", "the wind rises over the dunes"],
            meta: r#"{"project": "dunes", "reviewed": false}"# },
        // underwater
        Spec { family: "underwater", filename: "underwater-shallows.jpg", render: underwater, media: img(JPG, PIC, pr(2501, 1, 0.3, 0.0, 0.5)),
            description: "Sunlit shallows underwater, kelp and bubbles rising to the surface", clips: &[],
            meta: r#"{"project": "reef", "reviewed": true, "take": 1}"# },
        Spec { family: "underwater", filename: "underwater-deep.jpg", render: underwater, media: img(JPG, PIC, pr(2502, 2, 0.8, 5.0, 0.6)),
            description: "Deeper underwater, where the blue takes over the kelp", clips: &[],
            meta: r#"{"project": "reef", "reviewed": false, "take": 2}"# },
        Spec { family: "underwater", filename: "underwater-bubbles.mp4", render: underwater, media: vid(4, pr(2503, 3, 0.4, 0.0, 0.5), Motion::Bubbles),
            description: "Bubbles rising through sunlit water over swaying kelp",
            clips: &["a stream of bubbles starts from the sand", "bubbles rise toward the surface"],
            meta: r#"{"project": "reef", "reviewed": true, "take": 3, "camera": "static"}"# },
        Spec { family: "underwater", filename: "underwater-bubbles.wav", render: underwater, media: snd(3, Sound::Bubbles),
            description: "Underwater bubbles popping over a deep rumble",
            clips: &["bubbles over a deep underwater rumble", "a burst of rising bubbles"],
            meta: r#"{"project": "reef", "reviewed": true, "loudness_lufs": -21.0}"# },
        Spec { family: "underwater", filename: "underwater-sonar.wav", render: underwater, media: snd(3, Sound::Sonar),
            description: "A sonar ping echoing through deep water",
            clips: &["a sonar ping", "the ping's echo returns from the deep"],
            meta: r#"{"project": "reef", "reviewed": false}"# },
        // space
        Spec { family: "space", filename: "space-giant.jpg", render: planet, media: img(JPG, PIC, pr(2601, 1, 0.1, 0.0, 0.3)),
            description: "A banded gas giant planet in space, storms over ochre bands and stars", clips: &[],
            meta: r#"{"project": "orbit", "reviewed": true, "take": 1}"# },
        Spec { family: "space", filename: "space-rose.jpg", render: planet, media: img(JPG, PIC, pr(2602, 2, 0.7, 18.0, 0.8)),
            description: "A dusty rose planet in deep space against a faint nebula", clips: &[],
            meta: r#"{"project": "orbit", "reviewed": false}"# },
        Spec { family: "space", filename: "space-comet.mp4", render: planet, media: vid(4, pr(2603, 3, 0.3, -15.0, 0.5), Motion::Comet),
            description: "A comet streaks across space past a gas giant planet and twinkling stars",
            clips: &["a comet enters the star field", "the comet streaks past the planet"],
            meta: r#"{"project": "orbit", "reviewed": true, "take": 2, "camera": "static"}"# },
        Spec { family: "space", filename: "space-drone.wav", render: planet, media: snd(3, Sound::SpacePad),
            description: "A slow space drone: detuned pad with a shimmering tremolo",
            clips: &["a dark drone fades in", "the space pad shimmers"],
            meta: "" },
        // studio
        Spec { family: "studio", filename: "studio-portrait.jpg", render: portrait, media: img(JPG, PIC, pr(2701, 1, 0.3, 0.0, 0.0)),
            description: "A rim-lit studio portrait silhouette against a teal backdrop", clips: &[],
            meta: r#"{"project": "studio", "reviewed": true, "take": 1, "model_release": true}"# },
        Spec { family: "studio", filename: "studio-backlit.jpg", render: portrait, media: img(JPG, PIC, pr(2702, 2, 0.6, 10.0, 1.0)),
            description: "A backlit figure in the studio, light from the right", clips: &[],
            meta: r#"{"project": "studio", "reviewed": false, "take": 2, "model_release": true}"# },
        Spec { family: "studio", filename: "studio-backdrop.jpg", render: fluid, media: img(JPG, PIC, pr(2703, 3, 0.4, 0.0, 0.3)),
            description: "An abstract studio backdrop of swirling violet ink", clips: &[],
            meta: r#"{"project": "studio", "reviewed": true}"# },
        Spec { family: "studio", filename: "studio-lamp.mp4", render: portrait, media: vid(3, pr(2704, 4, 0.3, 0.0, 0.0), Motion::Lamp),
            description: "A studio lamp swinging behind a rim-lit portrait silhouette",
            clips: &["the lamp swings to the right", "the lamp swings back behind the figure"],
            meta: r#"{"project": "studio", "reviewed": true, "take": 6, "camera": "static"}"# },
        Spec { family: "studio", filename: "studio-chords.wav", render: portrait, media: snd(3, Sound::Chords),
            description: "Piano chords recorded in the studio: C major, A minor, F major, G major",
            clips: &["a C major chord", "an A minor chord", "an F major chord", "a G major chord"],
            meta: r#"{"project": "studio", "reviewed": true, "bpm": 60, "key": "C major"}"# },
    ]
}
