//! Accounts that AWS itself owns and tells customers to name in their policies. Granting one of
//! them the documented permission is setting up an AWS feature, not sharing with a stranger.

/// The Elastic Load Balancing account of each Region that opened before December 2021: access
/// logs of a load balancer in that Region are written by this account, and the AWS guide for
/// enabling them says to grant it `s3:PutObject` on the log bucket. Regions opened since use
/// the service principal `logdelivery.elasticloadbalancing.amazonaws.com` instead.
const ELB_LOG_DELIVERY: &[(&str, &str)] = &[
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-southeast-3", "589379963580"),
    ("ap-south-1", "718504428378"),
    ("ap-northeast-3", "383597477331"),
    ("ap-northeast-2", "600734575887"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-northeast-1", "582318560864"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-south-1", "635631232127"),
    ("eu-west-3", "009996457667"),
    ("eu-north-1", "897822967062"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-gov-west-1", "048591011584"),
    ("us-gov-east-1", "190560391635"),
    ("cn-north-1", "638102146993"),
    ("cn-northwest-1", "037604701340"),
];

/// The Region whose load balancers write access logs as `account`, if it is one of AWS's
/// log-delivery accounts.
pub fn elb_log_delivery_region(account: &str) -> Option<&'static str> {
    ELB_LOG_DELIVERY
        .iter()
        .find(|(_, id)| *id == account)
        .map(|(region, _)| *region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_delivery_accounts_are_known_by_region() {
        assert_eq!(elb_log_delivery_region("127311923021"), Some("us-east-1"));
        assert_eq!(elb_log_delivery_region("156460612806"), Some("eu-west-1"));
        assert_eq!(elb_log_delivery_region("444455556666"), None);
    }

    #[test]
    fn every_account_id_is_twelve_digits_and_listed_once() {
        let mut ids: Vec<&str> = ELB_LOG_DELIVERY.iter().map(|(_, id)| *id).collect();
        assert!(ids
            .iter()
            .all(|id| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())));
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ELB_LOG_DELIVERY.len());
    }
}
