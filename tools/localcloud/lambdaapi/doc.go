// Package lambdaapi is localcloud's Lambda service: the Lambda REST API
// (2015-03-31, restJson1) as aws-sdk-go-v2 and the AWS CLI call it, on top
// of the execution engine in package pool.
//
// Functions, their published versions, aliases, resource policies, tags
// and reserved concurrency live in the store; each deployment package is
// kept in the data directory under lambda/zips/ by its SHA-256, so a
// restart redeploys every function exactly as it was acknowledged.
//
// Each function runs with session credentials of its execution role,
// minted by IAM (RoleCredentials implements pool.CredentialsProvider), and
// reaches localcloud back through AWS_ENDPOINT_URL. Invoke checks
// lambda:InvokeFunction against the caller's policies and the function's
// resource policy, so a function or an integration role without the right
// permission gets Lambda's AccessDeniedException.
//
// Asynchronous invocations (InvocationType Event, and SNS deliveries
// through InvokeEvent) are stored before they are acknowledged, run in the
// background and retried twice on function errors with the delays Lambda
// documents, driven by the injected clock; pending ones resume after a
// restart.
//
// Event source mapping requests are validated here and delegated to a
// Mappings implementation (package esm's manager) when one is configured.
//
// Differences from AWS: functions become Active synchronously (Create
// answers State Pending, as AWS does, and the next read says Active); the
// LoggingConfig is stored and reported but function logs always go to
// /aws/lambda/<name>; an alias invokes its version without weighted
// routing; layers, VPC, EFS, container images and code signing are not
// implemented.
package lambdaapi
