//! Baking and unbaking a 256×256 badge PNG of about 20 KiB, and an SVG badge.
//! Run with `cargo bench --bench bake`.

// A benchmark or a test fails loudly: unwrap, expect and panic say where.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use insigne::bake::{png, svg, Generation};

/// A 256×256 RGBA badge: smooth gradients with some grain, about 20 KiB once compressed, as
/// a typical exported badge image.
fn badge_png() -> Vec<u8> {
    let (w, h) = (256u32, 256u32);
    let mut seed = 0x2545_f491u32;
    let mut pixels = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let grain = if (x * 7 + y * 13) % 6 == 0 {
                (seed >> 29) as u8
            } else {
                0
            };
            let dx = x as i32 - 128;
            let dy = y as i32 - 128;
            let inside = dx * dx + dy * dy < 120 * 120;
            pixels.extend_from_slice(&[
                (x as u8) / 2 + grain,
                0x33 + (y as u8) / 3,
                0x91,
                if inside { 0xff } else { 0 },
            ]);
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = ::png::Encoder::new(&mut out, w, h);
        enc.set_color(::png::ColorType::Rgba);
        enc.set_compression(::png::Compression::Best);
        enc.set_adaptive_filter(::png::AdaptiveFilterType::Adaptive);
        let mut writer = enc.write_header().expect("header");
        writer.write_image_data(&pixels).expect("pixels");
    }
    out
}

/// A compact JWS of the size insigne signs (RS256 over an OB 2.0 Assertion).
fn jws() -> String {
    format!(
        "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0yMDI2MTEyOC0xMjM0NTY3OCJ9.{}.{}",
        "e".repeat(1100),
        "s".repeat(342)
    )
}

fn benches(c: &mut Criterion) {
    let image = badge_png();
    eprintln!("badge PNG: {} bytes", image.len());
    let payload = jws();
    let baked = png::bake(&image, Generation::Ob2, &payload).expect("bake");
    c.bench_function("png bake 256x256", |b| {
        b.iter(|| png::bake(black_box(&image), Generation::Ob2, black_box(&payload)).expect("bake"))
    });
    c.bench_function("png unbake 256x256", |b| {
        b.iter(|| png::unbake(black_box(&baked), Generation::Ob2).expect("unbake"))
    });

    let svg_image = br##"<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><circle cx="128" cy="128" r="120" fill="#000091"/><text x="128" y="140" text-anchor="middle" fill="#fff">e-CAP1</text></svg>"##;
    let baked_svg = svg::bake(svg_image, Generation::Ob2, Some(&payload), None).expect("bake");
    c.bench_function("svg bake", |b| {
        b.iter(|| {
            svg::bake(
                black_box(svg_image),
                Generation::Ob2,
                Some(black_box(&payload)),
                None,
            )
            .expect("bake")
        })
    });
    c.bench_function("svg unbake", |b| {
        b.iter(|| svg::unbake(black_box(&baked_svg), Generation::Ob2).expect("unbake"))
    });
}

criterion_group!(bake_benches, benches);
criterion_main!(bake_benches);
