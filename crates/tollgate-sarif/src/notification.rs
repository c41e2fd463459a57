//! Notifications about the run itself as SARIF `toolExecutionNotifications`.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_sarif::sarif::{
    Message, Notification as SarifNotification, PropertyBag, ReportingDescriptorReference,
};
use tollgate_core::Notification;

use crate::result::location;

pub fn notification(n: &Notification) -> SarifNotification {
    let mut out = SarifNotification::builder()
        .message(Message::builder().text(n.message.clone()).build())
        .level(Value::String(n.level.as_str().to_string()))
        .descriptor(
            ReportingDescriptorReference::builder()
                .id(n.id.clone())
                .build(),
        )
        .build();
    if let Some(loc) = &n.location {
        out.locations = Some(vec![location(loc)]);
    }
    if let Some(stage) = &n.stage {
        let mut props = BTreeMap::new();
        props.insert("tollgate/stage".to_string(), Value::String(stage.clone()));
        out.properties = Some(PropertyBag::builder().additional_properties(props).build());
    }
    out
}
