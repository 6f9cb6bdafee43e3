//! Every image of an installation: rewritten through a registry mirror and given a pull
//! policy in one pass over the rendered pod templates (so no container, init containers
//! included, can be missed), and listed for `skyflo images`.

use k8s_openapi::api::core::v1::PodTemplateSpec;
use serde::Serialize;

use super::{Rendered, labels};
use crate::spec::{Scheduling, through_registry};

pub fn apply_policy(t: &mut PodTemplateSpec, s: &Scheduling) {
    let Some(pod) = t.spec.as_mut() else { return };
    let containers = pod
        .init_containers
        .iter_mut()
        .flatten()
        .chain(pod.containers.iter_mut());
    for c in containers {
        if let (Some(r), Some(image)) = (&s.image_registry, &c.image) {
            c.image = Some(through_registry(image, r));
        }
        if let Some(p) = &s.image_pull_policy {
            c.image_pull_policy = Some(p.clone());
        }
    }
}

/// One image and where it runs.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Use {
    pub image: String,
    /// `component/container`, e.g. `ui/proxy` or `engine/wait-for-postgres`.
    pub used_by: Vec<String>,
}

/// The distinct images of the rendered objects, in apply order.
pub fn list(objects: &[Rendered]) -> Vec<Use> {
    let mut out: Vec<Use> = Vec::new();
    for r in objects {
        let Some(t) = r.object.pod_template() else {
            continue;
        };
        let component = t
            .metadata
            .as_ref()
            .and_then(|m| m.labels.as_ref())
            .and_then(|l| l.get(labels::COMPONENT))
            .cloned()
            .unwrap_or_default();
        let pod = t.spec.as_ref();
        let containers = pod.into_iter().flat_map(|p| {
            p.init_containers
                .iter()
                .flatten()
                .chain(p.containers.iter())
        });
        for c in containers {
            let image = c.image.clone().unwrap_or_default();
            let by = format!("{component}/{}", c.name);
            match out.iter_mut().find(|u| u.image == image) {
                Some(u) => u.used_by.push(by),
                None => out.push(Use {
                    image,
                    used_by: vec![by],
                }),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::spec::through_registry;

    #[test]
    fn images_keep_their_path_under_the_mirror() {
        let r = "mirror.example.com:5000/skyflo";
        assert_eq!(
            through_registry("skyfloaiagent/ui:v0.7.0", r),
            "mirror.example.com:5000/skyflo/skyfloaiagent/ui:v0.7.0"
        );
        assert_eq!(
            through_registry("postgres:15.15-alpine", r),
            "mirror.example.com:5000/skyflo/library/postgres:15.15-alpine"
        );
        assert_eq!(
            through_registry("ghcr.io/skyflo-ai/engine@sha256:ab", r),
            "mirror.example.com:5000/skyflo/skyflo-ai/engine@sha256:ab"
        );
        assert_eq!(
            through_registry("localhost:5000/busybox:1.36", "m.io/"),
            "m.io/busybox:1.36"
        );
    }
}
