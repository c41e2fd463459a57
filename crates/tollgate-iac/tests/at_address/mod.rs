//! `at!(list, "address")`: the resource of a model list at a Terraform or CloudFormation
//! address. A macro rather than a function because the model's resource types share a `meta`
//! field but no trait.

macro_rules! at {
    ($list:expr, $address:expr) => {
        $list
            .iter()
            .find(|r| r.meta.address == $address)
            .unwrap_or_else(|| panic!("no resource at `{}`", $address))
    };
}
