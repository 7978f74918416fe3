package lambdaapi

import (
	"context"
	"regexp"
	"strconv"
	"strings"
)

var (
	nameRE      = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	qualifierRE = regexp.MustCompile(`^(\$LATEST|[a-zA-Z0-9_-]+)$`)
	aliasRE     = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	versionRE   = regexp.MustCompile(`^[0-9]+$`)
	roleRE      = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	statementRE = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
)

// resolve turns a function name, partial ARN or full ARN (each optionally
// with ":qualifier") and a separate qualifier into the function's name and
// the one qualifier, with Lambda's errors.
func (s *Service) resolve(ref, qualifier string) (name, qual string, err error) {
	if ref == "" {
		return "", "", errValidation(ref, "functionName", "Member must have length greater than or equal to 1")
	}
	parts := strings.Split(ref, ":")
	var fromName string
	switch {
	case strings.HasPrefix(ref, "arn:"):
		// arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
		if len(parts) < 7 || len(parts) > 8 || parts[2] != "lambda" || parts[5] != "function" {
			return "", "", errInvalidParameter("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", ref)
		}
		if parts[3] != s.cfg.Region || parts[4] != s.cfg.Account {
			return "", "", errFunctionNotFound(ref)
		}
		name = parts[6]
		if len(parts) == 8 {
			fromName = parts[7]
		}
	case len(parts) >= 3 && parts[1] == "function":
		// ACCOUNT:function:NAME[:QUALIFIER]
		if parts[0] != s.cfg.Account {
			return "", "", errFunctionNotFound(ref)
		}
		name = parts[2]
		if len(parts) == 4 {
			fromName = parts[3]
		}
	case len(parts) == 2:
		name, fromName = parts[0], parts[1]
	case len(parts) == 1:
		name = ref
	default:
		return "", "", errValidation(ref, "functionName", "Member must satisfy regular expression pattern")
	}
	if !nameRE.MatchString(name) || len(name) > 64 {
		return "", "", errValidation(ref, "functionName", "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?")
	}
	if fromName != "" && !qualifierRE.MatchString(fromName) {
		return "", "", errValidation(ref, "functionName", "Member must satisfy regular expression pattern")
	}
	if qualifier != "" && !qualifierRE.MatchString(qualifier) {
		return "", "", errValidation(qualifier, "qualifier", "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)")
	}
	switch {
	case fromName != "" && qualifier != "" && fromName != qualifier:
		return "", "", errInvalidParameter("The derived qualifier from the function name does not match the specified qualifier.")
	case fromName != "":
		qualifier = fromName
	}
	return name, qualifier, nil
}

// resolveFor resolves a function reference and checks that the caller may
// perform action on it (the qualified ARN when a qualifier is given).
func (s *Service) resolveFor(ctx context.Context, action, ref, qualifier string) (name, qual string, err error) {
	if name, qual, err = s.resolve(ref, qualifier); err != nil {
		return "", "", err
	}
	if err := s.authorize(ctx, action, s.functionARN(name, qual), ""); err != nil {
		return "", "", err
	}
	return name, qual, nil
}

// resolveUnqualifiedFor is resolveFor for operations on the function
// itself, which take no qualifier.
func (s *Service) resolveUnqualifiedFor(ctx context.Context, action, ref string) (string, error) {
	name, qual, err := s.resolve(ref, "")
	if err != nil {
		return "", err
	}
	if err := unqualified(qual); err != nil {
		return "", err
	}
	if err := s.authorize(ctx, action, s.functionARN(name, ""), ""); err != nil {
		return "", err
	}
	return name, nil
}

// unqualified rejects a qualifier where Lambda takes only a function.
func unqualified(qual string) error {
	if qual != "" {
		return errInvalidParameter("Unsupported qualifier: %s", qual)
	}
	return nil
}

// validRuntimes are the runtimes localcloud can run natively.
var validRuntimes = map[string]bool{"provided.al2023": true, "provided.al2": true, "provided": true}

