// Package iamapi implements localcloud's IAM: the IAM API as the AWS CLI and
// SDKs call it (awsQuery protocol: roles, trust policies, inline and managed
// policies with versions, attachments, tags, the policy simulator), the AWS
// managed policies serverless templates attach, and the in-process API other
// services use to enforce IAM:
//
//   - Authorize evaluates a caller's role policies together with a resource
//     policy (package iam/policy) and logs the deciding statement;
//   - AssumeRole mints role-session credentials for a service principal
//     (Lambda, API Gateway) after checking the role's trust policy;
//   - CredentialSource lets the SigV4 verifier accept those sessions.
//
// State (roles, customer managed policies, unexpired sessions) lives in the
// store and survives restarts.
package iamapi
