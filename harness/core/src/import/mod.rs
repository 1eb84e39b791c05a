//! `edgeconform import`: real CloudFront configurations in, the project's distribution YAML out.
pub mod error;
pub mod hcl_tree;
pub mod json;
pub mod tree;
pub mod yaml_tree;
