// Package deploy turns a CloudFormation template into a running stack the way a careful
// operator would by hand: upload the artifacts it needs under content-addressed S3 keys,
// create a change set (CREATE or UPDATE), wait for it, print it, ask before executing it
// (unless told not to), follow the stack events until the stack settles, and print the
// outputs. An empty change set is reported as "no changes" and deleted; a failed deploy
// names the failing resources and their reasons.
//
// The AWS calls go through the narrow [CloudFormationAPI] and [S3API] interfaces and all
// waiting goes through a [Clock], so the whole flow is unit-tested with mocks and without
// sleeping.
package deploy
