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
// Asynchronous invocations (InvocationType Event, and in-process callers
// through InvokeEvent) go to Lambda's asynchronous queue, package esm's
// AsyncInvoker, which stores each event before Invoke answers 202 and
// retries function errors twice; event source mappings (package esm's
// Manager) serve the /2015-03-31/event-source-mappings API. Both run
// functions through the service's Invoker, which resolves aliases and
// reports reserved concurrency; both are connected after construction
// (SetAsync, SetMappings) because they need that Invoker.
//
// Differences from AWS: functions become Active synchronously (Create
// answers State Pending, as AWS does, and the next read says Active);
// LoggingConfig's LogGroup is honoured but LogFormat JSON and the log
// levels are only stored and reported (lines stay text); an alias invokes its version without weighted
// routing; layers, VPC, EFS, container images and code signing are not
// implemented.
package lambdaapi
