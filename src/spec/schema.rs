//! The field names valid at each place in a SkyfloAI file, for "did you mean" suggestions.
//!
//! The lists are read from the serde implementations themselves (a probe deserializer records
//! the `fields` that `deserialize_struct` is called with), so they cannot drift from the types.

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use serde::de::{self, DeserializeOwned, Visitor};

use super::diag::Seg;
use super::raw;

/// Known field names of the object at `parent`, or `None` where the place is a free-form map.
pub fn known_fields(parent: &[Seg]) -> Option<&'static [&'static str]> {
    let keys: Vec<&str> = parent
        .iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .collect();
    let in_node_affinity = keys.contains(&"nodeAffinity");
    let probe = match keys.as_slice() {
        [] => fields_of::<raw::RawSkyfloAI>,
        ["metadata"] => fields_of::<raw::RawMetadata>,
        ["spec"] => fields_of::<raw::RawSpec>,
        ["spec", "ui"] => fields_of::<raw::RawUi>,
        ["spec", "engine"] => fields_of::<raw::RawEngine>,
        ["spec", "mcp"] => fields_of::<raw::RawMcp>,
        ["spec", "networkPolicy"] => fields_of::<raw::RawNetworkPolicy>,
        ["spec", "topologySpread"] => fields_of::<raw::RawTopologySpread>,
        ["spec", "ui", "proxy"] => fields_of::<raw::RawProxy>,
        ["spec", "ui", "ingress"] => fields_of::<raw::RawIngress>,
        ["spec", _, "service"] => fields_of::<raw::RawService>,
        ["spec", "engine", "databaseConfig"] => fields_of::<raw::RawDatabase>,
        ["spec", "engine", "redisConfig"] => fields_of::<raw::RawRedis>,
        ["spec", "engine", "llm"] => fields_of::<raw::RawLlm>,
        ["spec", "tolerations"] => fields_of::<core::Toleration>,
        ["spec", "imagePullSecrets"] => fields_of::<core::LocalObjectReference>,
        [.., "resources"] => fields_of::<core::ResourceRequirements>,
        [.., "env"] => fields_of::<core::EnvVar>,
        [.., "valueFrom"] => fields_of::<core::EnvVarSource>,
        [.., "secretKeyRef"] => fields_of::<core::SecretKeySelector>,
        [.., "configMapKeyRef"] => fields_of::<core::ConfigMapKeySelector>,
        [.., "fieldRef"] => fields_of::<core::ObjectFieldSelector>,
        [.., "resourceFieldRef"] => fields_of::<core::ResourceFieldSelector>,
        ["spec", "affinity"] => fields_of::<core::Affinity>,
        [.., "nodeAffinity"] => fields_of::<core::NodeAffinity>,
        [.., "podAffinity"] => fields_of::<core::PodAffinity>,
        [.., "podAntiAffinity"] => fields_of::<core::PodAntiAffinity>,
        [.., "nodeSelectorTerms"] => fields_of::<core::NodeSelectorTerm>,
        [.., "preference"] => fields_of::<core::NodeSelectorTerm>,
        [.., "requiredDuringSchedulingIgnoredDuringExecution"] if in_node_affinity => {
            fields_of::<core::NodeSelector>
        }
        [.., "requiredDuringSchedulingIgnoredDuringExecution"] => {
            fields_of::<core::PodAffinityTerm>
        }
        [.., "preferredDuringSchedulingIgnoredDuringExecution"] if in_node_affinity => {
            fields_of::<core::PreferredSchedulingTerm>
        }
        [.., "preferredDuringSchedulingIgnoredDuringExecution"] => {
            fields_of::<core::WeightedPodAffinityTerm>
        }
        [.., "podAffinityTerm"] => fields_of::<core::PodAffinityTerm>,
        [.., "matchExpressions"] | [.., "matchFields"] if in_node_affinity => {
            fields_of::<core::NodeSelectorRequirement>
        }
        [.., "labelSelector"] | [.., "namespaceSelector"] => fields_of::<meta::LabelSelector>,
        [.., "matchExpressions"] => fields_of::<meta::LabelSelectorRequirement>,
        _ => return None,
    };
    probe()
}

/// The field names `T`'s derived or generated `Deserialize` declares.
fn fields_of<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    let mut found = None;
    let _ = T::deserialize(Probe(&mut found));
    found
}

struct Probe<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("probe"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(de::Error::custom("probe"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_and_kubernetes_types_are_probed() {
        let engine = known_fields(&[Seg::Key("spec".into()), Seg::Key("engine".into())]).unwrap();
        assert!(engine.contains(&"databaseConfig"));
        let tol = known_fields(&[
            Seg::Key("spec".into()),
            Seg::Key("tolerations".into()),
            Seg::Index(0),
        ])
        .unwrap();
        assert!(tol.contains(&"operator"));
        assert!(
            known_fields(&[Seg::Key("spec".into()), Seg::Key("nodeSelector".into())]).is_none()
        );
    }
}
