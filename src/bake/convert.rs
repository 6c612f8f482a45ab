//! A badge class has one image, PNG or SVG, but every award is offered in both: a PNG image is
//! wrapped in an SVG (the pixels embedded as they are), an SVG is rendered to PNG with resvg.

use base64::Engine;

use super::BakeError;

/// The side of a PNG rendered from an SVG, in pixels (the longer side).
pub const RENDER_SIZE: u32 = 512;

/// An SVG document that shows `png` at its own size.
pub fn svg_wrapping_png(png: &[u8]) -> Result<Vec<u8>, BakeError> {
    let decoder = ::png::Decoder::new(std::io::Cursor::new(png));
    let reader = decoder
        .read_info()
        .map_err(|e| BakeError::MalformedPng(e.to_string()))?;
    let (w, h) = (reader.info().width, reader.info().height);
    let data = base64::engine::general_purpose::STANDARD.encode(png);
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
         width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\"><image width=\"{w}\" height=\"{h}\" \
         xlink:href=\"data:image/png;base64,{data}\"/></svg>"
    )
    .into_bytes())
}

/// `svg` rendered to a PNG whose longer side is `RENDER_SIZE` pixels.
pub fn png_from_svg(svg: &[u8]) -> Result<Vec<u8>, BakeError> {
    let mut options = resvg::usvg::Options {
        // Only images embedded as data URIs are drawn: never read a file the SVG names.
        image_href_resolver: resvg::usvg::ImageHrefResolver {
            resolve_data: resvg::usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..Default::default()
    };
    options.fontdb_mut().load_system_fonts();
    let tree = resvg::usvg::Tree::from_data(svg, &options)
        .map_err(|e| BakeError::MalformedSvg(e.to_string()))?;
    let size = tree.size();
    let scale = RENDER_SIZE as f32 / size.width().max(size.height());
    let w = (size.width() * scale).round().max(1.0) as u32;
    let h = (size.height() * scale).round().max(1.0) as u32;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| BakeError::MalformedSvg("the SVG has no drawable size".into()))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| BakeError::MalformedPng(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_svg_renders_to_a_png_and_a_png_wraps_into_an_svg() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32"><rect width="64" height="32" fill="#000091"/></svg>"##;
        let png = png_from_svg(svg).expect("render");
        let reader = ::png::Decoder::new(std::io::Cursor::new(&png))
            .read_info()
            .expect("png");
        assert_eq!((reader.info().width, reader.info().height), (512, 256));
        let wrapped = svg_wrapping_png(&png).expect("wrap");
        let text = String::from_utf8(wrapped).expect("utf8");
        assert!(text.starts_with("<svg ") && text.contains("width=\"512\" height=\"256\""));
    }

    #[test]
    fn files_named_by_an_svg_are_never_read() {
        // A red PNG on disk, named by absolute path: drawn, it would turn the render red.
        let dir = tempfile::tempdir().expect("tempdir");
        let red_path = dir.path().join("red.png");
        let mut red = Vec::new();
        {
            let mut enc = ::png::Encoder::new(&mut red, 8, 8);
            enc.set_color(::png::ColorType::Rgba);
            let mut w = enc.write_header().expect("header");
            w.write_image_data(&[0xff, 0, 0, 0xff].repeat(64))
                .expect("pixels");
        }
        std::fs::write(&red_path, &red).expect("write");
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="8" height="8"><image width="8" height="8" xlink:href="{}"/></svg>"#,
            red_path.display()
        );
        let png = png_from_svg(svg.as_bytes()).expect("render");
        let mut reader = ::png::Decoder::new(std::io::Cursor::new(&png))
            .read_info()
            .expect("png");
        let mut pixels = vec![0; reader.output_buffer_size()];
        reader.next_frame(&mut pixels).expect("frame");
        assert!(pixels.iter().all(|b| *b == 0), "the file was drawn");

        // The same image as a data URI is drawn.
        let inline = svg.replace(
            &red_path.display().to_string(),
            &format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(&red)
            ),
        );
        let png = png_from_svg(inline.as_bytes()).expect("render");
        let mut reader = ::png::Decoder::new(std::io::Cursor::new(&png))
            .read_info()
            .expect("png");
        let mut pixels = vec![0; reader.output_buffer_size()];
        reader.next_frame(&mut pixels).expect("frame");
        assert_eq!(&pixels[..4], &[0xff, 0, 0, 0xff]);
    }
}
