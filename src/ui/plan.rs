//! Printing a plan: created, changed (with fields), unchanged and pruned objects.

use serde_json::{Value, json};

use super::Printer;
use crate::cluster::install::plan::{Action, Plan};

fn short(v: &Option<Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(other) => {
            let s = other.to_string();
            // Cut at a character boundary: a value may hold any UTF-8.
            match s.char_indices().nth(120) {
                Some((at, _)) => format!("{}…", &s[..at]),
                None => s,
            }
        }
    }
}

pub fn text(plan: &Plan, printer: &Printer) -> String {
    let mut out = String::new();
    for step in &plan.steps {
        let key = step.rendered.object.object_ref();
        match &step.action {
            Action::Create => out.push_str(&format!("  {} {key}\n", printer.green("+ create "))),
            Action::Update { changes } | Action::Replace { changes, .. } => {
                let (label, why) = match step.action {
                    Action::Replace { .. } => (
                        "~ replace",
                        " (a binding's roleRef cannot change in place: deleted, then created)",
                    ),
                    _ => ("~ change ", ""),
                };
                out.push_str(&format!("  {} {key}{why}\n", printer.yellow(label)));
                for c in changes {
                    out.push_str(&format!(
                        "      {}: {} → {}\n",
                        c.path,
                        short(&c.live),
                        short(&c.desired)
                    ));
                }
            }
            Action::Unchanged => {
                if printer.verbose {
                    out.push_str(&format!("  {} {key}\n", printer.dim("= same   ")));
                }
            }
        }
    }
    for key in &plan.prune {
        out.push_str(&format!("  {} {key}\n", printer.red("- prune  ")));
    }
    let (c, u, same, p) = plan.count();
    out.push_str(&format!(
        "Plan: {c} to create, {u} to change, {p} to prune, {same} unchanged.\n"
    ));
    out
}

pub fn json(plan: &Plan) -> Value {
    let steps: Vec<Value> = plan
        .steps
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(&s.action).unwrap_or_default();
            v["object"] = serde_json::to_value(s.rendered.object.object_ref()).unwrap_or_default();
            v
        })
        .collect();
    let (c, u, same, p) = plan.count();
    json!({
        "create": c, "change": u, "unchanged": same, "prune": p,
        "objects": steps,
        "pruned": plan.prune,
        "blocked": plan.blocked,
    })
}

#[cfg(test)]
mod tests {
    use super::short;
    use serde_json::json;

    #[test]
    fn long_values_are_cut_at_a_character_boundary() {
        let v = json!(["é".repeat(200)]);
        let s = short(&Some(v));
        assert!(s.ends_with('…'));
        assert_eq!(s.chars().count(), 121);
        let small = short(&Some(json!(["ü"])));
        assert_eq!(small, "[\"ü\"]");
    }
}
