//! Outbound calls on the AWS backends (DynamoDB, SQS and S3 on moto), the consumers through
//! their Lambda adapter: the same cases as on the embedded default.

use crate::outbound::World;

crate::outbound_tests!(World::aws);
