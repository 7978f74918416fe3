// Package runtime runs one Lambda execution environment: a native
// bootstrap process and the Lambda Runtime API (2018-06-01) it talks to.
//
// Each Instance serves the Runtime API on its own loopback listener, so
// AWS_LAMBDA_RUNTIME_API is a plain host:port exactly as on AWS. A path
// prefix or credential routed through one shared listener would also work
// for aws-lambda-go, but other runtime clients (Rust, C++, Java) build URLs
// from host:port alone, and a listener per instance makes it impossible for
// one environment to answer another's invocation. A listener costs one
// socket and one goroutine, far below the cost of the process it serves.
//
// The process starts with an environment built from scratch (nothing of
// localcloud's own leaks in, as on AWS), in its own process group so that
// timeouts and shutdown kill it and anything it spawned. Its stdout and
// stderr, one event per line, and the platform's INIT_START, START, END,
// REPORT, timeout and exit lines go to the function's log stream through
// a LogSink. Platform lines travel through the same pipe as the function's
// output, behind an unguessable marker, so END and REPORT always follow
// what the function printed before answering.
//
// Lambda's failure modes are reproduced with its wording: a handler error
// is the runtime's error document; a timeout answers Sandbox.Timedout
// ("Task timed out after 3.00 seconds") and kills the environment; a
// process that exits mid-invocation answers Runtime.ExitError with its
// exit status; a failed init phase (an /init/error post, an exit, an
// unrunnable bootstrap) is an InitError; a response over 6 MB is
// Function.ResponseSizeTooLarge.
//
// Time comes from an injected clock: invocation deadlines, the
// Lambda-Runtime-Deadline-Ms header and durations use it, so tests drive
// timeouts by advancing a manual clock.
package runtime