// checkSettings validates the members Create and Update share.
func checkSettings(v *versionRecord) error {
	if v.Timeout < 1 {
		return errValidation(v.Timeout, "timeout", "Member must have value greater than or equal to 1")
	}
	if v.Timeout > 900 {
		return errValidation(v.Timeout, "timeout", "Member must have value less than or equal to 900")
	}
	if v.MemorySize < 128 {
		return errValidation(v.MemorySize, "memorySize", "Member must have value greater than or equal to 128")
	}
	if v.MemorySize > 10240 {
		return errValidation(v.MemorySize, "memorySize", "Member must have value less than or equal to 10240")
	}
	if !validRuntimes[v.Runtime] {
		return errInvalidParameter("The runtime parameter of %s is not supported by localcloud, which runs OS-only runtimes natively (provided.al2023, provided.al2).", v.Runtime)
	}
	if len(v.Description) > 256 {
		return errValidation(v.Description, "description", "Member must have length less than or equal to 256")
	}
	if len(v.Handler) > 128 || strings.ContainsAny(v.Handler, " \t\n") {
		return errValidation(v.Handler, "handler", "Member must satisfy regular expression pattern: [^\\s]+")
	}
	if !roleRE.MatchString(v.Role) {
		return errValidation(v.Role, "role", "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+")
	}
	if len(v.Architectures) != 1 || (v.Architectures[0] != "x86_64" && v.Architectures[0] != "arm64") {
		return errValidation(v.Architectures, "architectures", "Member must have length less than or equal to 1, Member must satisfy enum value set: [x86_64, arm64]")
	}
	size := 0
	for k, val := range v.Environment {
		size += len(k) + len(val)
		if !envKeyRE.MatchString(k) {
			return errValidation(k, "environment.variables", "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+")
		}
		if reservedEnv[k] {
			return errInvalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", k)
		}
	}
	if size > 4096 {
		return errInvalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %d", size)
	}
	if e := v.EphemeralStorage; e < 512 || e > 10240 {
		return errValidation(e, "ephemeralStorage.size", "Member must have value between 512 and 10240")
	}
	l := v.Logging
	if l.LogFormat != "" && l.LogFormat != "Text" && l.LogFormat != "JSON" {
		return errValidation(l.LogFormat, "loggingConfig.logFormat", "Member must satisfy enum value set: [Text, JSON]")
	}
	for member, level := range map[string]string{"applicationLogLevel": l.ApplicationLogLevel, "systemLogLevel": l.SystemLogLevel} {
		if level != "" && !logLevels[level] {
			return errValidation(level, "loggingConfig."+member, "Member must satisfy enum value set")
		}
	}
	if (l.ApplicationLogLevel != "" || l.SystemLogLevel != "") && l.LogFormat != "JSON" {
		return errInvalidParameter("To set log levels, the LogFormat must be JSON.")
	}
	return nil
}

var (
	envKeyRE    = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]+$`)
	reservedEnv = map[string]bool{
		"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_REGION": true, "AWS_EXECUTION_ENV": true,
		"AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true, "AWS_LAMBDA_FUNCTION_VERSION": true,
		"AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true, "AWS_LAMBDA_LOG_STREAM_NAME": true,
		"AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
		"AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
	}
	logLevels = map[string]bool{"TRACE": true, "DEBUG": true, "INFO": true, "WARN": true, "ERROR": true, "FATAL": true}
)

// page returns the items after marker (an index) up to max, and the next
// marker.
func page(n int, marker string, maxItems *int) (from, to int, next string, err error) {
	limit := 50
	if maxItems != nil {
		if *maxItems < 1 || *maxItems > 10000 {
			return 0, 0, "", errValidation(*maxItems, "maxItems", "Member must have value between 1 and 10000")
		}
		limit = *maxItems
	}
	if marker != "" {
		from, err = strconv.Atoi(marker)
		if err != nil || from < 0 || from > n {
			return 0, 0, "", errInvalidParameter("Invalid pagination token")
		}
	}
	to = min(n, from+limit)
	if to < n {
		next = strconv.Itoa(to)
	}
	return from, to, next, nil
}
