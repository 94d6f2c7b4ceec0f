//! The path a request is routed by: the path inside the API, the same on every API Gateway
//! flavour, stage and domain, so that mounts never name a stage or a custom domain's base path.
//!
//! - Where the event names its route as a template (a REST API's `resourcePath`, an HTTP API's
//!   `routeKey` such as `ANY /{proxy+}`), the template filled with the path parameters is the
//!   path inside the API, exactly, whatever stage or base path the client's URL carried.
//! - An HTTP API's `$default` route has no template: its `rawPath` carries a named stage in
//!   front (`/prod/slack/events`), which is removed once.
//! - A REST API's `path` never carries the stage; ALB and Function URL paths are used as sent.

use lambda_http::RequestExt as _;
use lambda_http::aws_lambda_events::query_map::QueryMap;
use lambda_http::request::RequestContext;

/// The path to route `request` by, or `None` to keep the URI `lambda_http` built.
pub(super) fn mount_path(request: &lambda_http::Request) -> Option<String> {
    let raw = request.raw_http_path();
    if raw.is_empty() {
        return None;
    }
    let parameters = request.path_parameters_ref();
    let path = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(context)) => {
            routed(context.resource_path.as_deref(), parameters, raw).unwrap_or_else(|| raw.into())
        }
        Some(RequestContext::ApiGatewayV2(context)) => {
            let route = context.route_key.as_deref().and_then(|key| key.split_once(' '));
            routed(route.map(|(_, template)| template), parameters, raw)
                .unwrap_or_else(|| without_stage(raw, context.stage.as_deref()).into())
        }
        _ => raw.into(),
    };
    Some(path)
}

/// The route `template` filled with `parameters`, when the raw path ends with it (a custom
/// domain's base path or a stage may come before it). `None` when there is no template, a
/// parameter is missing, or the event's path does not end with the filled template.
fn routed(template: Option<&str>, parameters: Option<&QueryMap>, raw: &str) -> Option<String> {
    let template = template?;
    if !template.starts_with('/') {
        return None;
    }
    let mut path = String::with_capacity(raw.len());
    for segment in template.split('/').skip(1) {
        path.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let value = parameters?.first(name.strip_suffix('+').unwrap_or(name))?;
                // A greedy value never starts with `/` on API Gateway; sample generators write one.
                path.push_str(value.trim_start_matches('/'));
            }
            None if segment.contains(['{', '}']) => return None,
            None => path.push_str(segment),
        }
    }
    raw.ends_with(&path).then_some(path)
}

/// `raw` without a leading `/{stage}` segment, for a named (not `$default`) stage.
fn without_stage<'a>(raw: &'a str, stage: Option<&str>) -> &'a str {
    let Some(stage) = stage.filter(|s| !s.is_empty() && *s != "$default") else { return raw };
    match raw.strip_prefix('/').and_then(|rest| rest.strip_prefix(stage)) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => raw,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parameters(pairs: &[(&str, &str)]) -> QueryMap {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        QueryMap::from(map)
    }

    #[test]
    fn a_filled_template_is_the_path_inside_the_api() {
        let proxy = parameters(&[("proxy", "slack/events")]);
        let route = |raw| routed(Some("/{proxy+}"), Some(&proxy), raw);
        assert_eq!(route("/slack/events").as_deref(), Some("/slack/events"));
        assert_eq!(route("/bot/slack/events").as_deref(), Some("/slack/events"));
        assert_eq!(route("/prod/slack/events").as_deref(), Some("/slack/events"));
        assert_eq!(route("/elsewhere"), None);
        let two = parameters(&[("team", "T1"), ("proxy", "/a/b")]);
        assert_eq!(
            routed(Some("/t/{team}/{proxy+}"), Some(&two), "/base/t/T1/a/b").as_deref(),
            Some("/t/T1/a/b")
        );
        assert_eq!(
            routed(Some("/slack/events"), None, "/slack/events").as_deref(),
            Some("/slack/events")
        );
    }

    #[test]
    fn a_template_that_cannot_be_filled_gives_nothing() {
        assert_eq!(routed(None, None, "/x"), None);
        assert_eq!(routed(Some("/{proxy+}"), None, "/x"), None);
        assert_eq!(routed(Some("/{proxy+}"), Some(&parameters(&[("id", "1")])), "/x"), None);
        assert_eq!(routed(Some("/file-{id}"), Some(&parameters(&[("id", "1")])), "/file-1"), None);
        assert_eq!(routed(Some("$default"), None, "/x"), None);
    }

    #[test]
    fn a_named_stage_is_removed_once() {
        assert_eq!(without_stage("/prod/slack/events", Some("prod")), "/slack/events");
        assert_eq!(without_stage("/prod/prod/x", Some("prod")), "/prod/x");
        assert_eq!(without_stage("/prod", Some("prod")), "/");
        assert_eq!(without_stage("/production/x", Some("prod")), "/production/x");
        assert_eq!(without_stage("/slack/events", Some("$default")), "/slack/events");
        assert_eq!(without_stage("/$default/x", Some("$default")), "/$default/x");
        assert_eq!(without_stage("/slack/events", None), "/slack/events");
    }
}
