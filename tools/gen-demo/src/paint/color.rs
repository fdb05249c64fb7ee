//! Colour helpers: RGB triples in 0..1 and the few operations the scenes use.

/// Linear-ish RGB in 0..1 (we work directly on sRGB values).
pub type Col = [f32; 3];

pub fn hex(c: u32) -> Col {
    [
        ((c >> 16) & 255) as f32 / 255.0,
        ((c >> 8) & 255) as f32 / 255.0,
        (c & 255) as f32 / 255.0,
    ]
}

pub fn mix(a: Col, b: Col, t: f32) -> Col {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

pub fn add(a: Col, b: Col) -> Col {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

pub fn scale(a: Col, s: f32) -> Col {
    [a[0] * s, a[1] * s, a[2] * s]
}

/// Rotates a colour's hue by `deg` degrees around the grey axis.
pub fn hue_rot(c: Col, deg: f32) -> Col {
    if deg == 0.0 {
        return c;
    }
    let (s, co) = deg.to_radians().sin_cos();
    let k = 1.0 / 3f32.sqrt();
    let t = (1.0 - co) / 3.0;
    let m = [
        [co + t, t - k * s, t + k * s],
        [t + k * s, co + t, t - k * s],
        [t - k * s, t + k * s, co + t],
    ];
    [
        m[0][0] * c[0] + m[0][1] * c[1] + m[0][2] * c[2],
        m[1][0] * c[0] + m[1][1] * c[1] + m[1][2] * c[2],
        m[2][0] * c[0] + m[2][1] * c[1] + m[2][2] * c[2],
    ]
}

pub fn smooth(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

pub fn to_u8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}
