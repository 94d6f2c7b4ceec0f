//! The install flow's small HTML pages. Everything they echo is escaped.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};

/// HTML-escapes text for element content and double-quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page: a title and a paragraph, both escaped, and optional trusted markup after them.
pub(crate) fn page(status: StatusCode, title: &str, text: &str, extra: &str) -> Response<Bytes> {
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;max-width:36em;margin:4em auto\">\
         <h1>{title}</h1><p>{text}</p>{extra}</body></html>\n",
        title = escape(title),
        text = escape(text),
    );
    let mut response = Response::new(Bytes::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // The redirect's URL carries the code: no caching, no referrer.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src https:; style-src 'unsafe-inline'"),
    );
    response
}

/// The install page: an "Add to Slack" button linking to `authorize`.
pub(crate) fn install(authorize: &str) -> Response<Bytes> {
    let button = format!(
        "<p><a href=\"{}\"><img alt=\"Add to Slack\" height=\"40\" width=\"139\" \
         src=\"https://platform.slack-edge.com/img/add_to_slack.png\"></a></p>",
        escape(authorize)
    );
    page(StatusCode::OK, "Install the app", "Add the app to your Slack workspace.", &button)
}

/// The success page.
pub(crate) fn installed(team_name: Option<&str>) -> Response<Bytes> {
    let text = match team_name {
        Some(name) => format!("The app is installed in {name}. You can close this page."),
        None => "The app is installed. You can close this page.".to_owned(),
    };
    page(StatusCode::OK, "Installed", &text, "")
}

/// An error page with a link back to the install page.
pub(crate) fn failure(status: StatusCode, text: &str, install_path: &str) -> Response<Bytes> {
    let again = format!("<p><a href=\"{}\">Start again</a></p>", escape(install_path));
    page(status, "Installation failed", text, &again)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_text_is_escaped() {
        let response = installed(Some("<script>alert('x')</script> & co"));
        let body = std::str::from_utf8(response.body()).unwrap_or_default();
        assert!(!body.contains("<script>"), "{body}");
        assert!(body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
    }
}
