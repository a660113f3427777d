//! Plain words of the domain that both the case model and the law table use. A leaf: the law
//! cites by them without depending on the case model.

use serde::{Deserialize, Serialize};

// How a document was served (送达方式). No doc comment: it would become the schema's description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMethod {
    /// 直接送达
    Direct,
    /// 留置送达
    LeftAtPremises,
    /// 邮寄送达
    Mail,
    /// 委托送达
    Entrusted,
}
