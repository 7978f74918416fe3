// Package sts implements the AWS Security Token Service operations
// localcloud needs today: GetCallerIdentity (awsQuery protocol). AssumeRole
// and session credentials arrive with the IAM issue.
package sts
