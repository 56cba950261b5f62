//! The set-up's QR code as SVG (the `qrcode` crate), rendered on the server so set-up works
//! without WebAssembly; inline in the page (the CSP allows no `data:` images).

use qrcode::{render::svg, QrCode};

/// An SVG of `otpauth_url`, or `None` if it does not fit in a QR code.
pub fn svg_of(otpauth_url: &str) -> Option<String> {
    let code = QrCode::new(otpauth_url.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_otpauth_url_becomes_an_svg() {
        let svg =
            super::svg_of("otpauth://totp/Badge:ada%40example.com?secret=GEZDGNBV&issuer=Badge")
                .unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}
