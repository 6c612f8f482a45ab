//! Round-trip properties of baking, over generated real images and arbitrary payloads.

use proptest::prelude::*;

use super::{png, svg, unbake_any, Generation};

/// A real PNG of the given size, colour type and pixels.
fn make_png(w: u32, h: u32, color: ::png::ColorType, seed: u8) -> Vec<u8> {
    let channels = match color {
        ::png::ColorType::Grayscale => 1,
        ::png::ColorType::GrayscaleAlpha => 2,
        ::png::ColorType::Rgb => 3,
        _ => 4,
    };
    let mut out = Vec::new();
    {
        let mut enc = ::png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        let mut writer = enc.write_header().expect("header");
        let pixels: Vec<u8> = (0..(w * h * channels) as usize)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect();
        writer.write_image_data(&pixels).expect("pixels");
    }
    out
}

fn any_png() -> impl Strategy<Value = Vec<u8>> {
    (
        1u32..48,
        1u32..48,
        prop_oneof![
            Just(::png::ColorType::Grayscale),
            Just(::png::ColorType::GrayscaleAlpha),
            Just(::png::ColorType::Rgb),
            Just(::png::ColorType::Rgba),
        ],
        any::<u8>(),
    )
        .prop_map(|(w, h, c, seed)| make_png(w, h, c, seed))
}

fn any_svg() -> impl Strategy<Value = Vec<u8>> {
    (1u32..500, 1u32..500, any::<bool>(), any::<bool>(), "[a-zA-Z0-9 ]{0,40}").prop_map(|(w, h, decl, empty, title)| {
        let head = if decl { "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- badge -->\n" } else { "" };
        let body = if empty {
            format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\"/>")
        } else {
            format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\">\n  <title>{title}</title>\n  <rect width=\"{w}\" height=\"{h}\" fill=\"#000091\"/>\n</svg>\n"
            )
        };
        format!("{head}{body}").into_bytes()
    })
}

/// JWS-like, URL-like or JSON-like payloads, and arbitrary text.
fn any_payload() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9_-]{1,200}\\.[A-Za-z0-9_-]{1,400}\\.[A-Za-z0-9_-]{1,300}",
        "https://[a-z]{1,20}\\.test/assertions/[a-z0-9-]{1,36}(\\?a=1&b=2)?",
        "\\{\"id\":\"[a-z:/.0-9]{1,40}\",\"name\":\"[^\"\\\\\\x00-\\x1f]{0,100}\"\\}",
        "\\PC{1,300}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn png_unbake_of_bake_is_the_payload(image in any_png(), payload in any_payload(), generation in prop_oneof![Just(Generation::Ob2), Just(Generation::Ob3)]) {
        prop_assume!(!payload.trim().is_empty());
        let baked = png::bake(&image, generation, &payload).expect("bake");
        prop_assert_eq!(png::unbake(&baked, generation).expect("unbake"), payload.clone());
        // Baking again leaves exactly one chunk, and the image is the original once stripped.
        let again = png::bake(&baked, generation, &payload).expect("rebake");
        prop_assert_eq!(png::count_badges(&again, generation).expect("count"), 1);
        prop_assert_eq!(png::strip(&again).expect("strip"), image);
    }

    #[test]
    fn svg_unbake_of_bake_is_the_payload(image in any_svg(), payload in any_payload(), as_content in any::<bool>()) {
        // XML normalises white space in attributes and baked content is trimmed: the payloads
        // baked (JWS, URL, JSON) never start or end with white space or hold control characters.
        prop_assume!(!payload.is_empty() && payload.trim() == payload && !payload.chars().any(char::is_control));
        let (verify, content) = if as_content { (None, Some(payload.as_str())) } else { (Some(payload.as_str()), None) };
        let baked = svg::bake(&image, Generation::Ob2, verify, content).expect("bake");
        let found = svg::unbake(&baked, Generation::Ob2).expect("unbake");
        prop_assert_eq!(found.payload(), payload.clone());
        let again = svg::bake(&baked, Generation::Ob2, verify, content).expect("rebake");
        let text = String::from_utf8(again.clone()).expect("utf8");
        prop_assert_eq!(text.matches("<openbadges:assertion").count(), 1);
        prop_assert_eq!(unbake_any(&again).expect("unbake").len(), 1);
    }

    #[test]
    fn damaged_pngs_fail_cleanly(image in any_png(), cut in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>()) {
        let baked = png::bake(&image, Generation::Ob2, "a.b.c").expect("bake");
        // Truncated anywhere: an error, never a panic.
        let at = cut.index(baked.len());
        prop_assert!(png::unbake(&baked[..at], Generation::Ob2).is_err());
        // One flipped bit anywhere after the signature: an error or (in the payload of another
        // chunk, caught by its CRC) never a different payload.
        let mut damaged = baked.clone();
        let i = 8 + flip.index(damaged.len() - 8);
        damaged[i] ^= 0x10;
        if let Ok(p) = png::unbake(&damaged, Generation::Ob2) {
            prop_assert_eq!(p, "a.b.c");
        }
    }
}
