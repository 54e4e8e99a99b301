//! Stripe's form encoding: `a[b][0][c]=v` pairs into nested JSON.
//!
//! Stripe SDKs send every request body as `application/x-www-form-urlencoded`
//! with bracketed keys for nesting and numeric segments for list items. Values
//! stay strings, as Stripe receives them; handlers convert what they model.

use serde_json::{Map, Value};

/// Parses a form body into a JSON object. Later duplicates of a scalar key win;
/// `key[]=a&key[]=b` appends.
pub fn parse(body: &[u8]) -> Value {
    let mut root = Value::Object(Map::new());
    for (key, value) in form_urlencoded::parse(body) {
        let path = split_key(&key);
        insert(&mut root, &path, value.into_owned());
    }
    normalise_lists(&mut root);
    root
}

fn split_key(key: &str) -> Vec<String> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    let mut parts = vec![head.to_owned()];
    while let Some(stripped) = rest.strip_prefix('[') {
        match stripped.find(']') {
            Some(end) => {
                parts.push(stripped[..end].to_owned());
                rest = &stripped[end + 1..];
            }
            None => {
                // An unclosed bracket is taken literally, as a lenient server would.
                if let Some(last) = parts.last_mut() {
                    last.push('[');
                    last.push_str(stripped);
                }
                break;
            }
        }
    }
    parts
}

fn insert(node: &mut Value, path: &[String], value: String) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let Value::Object(map) = node else { return };
    let key = if first.is_empty() {
        // `key[]`: append under the next free index.
        map.len().to_string()
    } else {
        first.clone()
    };
    if rest.is_empty() {
        map.insert(key, Value::String(value));
    } else {
        let child = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
        if !child.is_object() {
            *child = Value::Object(Map::new());
        }
        insert(child, rest, value);
    }
}

/// Objects whose keys are all indices become arrays, ordered by index.
fn normalise_lists(node: &mut Value) {
    match node {
        Value::Object(map) => {
            for child in map.values_mut() {
                normalise_lists(child);
            }
            let all_indices = !map.is_empty() && map.keys().all(|k| k.parse::<usize>().is_ok());
            if all_indices {
                let mut items: Vec<(usize, Value)> = std::mem::take(map)
                    .into_iter()
                    .filter_map(|(k, v)| k.parse().ok().map(|i| (i, v)))
                    .collect();
                items.sort_by_key(|(i, _)| *i);
                *node = Value::Array(items.into_iter().map(|(_, v)| v).collect());
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise_lists),
        _ => {}
    }
}

/// Encodes flat or nested JSON as Stripe form pairs (used by the stand-ins
/// that call the Stripe API, as a Stripe SDK would).
pub fn encode(value: &Value) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    fn walk(out: &mut form_urlencoded::Serializer<'_, String>, prefix: &str, value: &Value) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}[{k}]")
                    };
                    walk(out, &key, v);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(out, &format!("{prefix}[{i}]"), v);
                }
            }
            Value::String(s) => {
                out.append_pair(prefix, s);
            }
            Value::Null => {
                out.append_pair(prefix, "");
            }
            other => {
                out.append_pair(prefix, &other.to_string());
            }
        }
    }
    walk(&mut out, "", value);
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_brackets_become_objects_and_lists() {
        let body = b"mode=payment&line_items[0][price]=price_1&line_items[0][quantity]=500\
&line_items[1][price_data][currency]=eur&line_items[1][price_data][unit_amount]=2500\
&metadata[user_id]=user_1&payment_method_types[]=card&expand[]=line_items&success_url=https%3A%2F%2Fx.test%2F%3Fa%3D1";
        let v = parse(body);
        assert_eq!(
            v,
            json!({
                "mode": "payment",
                "line_items": [
                    {"price": "price_1", "quantity": "500"},
                    {"price_data": {"currency": "eur", "unit_amount": "2500"}}
                ],
                "metadata": {"user_id": "user_1"},
                "payment_method_types": ["card"],
                "expand": ["line_items"],
                "success_url": "https://x.test/?a=1"
            })
        );
    }

    #[test]
    fn encode_round_trips() {
        let v = json!({"a": "1", "m": {"k": "v w"}, "l": [{"p": "x"}]});
        assert_eq!(parse(encode(&v).as_bytes()), v);
    }

    #[test]
    fn odd_keys_do_not_panic() {
        let v = parse(b"a[=1&[]=2&b]]=3&c[x][=4&=5");
        assert!(v.is_object());
    }
}
