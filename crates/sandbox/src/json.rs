//! JSON as the services write it: numbers the way Python prints them and
//! objects with their keys in order.

use serde_json::{json, Map, Value};

/// A JSON number as Python would print it: whole floats stay floats (`10.0`).
pub fn float(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// A number written the way the published examples write tier values (`5`, `100`).
pub fn whole_or_float(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        float(v)
    }
}

/// Rebuilds objects with their keys in order, whatever the JSON map type keeps.
pub fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted(v)))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
